/**
 * Equality of two objects as upstream compares typed values: a map entry holding null is the
 * same as an absent one (a nil pointer, map or slice), object key order is ignored, list order
 * is not.
 */
import type { JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';

export function typedEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => typedEqual(v, b[i]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  for (const [k, v] of Object.entries(a)) {
    const w = b[k];
    if (v === null ? w !== undefined && w !== null : !typedEqual(v, w)) return false;
  }
  for (const [k, w] of Object.entries(b)) {
    if (w !== null && a[k] === undefined) return false;
  }
  return true;
}
