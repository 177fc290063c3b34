/**
 * POST pods/<name>/eviction (policy/v1 Eviction), as upstream's eviction REST: a pod covered by
 * a PodDisruptionBudget is deleted only while the budget allows a disruption (which it then
 * spends, recording the pod in status.disruptedPods); otherwise 429 TooManyRequests with the
 * budget named. Pods that are not running (pending, finished, already terminating) ignore budgets.
 */
import { nodeRestrictionFor } from '../admission/request-admission.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import type { JsonObject } from '../../api/json.ts';
import { LabelSelector } from '../../api/selectors/label-selector.ts';
import { ApiError, badRequest, internalError, successStatus } from '../../api/status.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import { timestamp } from '../registry/object-meta.ts';
import { listResource } from '../registry/resource-list.ts';
import type { ResourceContext } from './context.ts';

function labelsOf(obj: JsonObject): Record<string, string> {
  const raw = objectField(obj, 'metadata')?.['labels'];
  const out: Record<string, string> = {};
  if (isJsonObject(raw))
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}

function ignoresBudgets(pod: JsonObject): boolean {
  const phase = stringField(objectField(pod, 'status'), 'phase');
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    phase === 'Pending' ||
    phase === undefined ||
    objectField(pod, 'metadata')?.['deletionTimestamp'] !== undefined
  );
}

export async function handleEviction(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const name = info.name ?? '';
  const namespace = info.namespace;
  const raw = await ex.readBody();
  const body =
    raw.length === 0
      ? {}
      : decodeObjectBody(raw, ex.header('content-type'), {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
        });
  const evictName = stringField(objectField(body, 'metadata'), 'name');
  if (evictName !== undefined && evictName !== '' && evictName !== name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const deleteOptions = objectField(body, 'deleteOptions') ?? {};
  const pod = await services.resources.get(def, namespace, name);
  nodeRestrictionFor(ctx)?.checkEviction(pod);
  const pdbDef = services.registry.byPath('policy', 'v1', 'poddisruptionbudgets');
  if (!ignoresBudgets(pod) && pdbDef !== undefined && namespace !== undefined) {
    const labels = labelsOf(pod);
    const pdbs = (await listResource(services.store, pdbDef, { namespace })).items.filter((pdb) => {
      const selector = objectField(objectField(pdb, 'spec') ?? {}, 'selector');
      if (selector === undefined) return false;
      try {
        const sel = LabelSelector.fromObject(selector);
        return !sel.isEmpty() && sel.matches(labels);
      } catch {
        return false;
      }
    });
    if (pdbs.length > 1) {
      throw internalError(
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    }
    const pdb = pdbs[0];
    if (pdb !== undefined) {
      const pdbName = stringField(objectField(pdb, 'metadata'), 'name') ?? '';
      await services.resources.guaranteedUpdate(
        pdbDef,
        namespace,
        pdbName,
        (current) => {
          const status = objectField(current, 'status') ?? {};
          const allowed =
            typeof status['disruptionsAllowed'] === 'number' ? status['disruptionsAllowed'] : 0;
          const observed =
            typeof status['observedGeneration'] === 'number' ? status['observedGeneration'] : 0;
          const generation = objectField(current, 'metadata')?.['generation'];
          if (typeof generation === 'number' && observed < generation) {
            throw tooManyDisruptions(
              `The disruption budget ${pdbName} is still being processed by the server.`,
            );
          }
          if (allowed <= 0) {
            const healthy =
              typeof status['currentHealthy'] === 'number' ? status['currentHealthy'] : 0;
            const desired =
              typeof status['desiredHealthy'] === 'number' ? status['desiredHealthy'] : 0;
            throw tooManyDisruptions(
              `The disruption budget ${pdbName} needs ${String(desired)} healthy pods and has ${String(healthy)} currently`,
            );
          }
          const disrupted = objectField(status, 'disruptedPods') ?? {};
          return {
            ...current,
            status: {
              ...status,
              disruptionsAllowed: allowed - 1,
              disruptedPods: { ...disrupted, [name]: timestamp(services.now()) },
            },
          };
        },
        'status',
      );
    }
  }
  const grace = deleteOptions['gracePeriodSeconds'];
  await services.resources.delete(
    def,
    namespace,
    name,
    typeof grace === 'number' ? { gracePeriodSeconds: grace } : {},
  );
  ex.sendJson(201, { ...successStatus(), code: 201 });
}

function tooManyDisruptions(cause: string): ApiError {
  return new ApiError(
    429,
    'TooManyRequests',
    "Cannot evict pod as it would violate the pod's disruption budget.",
    {
      causes: [{ reason: 'DisruptionBudget', message: cause }],
    },
  );
}
