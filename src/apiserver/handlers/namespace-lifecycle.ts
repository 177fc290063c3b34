/**
 * NamespaceLifecycle admission: no new objects in a namespace that does not exist (404) or is
 * being deleted (403 Forbidden), with upstream's messages. A namespace seen Active in the last
 * `ACTIVE_TTL_MS` is trusted without another read, as upstream trusts its informer cache: a
 * create may still land in a namespace whose deletion began within that window (upstream's
 * namespace controller deletes such stragglers, as it does after an informer lag).
 */
import { objectField } from '../../api/json.ts';
import { ApiError, notFound } from '../../api/status.ts';
import type { ApiServices } from './context.ts';

/** How long an Active namespace is trusted without another read. */
const ACTIVE_TTL_MS = 2_000;
const MAX_CACHED = 10_000;

export async function admitNamespace(services: ApiServices, namespace: string): Promise<void> {
  const def = services.registry.byPath('', 'v1', 'namespaces');
  if (def === undefined) return;
  const cache = services.activeNamespaces;
  const seen = cache?.get(namespace);
  const now = Date.now();
  if (seen !== undefined && now - seen < ACTIVE_TTL_MS) return;
  let ns;
  try {
    ns = await services.resources.get(def, undefined, namespace);
  } catch (err: unknown) {
    if (err instanceof ApiError && err.reason === 'NotFound')
      throw notFound({ group: '', resource: 'namespaces' }, namespace);
    throw err;
  }
  const phase = objectField(ns, 'status')?.['phase'];
  if (phase === 'Terminating' || objectField(ns, 'metadata')?.['deletionTimestamp'] !== undefined) {
    throw new ApiError(
      403,
      'Forbidden',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name: namespace,
        kind: 'namespaces',
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  }
  if (cache !== undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(namespace, now);
  }
}
