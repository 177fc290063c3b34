/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`, sent by
 * kubectl 1.32+'s typed clients) into the JSON object the same request carries as JSON. A body is
 * the `k8s\0` magic and a runtime.Unknown envelope naming the message in `raw`. Whatever the
 * bytes, only ApiError is thrown: malformed input is a 400, a kind with no schema here a 415.
 */
import type { JsonObject } from '../../api/json.ts';
import { ApiError, badRequest, internalError } from '../../api/status.ts';
import { messageToJson } from './protobuf/message-to-json.ts';
import { defaultProtoSchemas } from './protobuf/proto-schemas.ts';
import type { ProtoSchemas } from './protobuf/proto-schemas.ts';
import type { Type } from 'protobufjs';
import { asBytes, asMessage, hasProtobufMagic, ownField } from './protobuf/well-known.ts';
import type { DecodedMessage, ToJsonContext } from './protobuf/well-known.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Objects nested in RawExtension bytes (`k8s\0` inside `k8s\0`) deeper than this are a 400. */
const MAX_NESTED_OBJECTS = 8;

const UNKNOWN_TYPE = 'k8s.io.apimachinery.pkg.runtime.Unknown';

export interface DecodeProtobufOptions {
  /**
   * apiVersion and kind for an envelope that leaves them empty, as upstream defaults them from
   * the endpoint (copyKindDefaults). Default: none, so an empty kind or apiVersion is a 400.
   */
  readonly defaults?: { readonly apiVersion?: string; readonly kind?: string };
  /** The schemas to decode with. Default: the package's data/proto/, loaded on first use. */
  readonly schemas?: ProtoSchemas;
}

/** The 415 for a kind with no schema here, worded as upstream's for a type without protobuf. */
export function unsupportedProtobufKind(apiVersion: string, kind: string): ApiError {
  const slash = apiVersion.indexOf('/');
  return new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    { group: slash < 0 ? '' : apiVersion.slice(0, slash), kind },
  );
}

function decodeMessage(type: Type, bytes: Uint8Array): DecodedMessage {
  let message: unknown;
  try {
    message = type.decode(bytes);
  } catch (err: unknown) {
    // protobufjs throws RangeError/Error on truncated or malformed input (upstream: "unexpected EOF").
    const reason = err instanceof Error ? err.message : String(err);
    throw badRequest(`unable to decode the protobuf body: ${reason}`);
  }
  const decoded = asMessage(message);
  if (decoded === undefined) throw internalError('protobuf decoding produced a non-object');
  return decoded;
}

function goTypeMeta(apiVersion: string, kind: string): string {
  return `runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:${JSON.stringify(kind)}}`;
}

function decodeObject(
  schemas: ProtoSchemas,
  body: Uint8Array,
  options: DecodeProtobufOptions,
  nesting: number,
): JsonObject {
  // Upstream's protobuf serializer checks, in this order and with these messages.
  if (body.length === 0) throw badRequest('empty data');
  if (!hasProtobufMagic(body)) {
    throw badRequest(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  if (body.length === 4) throw badRequest('empty body');
  const unknownType = schemas.lookupType(UNKNOWN_TYPE);
  if (unknownType === undefined) throw internalError(`protobuf schema ${UNKNOWN_TYPE} is missing`);
  const unknown = decodeMessage(unknownType, body.subarray(4));
  const typeMeta = asMessage(ownField(unknown, 'typeMeta'));
  const sent = {
    apiVersion: ownField(typeMeta, 'apiVersion') ?? '',
    kind: ownField(typeMeta, 'kind') ?? '',
  };
  if (typeof sent.apiVersion !== 'string' || typeof sent.kind !== 'string') {
    throw internalError('protobuf decoding produced a non-string TypeMeta');
  }
  const kind = sent.kind || (options.defaults?.kind ?? '');
  const apiVersion = sent.apiVersion || (options.defaults?.apiVersion ?? '');
  if (kind === '') {
    throw badRequest(`Object 'Kind' is missing in '${goTypeMeta(sent.apiVersion, sent.kind)}'`);
  }
  if (apiVersion === '') {
    throw badRequest(
      `Object 'apiVersion' is missing in '${goTypeMeta(sent.apiVersion, sent.kind)}'`,
    );
  }
  const type = schemas.objectType(apiVersion, kind);
  if (type === undefined) throw unsupportedProtobufKind(apiVersion, kind);
  const raw = asBytes(ownField(unknown, 'raw')) ?? new Uint8Array(0);
  const message = decodeMessage(type, raw);
  const ctx: ToJsonContext = {
    tags: schemas.tags,
    decodeNested: (nested) => {
      if (nesting >= MAX_NESTED_OBJECTS) throw badRequest('protobuf objects are nested too deeply');
      return decodeObject(schemas, nested, {}, nesting + 1);
    },
  };
  // Go writes TypeMeta (inline, omitempty) first: kind, then apiVersion.
  return { kind, apiVersion, ...messageToJson(ctx, type, message) };
}

/**
 * The JSON object a Kubernetes protobuf body stands for: `kind` and `apiVersion` from the
 * envelope, then the message's fields as Go's encoding/json writes them.
 */
export function decodeProtobufObject(
  body: Uint8Array,
  options: DecodeProtobufOptions = {},
): JsonObject {
  try {
    return decodeObject(options.schemas ?? defaultProtoSchemas, body, options, 0);
  } catch (err: unknown) {
    if (err instanceof ApiError) throw err;
    // Bugs and stack exhaustion on pathological input still answer as a Status, not a crash.
    throw internalError('the protobuf body could not be decoded', err);
  }
}
