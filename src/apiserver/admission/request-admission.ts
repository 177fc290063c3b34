/**
 * The per-request admission a handler applies besides validation: NodeRestriction, when the API
 * server runs with it (`--enable-admission-plugins=NodeRestriction`) and the request comes from
 * a node (`nodeRestrictionFor` answers undefined otherwise, so handlers pay nothing); and the
 * ServiceAccount plugin on pod creates (`admitServiceAccount`), on unless disabled.
 */
import type { JsonObject } from '../../api/json.ts';
import type { ResourceContext } from '../handlers/context.ts';
import type { BeforeWrite } from '../registry/resource-store.ts';
import { NodeRestriction } from './node-restriction.ts';

export function nodeRestrictionFor(ctx: ResourceContext): NodeRestriction | undefined {
  if (ctx.services.admissionPlugins?.has('NodeRestriction') !== true) return undefined;
  return NodeRestriction.for(ctx.user, ctx.def, ctx.info);
}

/** `hook` preceded by the request's NodeRestriction write check, if any. */
export function withNodeRestriction(
  ctx: ResourceContext,
  hook?: BeforeWrite,
): BeforeWrite | undefined {
  const restriction = nodeRestrictionFor(ctx);
  if (restriction === undefined) return hook;
  return (next, current) => {
    restriction.checkWrite(next, current);
    hook?.(next, current);
  };
}

/** The ServiceAccount plugin for a create of the main pods resource; a no-op otherwise. */
export async function admitServiceAccount(ctx: ResourceContext, obj: JsonObject): Promise<void> {
  const plugin = ctx.services.serviceAccountAdmission;
  const { def, info } = ctx;
  if (plugin === undefined || def.group !== '' || def.kind !== 'Pod') return;
  if (info.subresource !== undefined || info.namespace === undefined) return;
  await plugin.admitCreate(info.namespace, obj);
}
