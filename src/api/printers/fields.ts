/**
 * Typed reads over decoded JSON with Go's zero values: a missing or mistyped field reads as "",
 * 0, false, [] or {} exactly as the same field of an upstream Go struct would, so printers can be
 * transcribed from printers.go without null checks. Pointer fields use the `optional*` readers.
 */
import { Buffer } from 'node:buffer';
import type { JsonObject, JsonValue } from '../json.ts';
import { isJsonObject } from '../json.ts';

/** The value at `path` under `obj`, or undefined when any step is missing or not an object. */
export function valueAt(obj: JsonObject | undefined, ...path: string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const key of path) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The object at `path`, or undefined (Go: a nil pointer to a struct). */
export function objectAt(obj: JsonObject | undefined, ...path: string[]): JsonObject | undefined {
  const v = valueAt(obj, ...path);
  return isJsonObject(v) ? v : undefined;
}

/** True when `path` holds a non-null value (Go: a non-nil pointer). */
export function isSet(obj: JsonObject | undefined, ...path: string[]): boolean {
  const v = valueAt(obj, ...path);
  return v !== undefined && v !== null;
}

export function stringAt(obj: JsonObject | undefined, ...path: string[]): string {
  return optionalStringAt(obj, ...path) ?? '';
}

export function optionalStringAt(
  obj: JsonObject | undefined,
  ...path: string[]
): string | undefined {
  const v = valueAt(obj, ...path);
  return typeof v === 'string' ? v : undefined;
}

export function numberAt(obj: JsonObject | undefined, ...path: string[]): number {
  return optionalNumberAt(obj, ...path) ?? 0;
}

export function optionalNumberAt(
  obj: JsonObject | undefined,
  ...path: string[]
): number | undefined {
  const v = valueAt(obj, ...path);
  return typeof v === 'number' ? v : undefined;
}

export function boolAt(obj: JsonObject | undefined, ...path: string[]): boolean {
  return valueAt(obj, ...path) === true;
}

export function arrayAt(obj: JsonObject | undefined, ...path: string[]): JsonValue[] {
  const v = valueAt(obj, ...path);
  return Array.isArray(v) ? v : [];
}

/** The list at `path` with each item as an object (a non-object item reads as `{}`). */
export function objectsAt(obj: JsonObject | undefined, ...path: string[]): JsonObject[] {
  return arrayAt(obj, ...path).map((item) => (isJsonObject(item) ? item : {}));
}

/** The list at `path` with each item as a string (a non-string item reads as ""). */
export function stringsAt(obj: JsonObject | undefined, ...path: string[]): string[] {
  return arrayAt(obj, ...path).map((item) => (typeof item === 'string' ? item : ''));
}

/** A `map[string]string` field: entries whose value is not a string are dropped. */
export function stringMapAt(
  obj: JsonObject | undefined,
  ...path: string[]
): Record<string, string> {
  const out: Record<string, string> = {};
  const m = objectAt(obj, ...path);
  if (m === undefined) return out;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** The number of keys of a map field (`len(m)` in Go). */
export function mapSize(obj: JsonObject | undefined, ...path: string[]): number {
  const m = objectAt(obj, ...path);
  return m === undefined ? 0 : Object.keys(m).length;
}

/** `metadata.name`. */
export function nameOf(obj: JsonObject): string {
  return stringAt(obj, 'metadata', 'name');
}

/** Go's string order: byte-wise over UTF-8 (JS `<` compares UTF-16 code units instead). */
export function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
