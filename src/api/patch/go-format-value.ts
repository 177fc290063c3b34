/**
 * Go's fmt verbs applied to decoded JSON (`interface{}` holding map[string]interface{},
 * []interface{}, string, int64, float64, bool or nil), for the strategic merge patch messages
 * kube-apiserver returns verbatim: `%v` (maps print as `map[k:v]` with sorted keys), `%s`, and
 * reflect type names. Guarantees: exact for ASCII keys and values; floats follow strconv's
 * shortest 'g' (1e+06, 1.5e-05).
 */
import type { JsonValue } from '../json.ts';
import { getOwn, goKindOf } from './json-values.ts';

/** Go's byte-wise string order (code point order), which fmt uses to sort map keys. */
function compareGo(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const cx = x[i]?.codePointAt(0) ?? 0;
    const cy = y[i]?.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
  return x.length - y.length;
}

/** `%v` of a float64: strconv.FormatFloat(f, 'g', -1, 64). */
export function goFloat(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa = '0', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  // strconv's 'g' with the shortest precision uses an exponent when exp < -4 || exp >= 6
  // (ftoa.go: "if precision was the shortest possible, use precision 6 for this decision").
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}

/** `fmt.Sprintf("%v", value)`. */
export function goSprintV(value: JsonValue): string {
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goSprintV).join(' ')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(compareGo);
    return `map[${keys.map((k) => `${k}:${goSprintV(getOwn(value, k) ?? null)}`).join(' ')}]`;
  }
  if (typeof value === 'number') {
    return goKindOf(value) === 'float64' ? goFloat(value) : String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value;
}

/** `fmt.Sprintf("%s", value)`: strings as they are, other values as `%!s(type=value)`. */
export function goSprintS(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return '%!s(<nil>)';
  return `%!s(${goTypeName(value)}=${goSprintV(value)})`;
}

/** `reflect.TypeOf(value).String()`, and `%!s(<nil>)` for nil as fmt prints a nil Type. */
export function goTypeName(value: JsonValue): string {
  switch (goKindOf(value)) {
    case 'nil':
      return '%!s(<nil>)';
    case 'map':
      return 'map[string]interface {}';
    case 'slice':
      return '[]interface {}';
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'int64':
      return 'int64';
    case 'float64':
      return 'float64';
  }
}
