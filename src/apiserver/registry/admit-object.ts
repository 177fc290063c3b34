/**
 * The built-in admission for every write: the kind's defaults, generic metadata validation and
 * the kind's own validation. Returns field errors (422 Invalid); never throws for bad input.
 */
import type { JsonObject } from '../../api/json.ts';
import { objectField } from '../../api/json.ts';
import type { FieldError, ResourceDefinition } from '../../api/resource.ts';

export function admitObject(
  def: ResourceDefinition,
  obj: JsonObject,
  old: JsonObject | undefined,
): FieldError[] {
  def.strategy?.defaults?.(obj);
  const errors: FieldError[] = [];
  const meta = objectField(obj, 'metadata') ?? {};
  const name = meta['name'];
  if (typeof name !== 'string' || name === '') {
    errors.push({
      type: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'metadata.name: Required value: name or generateName is required',
    });
  }
  if (old === undefined) errors.push(...(def.strategy?.validate?.(obj) ?? []));
  else errors.push(...(def.strategy?.validateUpdate?.(obj, old) ?? []));
  return errors;
}
