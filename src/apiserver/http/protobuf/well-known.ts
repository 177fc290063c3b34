/**
 * The apimachinery types whose Go MarshalJSON replaces the struct encoding: Time, MicroTime,
 * Duration, GroupVersion, FieldsV1, IntOrString, Quantity, RawExtension and Unknown. Each is
 * converted the way upstream's Unmarshal-then-MarshalJSON would, including its zero value (an
 * absent non-pointer field). Embedded raw bytes must be JSON or a nested `k8s\0` object.
 */
import type { JsonObject, JsonValue } from '../../../api/json.ts';
import { badRequest } from '../../../api/status.ts';
import { formatGoDuration, formatGoMicroTime, formatGoTime, int64ToBigInt } from './go-format.ts';
import type { GoJsonTags } from './go-json-tags.ts';

/** A message as protobufjs decodes it: only fields present on the wire are own properties. */
export type DecodedMessage = Readonly<Record<string, unknown>>;

export interface ToJsonContext {
  readonly tags: GoJsonTags;
  /** Decodes a nested protobuf object (`k8s\0` + runtime.Unknown) found in embedded raw bytes. */
  readonly decodeNested: (raw: Uint8Array) => JsonObject;
}

/** A converted Go value, and whether encoding/json's `omitempty` counts it as empty. */
export interface GoValue {
  readonly json: JsonValue;
  readonly isEmpty: boolean;
}

/** The own property `name` of a decoded message (not protobufjs's prototype default). */
export function ownField(message: DecodedMessage | undefined, name: string): unknown {
  return message !== undefined && Object.hasOwn(message, name) ? message[name] : undefined;
}

/** A decoded (sub)message or map, or undefined for anything else. */
export function asMessage(value: unknown): DecodedMessage | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as DecodedMessage)
    : undefined;
}

/** A bytes value; protobufjs fills an absent map value with an empty array, Go with []byte{}. */
export function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  return Array.isArray(value) && value.length === 0 ? new Uint8Array(0) : undefined;
}

const K8S_MAGIC = [0x6b, 0x38, 0x73, 0x00];

export function hasProtobufMagic(bytes: Uint8Array): boolean {
  return K8S_MAGIC.every((b, i) => bytes[i] === b);
}

/** Raw bytes embedded in an object: JSON (as Go writes them verbatim) or a nested object. */
function embeddedToJson(raw: Uint8Array, ctx: ToJsonContext, path: string): JsonValue {
  if (hasProtobufMagic(raw)) return ctx.decodeNested(raw);
  try {
    // JSON.parse yields only JSON values (own "__proto__" keys included).
    const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    return JSON.parse(text) as JsonValue;
  } catch {
    throw badRequest(`${path}: the embedded object is neither JSON nor a protobuf object`);
  }
}

function stringField(message: DecodedMessage | undefined, name: string): string {
  const value = ownField(message, name);
  return typeof value === 'string' ? value : '';
}

function int32Field(message: DecodedMessage | undefined, name: string): number {
  const value = ownField(message, name);
  return typeof value === 'number' ? value : 0;
}

function hasAnyField(message: DecodedMessage | undefined, names: readonly string[]): boolean {
  return names.some((n) => ownField(message, n) !== undefined);
}

const struct = (json: JsonValue): GoValue => ({ json, isEmpty: false });

/**
 * The JSON of a well-known message, or undefined when `fullName` is an ordinary struct.
 * Go's omitempty never drops a struct, so none of these is ever "empty".
 */
export function wellKnownToJson(
  fullName: string,
  message: DecodedMessage | undefined,
  ctx: ToJsonContext,
  path: string,
): GoValue | undefined {
  switch (fullName) {
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.Time': {
      if (!hasAnyField(message, ['seconds', 'nanos'])) return struct(null);
      const seconds = ownField(message, 'seconds');
      return struct(formatGoTime(seconds === undefined ? 0n : int64ToBigInt(seconds), path));
    }
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': {
      if (!hasAnyField(message, ['seconds', 'nanos'])) return struct(null);
      const seconds = ownField(message, 'seconds');
      const nanos = int32Field(message, 'nanos');
      const sec = seconds === undefined ? 0n : int64ToBigInt(seconds);
      return struct(formatGoMicroTime(sec, nanos, path));
    }
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': {
      const ns = ownField(message, 'duration');
      return struct(formatGoDuration(ns === undefined ? 0n : int64ToBigInt(ns)));
    }
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.GroupVersion': {
      const group = stringField(message, 'group');
      const version = stringField(message, 'version');
      return struct(group === '' ? version : `${group}/${version}`);
    }
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': {
      const raw = asBytes(ownField(message, 'Raw'));
      return struct(raw === undefined ? null : embeddedToJson(raw, ctx, path));
    }
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension': {
      const raw = asBytes(ownField(message, 'raw'));
      return struct(raw === undefined || raw.length === 0 ? null : embeddedToJson(raw, ctx, path));
    }
    case 'k8s.io.apimachinery.pkg.runtime.Unknown': {
      const contentType = stringField(message, 'contentType');
      if (contentType !== '' && contentType !== 'application/json') {
        throw badRequest(`${path}: runtime.Unknown: MarshalJSON on non-json data`);
      }
      const raw = asBytes(ownField(message, 'raw'));
      return struct(raw === undefined ? null : embeddedToJson(raw, ctx, path));
    }
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
      const typeValue = ownField(message, 'type');
      const type = typeValue === undefined ? 0n : int64ToBigInt(typeValue);
      if (type === 0n) return struct(int32Field(message, 'intVal'));
      if (type === 1n) return struct(stringField(message, 'strVal'));
      throw badRequest(`${path}: impossible IntOrString.Type`);
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
    case 'k8s.io.apimachinery.pkg.api.resource.QuantityValue': {
      // A Quantity travels as its canonical string; the zero Quantity marshals as "0".
      const value = ownField(message, 'string');
      return struct(typeof value === 'string' ? value : '0');
    }
    default:
      return undefined;
  }
}
