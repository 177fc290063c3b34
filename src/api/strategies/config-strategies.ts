/**
 * ConfigMap and Secret strategies (pkg/apis/core/v1 defaults and conversion, ValidateConfigMap,
 * ValidateSecret and their updates, v1.33): data keys, the 1 MiB total, per-type required keys,
 * immutability once `immutable: true`, a Secret's type default `Opaque` and immutability, and the
 * v1 conversion folding `stringData` into `data`. Binary values are counted decoded.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden, invalid, required, tooLong } from '../validation/field-error.ts';
import { keyPath } from '../validation/field-path.ts';
import { utf8Length } from '../validation/go-format.ts';
import { isConfigMapKey, validateImmutableField } from './field-rules.ts';
import { bool, defaultEmpty, obj, str } from './json-fields.ts';
import { semanticEqual } from './semantic-equal.ts';

/** Upstream's MaxSecretSize, also the ConfigMap limit. */
export const MAX_SECRET_SIZE = 1024 * 1024;

const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

function decodedLength(v: JsonValue): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

export function validateConfigMap(cm: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = obj(cm, 'data') ?? {};
  const binary = obj(cm, 'binaryData') ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(keyPath('data', key), key, msg));
    if (key in binary) {
      errs.push(invalid(keyPath('data', key), key, 'duplicate of key present in binaryData'));
    }
    total += typeof value === 'string' ? utf8Length(value) : 0;
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(keyPath('binaryData', key), key, msg));
    total += decodedLength(value);
  }
  // Upstream reports it at field.NewPath(""), the whole object.
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

/** The `immutable` rule of ValidateConfigMapUpdate / ValidateSecretUpdate. */
function validateImmutableContent(
  next: JsonObject,
  old: JsonObject,
  fields: readonly string[],
): FieldError[] {
  if (bool(old, 'immutable') !== true) return [];
  const errs: FieldError[] = [];
  if (bool(next, 'immutable') !== true) errs.push(forbidden('immutable', IMMUTABLE_SET));
  for (const f of fields) {
    if (!semanticEqual(next[f], old[f])) errs.push(forbidden(f, IMMUTABLE_SET));
  }
  return errs;
}

export const configMapStrategy: ResourceStrategy = {
  validate: validateConfigMap,
  validateUpdate: (cm, old) => [
    ...validateImmutableContent(cm, old, ['data', 'binaryData']),
    ...validateConfigMap(cm),
  ],
};

/** SetDefaults_Secret, and the v1 conversion: `stringData` values overwrite `data` (base64). */
export function defaultSecret(secret: JsonObject): void {
  defaultEmpty(secret, 'type', 'Opaque');
  const stringData = obj(secret, 'stringData');
  if (stringData === undefined) return;
  const data = obj(secret, 'data') ?? {};
  for (const [k, v] of Object.entries(stringData)) {
    if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  secret['data'] = data;
  delete secret['stringData'];
}

/** Keys each well-known Secret type requires. */
function validateSecretType(secret: JsonObject, data: JsonObject): FieldError[] {
  const has = (k: string): boolean => k in data;
  const need = (k: string): FieldError => required(keyPath('data', k));
  switch (str(secret, 'type')) {
    case 'kubernetes.io/service-account-token': {
      const key = 'kubernetes.io/service-account.name';
      return str(obj(obj(secret, 'metadata'), 'annotations'), key) === ''
        ? [required(keyPath('metadata.annotations', key))]
        : [];
    }
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? [] : [need('.dockercfg')];
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? [] : [need('.dockerconfigjson')];
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [need('username'), need('password')];
    case 'kubernetes.io/ssh-auth':
      return decodedLength(data['ssh-privatekey'] ?? null) > 0 ? [] : [need('ssh-privatekey')];
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [need('tls.crt')]),
        ...(has('tls.key') ? [] : [need('tls.key')]),
      ];
    default:
      return [];
  }
}

export function validateSecret(secret: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = obj(secret, 'data') ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(keyPath('data', key), key, msg));
    total += decodedLength(value);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  errs.push(...validateSecretType(secret, data));
  return errs;
}

export const secretStrategy: ResourceStrategy = {
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: (secret, old) => [
    ...validateImmutableField(secret['type'], old['type'], 'type', str(secret, 'type')),
    ...validateImmutableContent(secret, old, ['data']),
    ...validateSecret(secret),
  ],
};
