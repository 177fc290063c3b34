/**
 * The per-request admission a handler applies besides validation: today NodeRestriction, when
 * the API server runs with it (`--enable-admission-plugins=NodeRestriction`) and the request
 * comes from a node. `nodeRestrictionFor` answers undefined otherwise, so handlers pay nothing.
 */
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
