/**
 * JSON value helpers shared by the patch engines. Guarantees: every copy is checked against a
 * nesting bound before any recursion goes deeper (so no engine can overflow the stack), own keys
 * only (a `__proto__` or `constructor` key is plain data), and non-JSON input (undefined, NaN,
 * functions, class instances) is rejected with a typed error instead of being copied.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { PatchMalformedError, PatchTooDeepError } from './errors.ts';

/**
 * Default bound on nesting (the root object or array is level 1). Go's decoder allows 10000, but
 * Go stacks grow and Node's do not: measured on Node 20, the strategic merge of nested merge lists
 * needs about 0.9 KiB of stack per level, so 1000 levels nearly fill the default 984 KiB stack.
 * 256 keeps every engine under a quarter of it and is far above real objects (a CRD embedding a
 * pod template is under 60 levels).
 */
export const DEFAULT_MAX_DEPTH = 256;

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasOwn(obj: JsonObject, key: string): boolean {
  return Object.hasOwn(obj, key);
}

/** `obj[key]` if it is an own property (never something inherited from Object.prototype). */
export function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** `obj[key] = value` that stores `__proto__` as data instead of changing the prototype. */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/**
 * A deep copy of `value`, validated as JSON, throwing PatchTooDeepError past `maxDepth` levels
 * (`what` names the input in the message and picks the HTTP meaning).
 */
export function cloneBounded(
  value: unknown,
  maxDepth: number,
  what: 'patch' | 'object' | 'result',
): JsonValue {
  return cloneAt(value, 1, maxDepth, what);
}

function cloneAt(
  value: unknown,
  depth: number,
  maxDepth: number,
  what: 'patch' | 'object' | 'result',
): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new PatchMalformedError(`${what} contains a non-finite number`);
    return value;
  }
  if (typeof value !== 'object') {
    throw new PatchMalformedError(`${what} contains a ${typeof value}, which is not JSON`);
  }
  if (depth > maxDepth) throw new PatchTooDeepError(what, maxDepth);
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneAt(value[i], depth + 1, maxDepth, what);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new PatchMalformedError(`${what} contains an object that is not plain JSON`);
  }
  const src = value as Record<string, unknown>;
  const out: JsonObject = {};
  for (const key of Object.keys(src))
    setOwn(out, key, cloneAt(src[key], depth + 1, maxDepth, what));
  return out;
}

/** Nesting depth of a value already known to be JSON (scalars are 0, `{}` and `[]` are 1). */
export function depthOf(value: JsonValue): number {
  let max = 0;
  const stack: [JsonValue, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, d] = item;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return max;
}

/** Structural equality (key order ignored, array order significant). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const bv = getOwn(b, k);
    if (bv === undefined || !jsonEqual(getOwn(a, k) ?? null, bv)) return false;
  }
  return true;
}

/** The JSON type name Go's json.Unmarshal prints in type errors (`object`, `array`, `bool`...). */
export function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

/**
 * The Go dynamic type a value has after kube-apiserver decodes it into `interface{}` with ints
 * preserved: integral numbers in int64 range are int64, other numbers float64.
 */
export type GoKind = 'nil' | 'map' | 'slice' | 'string' | 'bool' | 'int64' | 'float64';

const INT64_LIMIT = 2 ** 63;

export function goKindOf(value: JsonValue): GoKind {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'slice';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT
      ? 'int64'
      : 'float64';
  }
  return 'map';
}

/**
 * The length of `json.Marshal(value)` in Go, which the json-patch copy limit counts: UTF-8 bytes
 * of the JSON text, with `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u00XX` (HTML-safe).
 */
export function goJsonSize(value: JsonValue): number {
  const text = JSON.stringify(value);
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26) extra += 5;
    else if (c === 0x2028 || c === 0x2029) extra += 3;
  }
  return Buffer.byteLength(text, 'utf8') + extra;
}
