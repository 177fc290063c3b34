/**
 * Upstream's ValidateEnv (k/k core validation, v1.33, RelaxedEnvironmentVariableValidation on):
 * names, the one-source rule of `valueFrom`, downward-API field paths and key selectors.
 * Resource field references are only counted as a source, not checked.
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid, notSupported, required } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { isDNS1123Subdomain } from '../validation/names.ts';
import { isConfigMapKey, validateQualifiedName } from './field-rules.ts';
import { obj, objs, str } from './json-fields.ts';

/** Field paths an env var may read through `fieldRef` (validEnvDownwardAPIFieldPathExpressions). */
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

/** What ConvertDownwardAPIFieldLabel accepts for pods (subscripts aside). */
const POD_FIELD_LABELS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

const SUBSCRIPTED_RE = /^(metadata\.(?:annotations|labels))\['(.*)'\]$/;

/**
 * Upstream's validateObjectFieldSelector: `expressions` are the (sorted) field paths allowed
 * without a subscript; `metadata.labels['k']` and `metadata.annotations['k']` always are.
 */
export function validateObjectFieldSelector(
  ref: JsonObject,
  expressions: readonly string[],
  path: string,
): FieldError[] {
  const apiVersion = str(ref, 'apiVersion');
  const fieldPath = str(ref, 'fieldPath');
  if (apiVersion === '') return [required(childPath(path, 'apiVersion'))];
  if (fieldPath === '') return [required(childPath(path, 'fieldPath'))];
  const fp = childPath(path, 'fieldPath');
  const converting = (msg: string): FieldError[] => [
    invalid(fp, fieldPath, `error converting fieldPath: ${msg}`),
  ];
  if (apiVersion !== 'v1') return converting(`unsupported pod version: ${apiVersion}`);
  const sub = SUBSCRIPTED_RE.exec(fieldPath);
  if (sub !== null) {
    const [, which = '', key = ''] = sub;
    return validateQualifiedName(which === 'metadata.annotations' ? key.toLowerCase() : key, path);
  }
  if (fieldPath.includes('[')) {
    return converting(`field label does not support subscript: ${fieldPath}`);
  }
  const label = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  if (!POD_FIELD_LABELS.has(label)) return converting(`field label not supported: ${fieldPath}`);
  return expressions.includes(label) ? [] : [notSupported(fp, label, expressions)];
}

/** Upstream's validateConfigMapKeySelector / validateSecretKeySelector. */
function validateKeySelector(sel: JsonObject, path: string): FieldError[] {
  const name = str(sel, 'name');
  const key = str(sel, 'key');
  const errs = isDNS1123Subdomain(name).map((msg) => invalid(childPath(path, 'name'), name, msg));
  if (key === '') errs.push(required(childPath(path, 'key')));
  else errs.push(...isConfigMapKey(key).map((msg) => invalid(childPath(path, 'key'), key, msg)));
  return errs;
}

function validateValueFrom(ev: JsonObject, path: string): FieldError[] {
  const from = obj(ev, 'valueFrom');
  if (from === undefined) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  const fieldRef = obj(from, 'fieldRef');
  if (fieldRef !== undefined) {
    sources++;
    errs.push(
      ...validateObjectFieldSelector(fieldRef, ENV_FIELD_PATHS, childPath(path, 'fieldRef')),
    );
  }
  if (obj(from, 'resourceFieldRef') !== undefined) sources++;
  for (const key of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const sel = obj(from, key);
    if (sel === undefined) continue;
    sources++;
    errs.push(...validateKeySelector(sel, childPath(path, key)));
  }
  if (sources === 0) {
    errs.push(
      invalid(
        path,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  } else if (str(ev, 'value') !== '') {
    errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

/** Upstream's IsRelaxedEnvVarName: printable ASCII other than `=`. */
function isRelaxedEnvVarName(name: string): string[] {
  const errs: string[] = [];
  if (name === '') errs.push('environment variable name must be non-empty');
  if (/[^\x20-\x7e]|=/.test(name)) {
    errs.push(
      "a valid environment variable name must consist only of printable ASCII characters other than '='",
    );
  }
  return errs;
}

export function validateEnv(container: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objs(container, 'env').forEach((ev, i) => {
    const p = indexPath(path, i);
    const name = str(ev, 'name');
    if (name === '') errs.push(required(childPath(p, 'name')));
    errs.push(...isRelaxedEnvVarName(name).map((msg) => invalid(childPath(p, 'name'), name, msg)));
    errs.push(...validateValueFrom(ev, childPath(p, 'valueFrom')));
  });
  return errs;
}
