/**
 * Upstream's "lease" endpoint reconciler: every API server keeps a TTL'd key under
 * `/registry/masterleases/<ip>` alive, and makes the `default/kubernetes` Service, Endpoints and
 * EndpointSlice list exactly the addresses whose keys are alive. A server that dies drops out
 * when its key expires (TTL); one that stops gracefully removes its key at once. Every replica
 * runs this; writes are compare-and-swap, so they converge on one answer.
 */
import type { JsonObject } from '../../api/json.ts';
import { ApiError } from '../../api/status.ts';
import type { ResourceRegistry } from '../../api/resource-registry.ts';
import { StoreAlreadyExistsError, StoreNotFoundError } from '../../storage/errors.ts';
import type { Store } from '../../storage/store.ts';
import type { ResourceStore } from '../registry/resource-store.ts';

export interface EndpointReconcilerOptions {
  readonly store: Store;
  readonly resources: ResourceStore;
  readonly registry: ResourceRegistry;
  /** The address other components reach this API server at (an IP). */
  readonly advertiseIp: string;
  readonly securePort: number;
  /** The `kubernetes` Service's ClusterIP. Default: 10.96.0.1 (first IP of 10.96.0.0/12). */
  readonly serviceIp?: string;
  /** How often to renew and reconcile. Default: 10,000 ms (upstream's 10 s). */
  readonly intervalMs?: number;
  /** Lease TTL. Default: 15 s (upstream's --endpoint-reconciler lease TTL). */
  readonly ttlSeconds?: number;
  readonly onError?: (err: unknown) => void;
}

const LEASE_PREFIX = '/registry/masterleases/';

export class EndpointReconciler {
  readonly #o: EndpointReconcilerOptions;
  constructor(options: EndpointReconcilerOptions) {
    this.#o = options;
  }

  get #leaseKey(): string {
    return `${LEASE_PREFIX}${this.#o.advertiseIp}`;
  }

  /** Renews and reconciles until aborted, then removes this server's lease. */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.#o.intervalMs ?? 10_000;
    while (!signal.aborted) {
      try {
        await this.reconcileOnce();
      } catch (err: unknown) {
        this.#o.onError?.(err);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, interval);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
  }

  /** Removes this server from the endpoints (graceful shutdown). */
  async removeSelf(): Promise<void> {
    try {
      await this.#o.store.delete(this.#leaseKey);
    } catch (err: unknown) {
      if (!(err instanceof StoreNotFoundError)) throw err;
    }
    await this.#reconcileEndpoints();
  }

  async reconcileOnce(): Promise<void> {
    await this.#renewLease();
    await this.#ensureService();
    await this.#reconcileEndpoints();
  }

  async #renewLease(): Promise<void> {
    const { store } = this.#o;
    const value = Buffer.from(
      JSON.stringify({ ip: this.#o.advertiseIp, port: this.#o.securePort }),
    );
    const ttl = { ttlSeconds: this.#o.ttlSeconds ?? 15 };
    for (let i = 0; i < 3; i++) {
      const { kv } = await store.get(this.#leaseKey);
      try {
        if (kv === undefined) await store.create(this.#leaseKey, value, ttl);
        else await store.update(this.#leaseKey, value, kv.modRevision, ttl);
        return;
      } catch (err: unknown) {
        if (!(err instanceof StoreAlreadyExistsError)) throw err;
      }
    }
  }

  async #liveAddresses(): Promise<string[]> {
    const { items } = await this.#o.store.list(LEASE_PREFIX);
    return items.map((kv) => kv.key.slice(LEASE_PREFIX.length)).sort();
  }

  async #ensureService(): Promise<void> {
    const def = this.#o.registry.byPath('', 'v1', 'services');
    if (def === undefined) return;
    const service: JsonObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: this.#o.serviceIp ?? '10.96.0.1',
        clusterIPs: [this.#o.serviceIp ?? '10.96.0.1'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: this.#o.securePort }],
      },
    };
    try {
      await this.#o.resources.get(def, 'default', 'kubernetes');
    } catch (err: unknown) {
      if (err instanceof ApiError && err.reason === 'NotFound')
        await this.#createIfMissing(def, service);
      else throw err;
    }
  }

  async #reconcileEndpoints(): Promise<void> {
    const addresses = await this.#liveAddresses();
    const port = this.#o.securePort;
    const epDef = this.#o.registry.byPath('', 'v1', 'endpoints');
    if (epDef !== undefined) {
      const desired = {
        subsets:
          addresses.length === 0
            ? []
            : [
                {
                  addresses: addresses.map((ip) => ({ ip })),
                  ports: [{ name: 'https', port, protocol: 'TCP' }],
                },
              ],
      };
      await this.#upsert(
        epDef,
        'kubernetes',
        {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: {
            name: 'kubernetes',
            namespace: 'default',
            labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
          },
          ...desired,
        },
        (o) => ({ ...o, ...desired }),
      );
    }
    const sliceDef = this.#o.registry.byPath('discovery.k8s.io', 'v1', 'endpointslices');
    if (sliceDef !== undefined) {
      const desired = {
        addressType: 'IPv4',
        endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      };
      await this.#upsert(
        sliceDef,
        'kubernetes',
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: 'kubernetes',
            namespace: 'default',
            labels: {
              'kubernetes.io/service-name': 'kubernetes',
              'endpointslice.kubernetes.io/managed-by': 'endpoint-reconciler',
            },
          },
          ...desired,
        },
        (o) => ({ ...o, ...desired }),
      );
    }
  }

  async #createIfMissing(
    def: Parameters<ResourceStore['create']>[0],
    obj: JsonObject,
  ): Promise<void> {
    try {
      await this.#o.resources.create(def, obj);
    } catch (err: unknown) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }

  /** Creates the object, or rewrites it only when the desired fields differ. */
  async #upsert(
    def: Parameters<ResourceStore['create']>[0],
    name: string,
    initial: JsonObject,
    apply: (current: JsonObject) => JsonObject,
  ): Promise<void> {
    try {
      await this.#o.resources.guaranteedUpdate(
        def,
        'default',
        name,
        (current) => {
          const next = apply(current);
          return JSON.stringify(next) === JSON.stringify(current) ? current : next;
        },
        'main',
      );
    } catch (err: unknown) {
      if (err instanceof ApiError && err.reason === 'NotFound')
        await this.#createIfMissing(def, initial);
      else throw err;
    }
  }
}
