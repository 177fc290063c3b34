/**
 * DELETE of one object: DeleteOptions from the body or the query (gracePeriodSeconds,
 * propagationPolicy, preconditions, dryRun). Answers the deleted object or a Success Status,
 * or the object with its deletionTimestamp when finalizers or a grace period keep it.
 */
import { nodeRestrictionFor } from '../admission/request-admission.ts';
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { badRequest } from '../../api/status.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import type { DeleteOptions } from '../registry/resource-store.ts';
import { parseBool } from '../request-info.ts';
import type { ResourceContext } from './context.ts';
import { isDryRun } from './context.ts';

export async function readDeleteOptions(ctx: ResourceContext): Promise<DeleteOptions> {
  const { ex } = ctx;
  const q = ex.url.searchParams;
  const raw = await ex.readBody();
  const body: JsonObject =
    raw.length === 0
      ? {}
      : decodeObjectBody(raw, ex.header('content-type'), {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
        });
  const grace =
    body['gracePeriodSeconds'] ??
    (q.get('gracePeriodSeconds') === null ? undefined : Number(q.get('gracePeriodSeconds')));
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace))) {
    throw badRequest('gracePeriodSeconds must be an integer');
  }
  let policy = body['propagationPolicy'] ?? q.get('propagationPolicy') ?? undefined;
  const orphan =
    body['orphanDependents'] ??
    (q.get('orphanDependents') === null ? undefined : parseBool(q.get('orphanDependents')));
  if (policy === undefined && orphan !== undefined)
    policy = orphan === true ? 'Orphan' : 'Background';
  if (
    policy !== undefined &&
    policy !== 'Orphan' &&
    policy !== 'Background' &&
    policy !== 'Foreground'
  ) {
    throw badRequest(
      `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  const pre = body['preconditions'];
  const preconditions = isJsonObject(pre)
    ? {
        ...(typeof pre['uid'] === 'string' ? { uid: pre['uid'] } : {}),
        ...(typeof pre['resourceVersion'] === 'string'
          ? { resourceVersion: pre['resourceVersion'] }
          : {}),
      }
    : undefined;
  const dryRunBody = Array.isArray(body['dryRun']) && body['dryRun'].includes('All');
  return {
    ...(grace === undefined ? {} : { gracePeriodSeconds: grace }),
    ...(policy === undefined ? {} : { propagationPolicy: policy }),
    ...(preconditions === undefined ? {} : { preconditions }),
    dryRun: dryRunBody || isDryRun(q),
  };
}

export async function handleDelete(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const options = await readDeleteOptions(ctx);
  if (def.kind === 'Namespace') services.activeNamespaces?.delete(info.name ?? '');
  const restriction = nodeRestrictionFor(ctx);
  const outcome = await services.resources.delete(
    def,
    info.namespace,
    info.name ?? '',
    options,
    restriction === undefined
      ? undefined
      : (current) => {
          restriction.checkDelete(current);
        },
  );
  ex.sendJson(
    outcome.deleted || options.propagationPolicy !== 'Foreground' ? 200 : 202,
    outcome.body,
  );
}
