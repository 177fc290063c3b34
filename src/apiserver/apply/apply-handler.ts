/**
 * PATCH with `application/apply-patch+yaml`: server-side apply of the object or its status.
 * The configuration is merged into the current object inside a guaranteed update (a concurrent
 * write re-runs the merge on the newer object); conflicts answer 409 unless `force=true`. On
 * the main resource a missing object is created from the configuration (201), after the
 * namespace lifecycle check. `dryRun=All` stores nothing. Applying to `/scale` is not served
 * (415, as before server-side apply existed here).
 */
import { stampCsrRequestor } from '../admission/csr-requestor.ts';
import { admitServiceAccount, withNodeRestriction } from '../admission/request-admission.ts';
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { objectField, stringField } from '../../api/json.ts';
import {
  ApiError,
  badRequest,
  conflict,
  methodNotAllowed,
  staleResourceVersion,
  unsupportedMediaType,
} from '../../api/status.ts';
import type { ResourceContext } from '../handlers/context.ts';
import { isDryRun } from '../handlers/context.ts';
import { admitNamespace } from '../handlers/namespace-lifecycle.ts';
import { checkTypeAndNamespace } from '../registry/object-meta.ts';
import { APPLY_PATCH_MEDIA_TYPE, checkAppliedConfig, decodeApplyBody } from './apply-config.ts';
import { ApplyConflictError } from './conflicts.ts';
import { endpointFieldManager } from './endpoint-field-manager.ts';
import type { FieldManager } from './field-manager.ts';
import { ManagedFieldsDecodeError } from './managed-fields.ts';
import { TypedValueError } from './typed-helpers.ts';
import { checkWriteOptions } from './write-options.ts';

/** Attempts of the create path when a concurrent create wins the race. */
const MAX_CREATE_ATTEMPTS = 3;

export async function handleApply(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const sub = info.subresource;
  if (sub !== undefined && sub !== 'status' && sub !== 'scale' && sub !== 'approval') {
    throw methodNotAllowed('patch', { group: def.group, resource: `${def.plural}/${sub}` });
  }
  if (sub !== undefined && sub !== 'status') throw unsupportedMediaType(APPLY_PATCH_MEDIA_TYPE);
  const query = ex.url.searchParams;
  const { manager, force } = checkWriteOptions(
    query,
    'PatchOptions',
    ex.header('user-agent') ?? '',
    true,
  );
  const config = decodeApplyBody(await ex.readBody());
  const fieldManager = await endpointFieldManager(def, sub ?? '', services);
  const name = info.name ?? '';
  const dryRun = isDryRun(query);
  const gr = { group: def.group, resource: def.plural };

  const applyTo = (current: JsonObject | undefined): JsonObject => {
    checkAppliedConfig(def, config, fieldManager.root);
    const merged = runApply(fieldManager, current, config, manager, force);
    const meta = objectField(merged, 'metadata') ?? {};
    const given = stringField(meta, 'name') ?? '';
    if (given !== name) {
      throw badRequest(
        `the name of the object (${given}) does not match the name on the URL (${name})`,
      );
    }
    checkTypeAndNamespace(def, merged, info.namespace);
    if (current === undefined) {
      const uid = stringField(meta, 'uid') ?? '';
      if (uid !== '') {
        throw conflict(
          gr,
          name,
          `uid mismatch: the provided object specified uid ${uid}, and no existing object was found`,
        );
      }
      return merged;
    }
    // A resourceVersion in the configuration is a precondition, as in any patch.
    const wanted = stringField(objectField(config, 'metadata'), 'resourceVersion');
    const have = stringField(objectField(current, 'metadata'), 'resourceVersion');
    if (wanted !== undefined && wanted !== '' && wanted !== have)
      throw staleResourceVersion(gr, name);
    return merged;
  };

  // The status endpoint keeps the stored metadata; the entries the apply computed are put
  // back on the object to store.
  let applied: JsonValue | undefined;
  const keepAppliedEntries = (next: JsonObject): void => {
    const meta = objectField(next, 'metadata');
    if (meta === undefined) return;
    if (applied === undefined) Reflect.deleteProperty(meta, 'managedFields');
    else meta['managedFields'] = applied;
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const updated = await services.resources.guaranteedUpdate(
        def,
        info.namespace,
        name,
        (current) => {
          const merged = applyTo(current);
          applied = objectField(merged, 'metadata')?.['managedFields'];
          return merged;
        },
        sub === undefined ? 'main' : 'status',
        dryRun,
        withNodeRestriction(ctx, keepAppliedEntries),
      );
      ex.sendJson(200, updated);
      return;
    } catch (err: unknown) {
      // Only the main resource is created by an apply; subresources never create.
      if (!(err instanceof ApiError) || err.reason !== 'NotFound' || sub !== undefined) throw err;
    }
    const obj = applyTo(undefined);
    stampCsrRequestor(def, obj, ctx.user);
    if (def.namespaced && info.namespace !== undefined)
      await admitNamespace(services, info.namespace);
    await admitServiceAccount(ctx, obj);
    try {
      const created = await services.resources.create(def, obj, dryRun, withNodeRestriction(ctx));
      ex.sendJson(201, created);
      return;
    } catch (err: unknown) {
      if (!(err instanceof ApiError) || err.reason !== 'AlreadyExists') throw err;
      if (attempt >= MAX_CREATE_ATTEMPTS) throw err;
    }
  }
}

function runApply(
  fieldManager: FieldManager,
  current: JsonObject | undefined,
  config: JsonObject,
  manager: string,
  force: boolean,
): JsonObject {
  try {
    return fieldManager.apply(current, config, manager, force).object;
  } catch (err: unknown) {
    if (err instanceof ApplyConflictError) throw err.toApiError();
    if (err instanceof ManagedFieldsDecodeError) {
      throw new ApiError(500, 'InternalError', `failed to decode managed fields: ${err.message}`);
    }
    if (err instanceof TypedValueError) {
      throw new ApiError(500, 'InternalError', `failed to merge config: ${err.message}`);
    }
    throw err;
  }
}
