/**
 * The built-in admission for every write: the kind's defaults, upstream's ObjectMeta validation
 * (names per kind, labels, annotations, owner references, finalizers; immutable metadata on
 * update) and the kind's own validation. Returns field errors (422 Invalid); never throws for
 * bad input. Metadata fields of the wrong JSON type are reported, not trusted.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject, objectField } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import type { FieldError } from '../../api/validation/field-error.ts';
import { nameValidatorFor } from '../../api/validation/name-validators.ts';
import { validateObjectMeta } from '../../api/validation/object-meta.ts';
import type { ObjectMetaInput } from '../../api/validation/object-meta.ts';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta-update.ts';
import type { ObjectMetaUpdateInput } from '../../api/validation/object-meta-update.ts';

export function admitObject(
  def: ResourceDefinition,
  obj: JsonObject,
  old: JsonObject | undefined,
): FieldError[] {
  def.strategy?.defaults?.(obj);
  const typeErrors: FieldError[] = [];
  const meta = metaInput(objectField(obj, 'metadata') ?? {}, typeErrors);
  if (typeErrors.length > 0) return typeErrors;
  const errors: FieldError[] = [];
  if (old === undefined) {
    errors.push(
      ...validateObjectMeta(meta, {
        requiresNamespace: def.namespaced,
        validateName: nameValidatorFor(def.group, def.kind),
      }),
    );
    errors.push(...(def.strategy?.validate?.(obj) ?? []));
  } else {
    const oldMeta = metaInput(objectField(old, 'metadata') ?? {}, []);
    errors.push(
      ...validateObjectMeta(meta, {
        requiresNamespace: def.namespaced,
        validateName: nameValidatorFor(def.group, def.kind),
      }),
    );
    errors.push(...validateObjectMetaUpdate(meta, oldMeta));
    errors.push(...(def.strategy?.validateUpdate?.(obj, old) ?? []));
  }
  return errors;
}

const STRING_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
] as const;

/** The metadata as the validators read it, recording fields of the wrong JSON type. */
function metaInput(
  meta: JsonObject,
  errors: FieldError[],
): ObjectMetaUpdateInput & ObjectMetaInput {
  const typeError = (field: string, value: JsonValue | undefined, want: string): void => {
    errors.push({
      type: 'FieldValueTypeInvalid',
      field: `metadata.${field}`,
      value: JSON.stringify(value ?? null),
      detail: `expected ${want}`,
    });
  };
  const out: Record<string, unknown> = {};
  for (const f of STRING_FIELDS) {
    const v = meta[f];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') out[f] = v;
    else typeError(f, v, 'string');
  }
  for (const f of ['generation', 'deletionGracePeriodSeconds'] as const) {
    const v = meta[f];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && Number.isInteger(v)) out[f] = v;
    else typeError(f, v, 'integer');
  }
  for (const f of ['labels', 'annotations'] as const) {
    const v = meta[f];
    if (v === undefined || v === null) continue;
    if (isJsonObject(v) && Object.values(v).every((x) => typeof x === 'string')) out[f] = v;
    else typeError(f, v, 'map of strings');
  }
  const finalizers = meta['finalizers'];
  if (finalizers !== undefined && finalizers !== null) {
    if (Array.isArray(finalizers) && finalizers.every((x) => typeof x === 'string'))
      out['finalizers'] = finalizers;
    else typeError('finalizers', finalizers, 'list of strings');
  }
  const owners = meta['ownerReferences'];
  if (owners !== undefined && owners !== null) {
    if (Array.isArray(owners) && owners.every((x) => isJsonObject(x)))
      out['ownerReferences'] = owners;
    else typeError('ownerReferences', owners, 'list of objects');
  }
  return out;
}
