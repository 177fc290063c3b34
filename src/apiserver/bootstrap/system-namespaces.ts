/**
 * The namespaces every cluster has (upstream's system namespaces controller): default,
 * kube-system, kube-public, kube-node-lease. Creating them is idempotent, so every API server
 * replica runs it at start.
 */
import type { ResourceRegistry } from '../../api/resource-registry.ts';
import { ApiError } from '../../api/status.ts';
import type { ResourceStore } from '../registry/resource-store.ts';

export const SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
] as const;

export async function ensureSystemNamespaces(
  resources: ResourceStore,
  registry: ResourceRegistry,
): Promise<void> {
  const def = registry.byPath('', 'v1', 'namespaces');
  if (def === undefined) return;
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await resources.create(def, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err: unknown) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}
