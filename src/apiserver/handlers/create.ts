/**
 * POST: creates an object in the URL's namespace (201 Created), after namespace lifecycle
 * admission (the namespace must exist and not be terminating, as upstream's NamespaceLifecycle).
 * Action subresources (binding, eviction, token) are served by their own handlers.
 */
import type { JsonObject } from '../../api/json.ts';
import { objectField, stringField } from '../../api/json.ts';
import { stampCsrRequestor } from '../admission/csr-requestor.ts';
import { admitServiceAccount, nodeRestrictionFor } from '../admission/request-admission.ts';
import { badRequest, methodNotAllowed } from '../../api/status.ts';
import { managedFieldsHook } from '../apply/index.ts';
import { checkFieldValidation } from '../field-validation/index.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import { checkTypeAndNamespace } from '../registry/object-meta.ts';
import { handleBinding } from './binding.ts';
import { handleEviction } from './eviction.ts';
import { handleReview } from './reviews.ts';
import { handleServiceAccountToken } from './service-account-token.ts';
import type { ResourceContext } from './context.ts';
import { endpointKind, isDryRun } from './context.ts';
import { admitNamespace } from './namespace-lifecycle.ts';

export async function handleCreate(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  if (def.ephemeral === true && info.subresource === undefined) {
    await handleReview(ctx);
    return;
  }
  if (info.subresource === 'eviction' && def.kind === 'Pod') {
    await handleEviction(ctx);
    return;
  }
  if (info.subresource === 'binding' && def.kind === 'Pod') {
    await handleBinding(ctx);
    return;
  }
  if (info.subresource === 'token' && def.kind === 'ServiceAccount') {
    await handleServiceAccountToken(ctx);
    return;
  }
  if (info.subresource !== undefined || info.name !== undefined) {
    throw methodNotAllowed('create', {
      group: def.group,
      resource: info.subresource === undefined ? def.plural : `${def.plural}/${info.subresource}`,
    });
  }
  if (def.namespaced && info.namespace === undefined) {
    throw badRequest(
      'the server could not find the requested resource: a namespace is required to create this kind',
    );
  }
  const body = await ex.readBody();
  const recordManagedFields = await managedFieldsHook(ctx, 'CreateOptions');
  const contentType = ex.header('content-type');
  const obj = decodeObjectBody(body, contentType, endpointKind(def));
  const { warnings } = await checkFieldValidation({
    target: def,
    body,
    contentType,
    object: obj,
    query: ex.url.searchParams,
    options: 'CreateOptions',
  });
  for (const w of warnings) ex.addWarning(w);
  checkTypeAndNamespace(def, obj, info.namespace);
  if (def.namespaced && info.namespace !== undefined)
    await admitNamespace(services, info.namespace);
  await admitMirrorPodOwner(ctx, obj);
  await admitServiceAccount(ctx, obj);
  stampCsrRequestor(def, obj, ctx.user);
  const created = await services.resources.create(
    def,
    obj,
    isDryRun(ex.url.searchParams),
    recordManagedFields,
  );
  ex.sendJson(201, created);
}

/** NodeRestriction: a node's mirror pod must be owned by its Node as it exists now (its UID). */
async function admitMirrorPodOwner(ctx: ResourceContext, obj: JsonObject): Promise<void> {
  if (ctx.def.group !== '' || ctx.def.kind !== 'Pod') return;
  const restriction = nodeRestrictionFor(ctx);
  if (restriction === undefined) return;
  const nodeDef = ctx.services.registry.byKind('v1', 'Node');
  let uid: string | undefined;
  try {
    if (nodeDef !== undefined) {
      const node = await ctx.services.resources.get(nodeDef, undefined, restriction.node);
      uid = stringField(objectField(node, 'metadata') ?? {}, 'uid');
    }
  } catch {
    uid = undefined;
  }
  restriction.checkMirrorPodOwner(obj, uid);
}
