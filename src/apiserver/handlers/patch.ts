/**
 * PATCH of an object, its status or its scale: JSON patch, merge patch and strategic merge
 * patch (with the kind's merge keys and strategies from the upstream OpenAPI documents), applied
 * to the current object inside a guaranteed update, so a concurrent write re-applies the patch
 * to the newer object instead of losing either. Patch failures answer upstream's status codes.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  isPatchError,
  loadPatchMetaForKind,
  parsePatchBody,
} from '../../api/patch/index.ts';
import type { PatchError, PatchMetaSource } from '../../api/patch/index.ts';
import { groupVersion } from '../../api/resource.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  staleResourceVersion,
  unsupportedMediaType,
} from '../../api/status.ts';
import { APPLY_PATCH_MEDIA_TYPE, handleApply, managedFieldsHook } from '../apply/index.ts';
import { mediaType } from '../http/decode-body.ts';
import type { ResourceContext } from './context.ts';
import { isDryRun } from './context.ts';
import { applyScale, toScale } from './scale.ts';

export type PatchType = 'json' | 'merge' | 'strategic';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

/** A patch engine failure as the Status kube-apiserver answers. */
export function patchErrorToApi(err: PatchError): ApiError {
  switch (err.reason) {
    case 'BadRequest':
      return badRequest(err.statusMessage);
    case 'Invalid':
      return new ApiError(422, 'Invalid', err.statusMessage);
    case 'RequestEntityTooLarge':
      return new ApiError(413, 'RequestEntityTooLarge', err.statusMessage);
    case 'Unknown':
      return new ApiError(500, 'InternalError', err.statusMessage);
  }
}

/** Applies one decoded patch to `current`; the result must still be an object. */
export function applyPatch(
  type: PatchType,
  current: JsonObject,
  patch: JsonValue,
  meta: PatchMetaSource | undefined,
): JsonObject {
  let result: JsonValue;
  try {
    switch (type) {
      case 'json':
        result = applyJsonPatch(current, patch);
        break;
      case 'merge':
        result = applyMergePatch(current, patch);
        break;
      case 'strategic':
        if (meta === undefined)
          throw unsupportedMediaType('application/strategic-merge-patch+json');
        result = applyStrategicMergePatch(current, patch, meta);
        break;
    }
  } catch (err: unknown) {
    if (isPatchError(err)) throw patchErrorToApi(err);
    throw err;
  }
  if (!isJsonObject(result))
    throw new ApiError(422, 'Invalid', 'the patched object is not a JSON object');
  return result;
}

async function patchMetaFor(
  def: ResourceDefinition,
  type: PatchType,
  scale: boolean,
): Promise<PatchMetaSource | undefined> {
  if (type !== 'strategic') return undefined;
  const gvk = scale
    ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
    : { group: def.group, version: def.version, kind: def.kind };
  return loadPatchMetaForKind(gvk);
}

export async function handlePatch(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const name = info.name ?? '';
  if (mediaType(ex.header('content-type')) === APPLY_PATCH_MEDIA_TYPE) {
    await handleApply(ctx);
    return;
  }
  const type = PATCH_TYPES[mediaType(ex.header('content-type'))];
  if (type === undefined) throw unsupportedMediaType(mediaType(ex.header('content-type')));
  const sub = info.subresource;
  if (sub !== undefined && sub !== 'status' && sub !== 'scale' && sub !== 'approval') {
    throw methodNotAllowed('patch', { group: def.group, resource: `${def.plural}/${sub}` });
  }
  let patch: JsonValue;
  try {
    patch = parsePatchBody(await ex.readBody());
  } catch (err: unknown) {
    if (isPatchError(err)) throw patchErrorToApi(err);
    throw err;
  }
  const meta = await patchMetaFor(def, type, sub === 'scale');
  const recordManagedFields = await managedFieldsHook(ctx, 'PatchOptions');
  const dryRun = isDryRun(ex.url.searchParams);
  const gr = { group: def.group, resource: def.plural };
  const updated = await services.resources.guaranteedUpdate(
    def,
    info.namespace,
    name,
    (current) => {
      if (sub === 'scale') {
        const scale = applyPatch(type, toScale(def, current), patch, meta);
        return applyScale(current, scale);
      }
      const patched = applyPatch(type, current, patch, meta);
      // A resourceVersion in the patch is a precondition (upstream: 409 when it is stale).
      const wanted = stringField(objectField(patched, 'metadata'), 'resourceVersion');
      const have = stringField(objectField(current, 'metadata'), 'resourceVersion');
      if (wanted !== undefined && wanted !== '' && wanted !== have)
        throw staleResourceVersion(gr, name);
      if (patched['apiVersion'] !== groupVersion(def) || patched['kind'] !== def.kind) {
        throw badRequest('the patch may not change the apiVersion or kind of the object');
      }
      return patched;
    },
    sub === 'status' || sub === 'approval' ? 'status' : 'main',
    dryRun,
    recordManagedFields,
  );
  ex.sendJson(200, sub === 'scale' ? toScale(def, updated) : updated);
}
