/**
 * Small accessors for the strategies, which read and default JSON objects in place. Go's zero
 * values decide when a default applies: `defaultUnset` fills Go's nil (absent or null, pointer
 * fields), `defaultEmpty` also a string left `""`, `defaultZero` also an int left 0. Values of
 * the wrong JSON type read as absent; the decoder is where wrong types are rejected, not here.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { isJsonObject } from '../json.ts';

/** The object at `o[key]`, or undefined. */
export function obj(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isJsonObject(v) ? v : undefined;
}

/** The object at `o[key]`, created (`{}`) when absent or not an object. */
export function ensureObj(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  if (isJsonObject(v)) return v;
  const fresh: JsonObject = {};
  o[key] = fresh;
  return fresh;
}

/** The objects of the array at `o[key]` (non-objects skipped), or `[]`. */
export function objs(o: JsonObject | undefined, key: string): JsonObject[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

/** The strings of the array at `o[key]`, or `[]` (Go's nil slice reads the same). */
export function strs(o: JsonObject | undefined, key: string): string[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The string at `o[key]`, or `''` (Go's zero string). */
export function str(o: JsonObject | undefined, key: string): string {
  const v = o?.[key];
  return typeof v === 'string' ? v : '';
}

/** The number at `o[key]`, or undefined. */
export function num(o: JsonObject | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' ? v : undefined;
}

/** The boolean at `o[key]`, or undefined. */
export function bool(o: JsonObject | undefined, key: string): boolean | undefined {
  const v = o?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** A string map (labels, selectors, data) at `o[key]`: string values only, or undefined. */
export function strMap(o: JsonObject | undefined, key: string): Record<string, string> | undefined {
  const v = obj(o, key);
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Go's nil: absent or null. */
export function isUnset(v: JsonValue | undefined): boolean {
  return v === undefined || v === null;
}

/** Sets `o[key]` when it is nil (pointer fields: `if obj.X == nil`). */
export function defaultUnset(o: JsonObject, key: string, value: JsonValue): void {
  if (isUnset(o[key])) o[key] = value;
}

/** Sets `o[key]` when it is nil or `""` (string fields: `if obj.X == ""`). */
export function defaultEmpty(o: JsonObject, key: string, value: string): void {
  if (isUnset(o[key]) || o[key] === '') o[key] = value;
}

/** Sets `o[key]` when it is nil or 0 (int fields: `if obj.X == 0`). */
export function defaultZero(o: JsonObject, key: string, value: number): void {
  if (isUnset(o[key]) || o[key] === 0) o[key] = value;
}

/** A map or slice field that Go would see as empty (nil, `{}` or `[]`). */
export function isEmptyCollection(v: JsonValue | undefined): boolean {
  if (isUnset(v)) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.keys(v).length === 0;
}
