/**
 * JSON values as the API server handles them: objects are decoded once at the edge into these
 * types and validated from there, so nothing downstream needs `any`.
 */
export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `obj[key]`, or undefined when absent or not an object. */
export function objectField(obj: JsonObject, key: string): JsonObject | undefined {
  const v = obj[key];
  return isJsonObject(v) ? v : undefined;
}

/** The string at `obj[key]`, or undefined when absent or not a string. */
export function stringField(obj: JsonObject | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** A deep copy (objects from the store are never shared between requests). */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/** A JSON value as text for messages: strings as they are, anything else as JSON. */
export function jsonText(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
