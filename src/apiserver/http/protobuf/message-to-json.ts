/**
 * Converts a protobufjs-decoded Kubernetes message into the JSON that Go's encoding/json writes
 * for the same struct after upstream's protobuf Unmarshal. Go's rules apply: fields in
 * declaration order, JSON names and `omitempty`/pointer/inline from the Go tags, nil slices and
 * maps as null unless omitempty, map keys sorted, bytes as base64. Field order follows the Go struct.
 */
import protobuf from 'protobufjs';
import type { Field, Type } from 'protobufjs';
import { isJsonObject } from '../../../api/json.ts';
import type { JsonObject, JsonValue } from '../../../api/json.ts';
import { badRequest, internalError } from '../../../api/status.ts';
import { int64ToNumber } from './go-format.ts';
import { messageName } from './proto-schemas.ts';
import { asBytes, asMessage, ownField, wellKnownToJson } from './well-known.ts';
import type { DecodedMessage, GoValue, ToJsonContext } from './well-known.ts';

/** Sets an own property even for keys like "__proto__" (map keys come from the client). */
function put(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function unexpected(path: string, what: string): Error {
  return internalError(`protobuf decoding produced ${what} at ${path}`);
}

/** A present scalar value as JSON (protobufjs already checked the wire format). */
function scalarToJson(type: string, value: unknown, path: string): JsonValue {
  switch (type) {
    case 'string':
    case 'bool':
      if (typeof value === 'string' || typeof value === 'boolean') return value;
      break;
    case 'int32':
    case 'uint32':
    case 'sint32':
    case 'fixed32':
    case 'sfixed32':
      if (typeof value === 'number') return value;
      break;
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return int64ToNumber(value, path);
    case 'double':
    case 'float':
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw badRequest(`${path}: unsupported value: ${value}`);
        return value;
      }
      break;
    case 'bytes': {
      const bytes = asBytes(value);
      if (bytes !== undefined) return base64(bytes);
      break;
    }
    default:
      throw unexpected(path, `an unsupported scalar type ${type}`);
  }
  throw unexpected(path, `a ${typeof value} for a ${type}`);
}

/** The Go zero value of a scalar field the wire left out. */
function zeroScalar(type: string): GoValue {
  switch (type) {
    case 'string':
      return { json: '', isEmpty: true };
    case 'bool':
      return { json: false, isEmpty: true };
    case 'bytes':
      return { json: null, isEmpty: true }; // a nil []byte
    default:
      return { json: 0, isEmpty: true };
  }
}

function resolvedMessage(field: Field, path: string): Type {
  const type = field.resolvedType;
  if (!(type instanceof protobuf.Type)) throw unexpected(path, `an unresolved type ${field.type}`);
  return type;
}

/** One element of a repeated field or map value. */
function elementToJson(ctx: ToJsonContext, field: Field, value: unknown, path: string): JsonValue {
  if (field.resolvedType === null) return scalarToJson(field.type, value, path);
  return messageToGoValue(ctx, resolvedMessage(field, path), asMessage(value), path).json;
}

/** A field's Go value; `value` is undefined when the field is absent from the wire. */
function fieldToGoValue(ctx: ToJsonContext, field: Field, value: unknown, path: string): GoValue {
  if (field.map) {
    if (!(field instanceof protobuf.MapField)) throw unexpected(path, 'a map without a MapField');
    if (field.keyType !== 'string') throw unexpected(path, `a map with ${field.keyType} keys`);
    const entries = Object.keys(asMessage(value) ?? {}).sort();
    if (entries.length === 0) return { json: null, isEmpty: true }; // a nil map
    const json: JsonObject = {};
    const map = value as DecodedMessage;
    for (const key of entries)
      put(json, key, elementToJson(ctx, field, map[key], `${path}[${JSON.stringify(key)}]`));
    return { json, isEmpty: false };
  }
  if (field.repeated) {
    const items: unknown[] = Array.isArray(value) ? value : [];
    if (items.length === 0) return { json: null, isEmpty: true }; // a nil slice
    return {
      json: items.map((item, i) => elementToJson(ctx, field, item, `${path}[${String(i)}]`)),
      isEmpty: false,
    };
  }
  if (field.resolvedType !== null) {
    return messageToGoValue(ctx, resolvedMessage(field, path), asMessage(value), path);
  }
  if (value === undefined) return zeroScalar(field.type);
  const json = scalarToJson(field.type, value, path);
  const isEmpty = json === '' || json === 0 || json === false;
  // A present zero-length []byte is non-nil: "" unless omitempty drops it.
  return { json, isEmpty: isEmpty || (field.type === 'bytes' && asBytes(value)?.length === 0) };
}

function joinPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function isPresent(field: Field, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (field.map) return Object.keys(asMessage(value) ?? {}).length > 0;
  if (field.repeated) return Array.isArray(value) && value.length > 0;
  return true;
}

/** An ordinary Go struct: each proto field placed by its Go json tag. */
function structToJson(
  ctx: ToJsonContext,
  type: Type,
  message: DecodedMessage | undefined,
  path: string,
): JsonObject {
  const name = messageName(type);
  const tags = ctx.tags.message(name);
  if (tags === undefined) {
    throw internalError(`no Go JSON tags for ${name}; regenerate data/proto/go-json-tags.json`);
  }
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    const tag = tags.get(field.name);
    if (tag === undefined) throw internalError(`no Go JSON tag for ${name}.${field.name}`);
    if (tag.isSkipped) continue;
    const raw = ownField(message, field.name);
    const present = isPresent(field, raw);
    const childPath = tag.isInline ? path : joinPath(path, tag.jsonName);
    if (tag.isPointer && !present) {
      if (!tag.isOmitEmpty && !tag.isInline) put(out, tag.jsonName, null); // a nil pointer
      continue;
    }
    const value = fieldToGoValue(ctx, field, present ? raw : undefined, childPath);
    if (tag.isInline) {
      if (!isJsonObject(value.json)) throw unexpected(childPath, 'an inline non-struct');
      for (const [k, v] of Object.entries(value.json)) put(out, k, v);
      continue;
    }
    // omitempty drops Go-empty values, but never a non-nil pointer.
    if (tag.isOmitEmpty && !tag.isPointer && value.isEmpty) continue;
    put(out, tag.jsonName, value.json);
  }
  return out;
}

/** Any message: a well-known type, a named-slice wrapper (`Verbs`) or a struct. */
function messageToGoValue(
  ctx: ToJsonContext,
  type: Type,
  message: DecodedMessage | undefined,
  path: string,
): GoValue {
  const name = messageName(type);
  const wellKnown = wellKnownToJson(name, message, ctx, path);
  if (wellKnown !== undefined) return wellKnown;
  if (ctx.tags.isSliceMessage(name)) {
    const itemsField = type.fields['items'];
    if (itemsField === undefined) throw unexpected(path, `a slice message ${name} without items`);
    return fieldToGoValue(ctx, itemsField, ownField(message, 'items'), path);
  }
  return { json: structToJson(ctx, type, message, path), isEmpty: false };
}

/** The JSON object of a top-level message (its TypeMeta is added by the caller). */
export function messageToJson(
  ctx: ToJsonContext,
  type: Type,
  message: DecodedMessage,
  path = '',
): JsonObject {
  const { json } = messageToGoValue(ctx, type, message, path);
  if (!isJsonObject(json)) throw unexpected(path || '<root>', `a ${typeof json} for an object`);
  return json;
}
