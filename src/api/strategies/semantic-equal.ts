/**
 * Upstream's apiequality.Semantic.DeepEqual as it sees two decoded JSON objects: a nil and an
 * empty slice or map are equal, and a member left at its zero value (`""`, 0, false, null, `{}`,
 * `[]`) equals an absent one, as it would after decoding into a Go struct. Resource quantities
 * are compared as strings. Deliberately lenient for pointer fields (nil versus `false` is equal
 * here, not in Go): the strategies use it to reject changes, and a false rejection is worse.
 */
import type { JsonValue } from '../json.ts';
import { isJsonObject } from '../json.ts';

function isZero(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.values(v).every(isZero);
}

export function semanticEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}
