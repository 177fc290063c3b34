/**
 * Go's `%#v` of the few non-scalar values upstream's validation puts in its messages (field.Error
 * prints a struct, map or slice value that has no String() method with `%#v`, after following one
 * pointer): string maps, label selectors, IntOrString and byte slices. Go's fmt sorts map keys.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { isJsonObject } from '../json.ts';
import type { GoLiteral } from '../validation/field-error.ts';
import { compareGoStrings, goQuote, goStringSlice } from '../validation/go-format.ts';

/**
 * A nil pointer as field.Error prints it: ErrorBody replaces it with the *string* "null", which
 * `%q` then quotes (`Invalid value: "null"`). The shared FieldValue `null` prints unquoted.
 */
export const NIL = 'null';

/** `map[string]string{"a":"b", "c":"d"}`; `map[string]string(nil)` for absent or null. */
export function goStringMapSyntax(m: JsonValue | undefined): string {
  if (!isJsonObject(m)) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort(compareGoStrings);
  const entries = keys.map((k) => {
    const v = m[k];
    return `${goQuote(k)}:${goQuote(typeof v === 'string' ? v : '')}`;
  });
  return `map[string]string{${entries.join(', ')}}`;
}

export function goStringMap(m: JsonValue | undefined): GoLiteral {
  return { goSyntax: goStringMapSyntax(m) };
}

function requirementSyntax(r: JsonValue): string {
  const o: JsonObject = isJsonObject(r) ? r : {};
  const key = typeof o['key'] === 'string' ? o['key'] : '';
  const op = typeof o['operator'] === 'string' ? o['operator'] : '';
  const values = Array.isArray(o['values'])
    ? o['values'].filter((x): x is string => typeof x === 'string')
    : null;
  return (
    `v1.LabelSelectorRequirement{Key:${goQuote(key)}, Operator:${goQuote(op)}, ` +
    `Values:${goStringSlice(values)}}`
  );
}

/**
 * A `*metav1.LabelSelector` as field.Error prints it: `v1.LabelSelector{MatchLabels:..., ...}`,
 * or NIL for a nil selector.
 */
export function goLabelSelector(sel: JsonValue | undefined): GoLiteral | typeof NIL {
  if (!isJsonObject(sel)) return NIL;
  const exprs = sel['matchExpressions'];
  const exprSyntax = Array.isArray(exprs)
    ? `[]v1.LabelSelectorRequirement{${exprs.map(requirementSyntax).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return {
    goSyntax:
      `v1.LabelSelector{MatchLabels:${goStringMapSyntax(sel['matchLabels'])}, ` +
      `MatchExpressions:${exprSyntax}}`,
  };
}

/** An intstr.IntOrString: `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`. */
export function goIntOrString(v: JsonValue | undefined): GoLiteral {
  if (typeof v === 'string') {
    return { goSyntax: `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}` };
  }
  const n = typeof v === 'number' ? v : 0;
  return { goSyntax: `intstr.IntOrString{Type:0, IntVal:${String(n)}, StrVal:""}` };
}

/** A `[]byte`: `[]byte{0x2d, 0x2d}`; `[]byte(nil)` for absent. */
export function goBytes(bytes: Uint8Array | undefined): GoLiteral {
  if (bytes === undefined) return { goSyntax: '[]byte(nil)' };
  const items = Array.from(bytes, (b) => `0x${b.toString(16)}`);
  return { goSyntax: `[]byte{${items.join(', ')}}` };
}
