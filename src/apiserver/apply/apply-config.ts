/**
 * The body of an `application/apply-patch+yaml` request: YAML or JSON holding one object
 * (400 `error decoding patch: ...` otherwise), of the endpoint's exact apiVersion and kind (400
 * `invalid object type: apps/v1, Kind=Deployment`), without managedFields (400), and valid for
 * the kind's schema: no undeclared fields, list keys present and unique (upstream answers such
 * configurations with a 500 `failed to create typed patch object (ns/name; gvk): ...`).
 */
import { parse as parseYaml } from 'yaml';
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { ApiError, badRequest } from '../../api/status.ts';
import type { Atom } from './schema.ts';
import { typedErrorsText, validateTyped } from './validate-typed.ts';

export const APPLY_PATCH_MEDIA_TYPE = 'application/apply-patch+yaml';

function goTypeName(v: JsonValue): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

export function decodeApplyBody(body: Buffer): JsonObject {
  let value: unknown;
  try {
    value = parseYaml(body.toString('utf8'), { maxAliasCount: 100 });
  } catch (err: unknown) {
    throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (value === null || value === undefined) return {};
  if (!isJsonObject(value)) {
    throw badRequest(
      `error decoding patch: json: cannot unmarshal ${goTypeName(value as JsonValue)} into Go value of type map[string]interface {}`,
    );
  }
  return value;
}

/** schema.FromAPIVersionAndKind(...).String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
export function gvkString(obj: JsonObject): string {
  const apiVersion = stringField(obj, 'apiVersion') ?? '';
  const kind = stringField(obj, 'kind') ?? '';
  const parts = apiVersion.split('/');
  let group = '';
  let version = '';
  if (parts.length === 1) version = parts[0] ?? '';
  else if (parts.length === 2) [group = '', version = ''] = parts;
  return `${group}/${version}, Kind=${kind}`;
}

export function checkAppliedConfig(def: ResourceDefinition, config: JsonObject, root: Atom): void {
  const want = `${def.group}/${def.version}, Kind=${def.kind}`;
  const got = gvkString(config);
  if (got !== want) throw badRequest(`invalid object type: ${got}`);
  const meta = objectField(config, 'metadata');
  const managedFields = meta?.['managedFields'];
  if (managedFields !== undefined && managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const errors = validateTyped(config, root);
  if (errors.length > 0) {
    const ns = stringField(meta, 'namespace') ?? '';
    const name = stringField(meta, 'name') ?? '';
    throw new ApiError(
      500,
      'InternalError',
      `failed to create typed patch object (${ns}/${name}; ${got}): ${typedErrorsText(errors)}`,
    );
  }
}
