/**
 * Decodes a request body into a JSON object by its Content-Type: JSON (the default), YAML, and
 * Kubernetes protobuf (what kubectl 1.32+ sends for typed commands). Malformed input is a 400 with the parser's reason; an unknown
 * media type is a 415. Never returns a non-object.
 */
import { parse as parseYaml } from 'yaml';
import { isJsonObject } from '../../api/json.ts';
import type { JsonObject } from '../../api/json.ts';
import { badRequest, unsupportedMediaType } from '../../api/status.ts';
import { PROTOBUF_MEDIA_TYPE, decodeProtobufObject } from './protobuf-body.ts';

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * `defaults` fill an empty apiVersion/kind in a protobuf envelope from the endpoint, as upstream
 * does; JSON and YAML bodies get theirs from checkTypeAndNamespace.
 */
export function decodeObjectBody(
  body: Buffer,
  contentType: string | undefined,
  defaults?: { readonly apiVersion: string; readonly kind: string },
): JsonObject {
  const type = mediaType(contentType);
  let value: unknown;
  switch (type) {
    case '':
    case 'application/json':
      value = parseJson(body);
      break;
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      try {
        value = parseYaml(body.toString('utf8'), { maxAliasCount: 100 });
      } catch (err: unknown) {
        throw badRequest(`yaml: ${err instanceof Error ? err.message : String(err)}`);
      }
      break;
    case PROTOBUF_MEDIA_TYPE:
      return decodeProtobufObject(body, defaults === undefined ? {} : { defaults });
    default:
      throw unsupportedMediaType(type);
  }
  if (!isJsonObject(value)) throw badRequest('Object in body is not a JSON object');
  return value;
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('the request body is empty; an object was expected');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err: unknown) {
    throw badRequest(
      `json: cannot unmarshal the request body: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
