/**
 * The ServiceAccount admission plugin, wired: upstream's lister is a StoreInformer over the
 * stored ServiceAccounts (a map by namespace/name), and its live GET a read of the store. `run`
 * lists and watches until its signal aborts; `ready` resolves after the first list (before it,
 * every lookup falls back to the live read, so nothing is refused for want of a cache).
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import type { ResourceRegistry } from '../../api/resource-registry.ts';
import { ApiError } from '../../api/status.ts';
import { listPrefix } from '../../storage/keys.ts';
import type { Store } from '../../storage/store.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { StoreInformer } from '../store-informer.ts';
import { ServiceAccountAdmission } from './service-account-admission.ts';

export interface ServiceAccountAdmissionWiring {
  readonly admission: ServiceAccountAdmission;
  run(signal: AbortSignal): Promise<void>;
  readonly ready: Promise<void>;
}

function keyOf(sa: JsonObject): string | undefined {
  const meta = sa['metadata'];
  if (!isJsonObject(meta)) return undefined;
  const ns = meta['namespace'];
  const name = meta['name'];
  return typeof ns === 'string' && typeof name === 'string' ? `${ns}/${name}` : undefined;
}

export function serviceAccountAdmission(
  store: Store,
  resources: ResourceStore,
  registry: ResourceRegistry,
  onError?: (err: unknown) => void,
): ServiceAccountAdmissionWiring {
  const accounts = new Map<string, JsonObject>();
  const informer = new StoreInformer({
    store,
    prefix: listPrefix('serviceaccounts'),
    handlers: {
      replace: (all) => {
        accounts.clear();
        for (const sa of all) {
          const key = keyOf(sa);
          if (key !== undefined) accounts.set(key, sa);
        }
      },
      put: (sa) => {
        const key = keyOf(sa);
        if (key !== undefined) accounts.set(key, sa);
      },
      delete: (sa) => {
        const key = keyOf(sa);
        if (key !== undefined) accounts.delete(key);
      },
    },
    ...(onError === undefined ? {} : { onError }),
  });
  const def = registry.byKind('v1', 'ServiceAccount');
  if (def === undefined) throw new Error('the registry has no v1 ServiceAccount');
  const admission = new ServiceAccountAdmission({
    cached: (namespace, name) => accounts.get(`${namespace}/${name}`),
    live: async (namespace, name) => {
      try {
        return await resources.get(def, namespace, name);
      } catch (err: unknown) {
        if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
        throw err;
      }
    },
  });
  return { admission, run: (signal) => informer.run(signal), ready: informer.ready };
}
