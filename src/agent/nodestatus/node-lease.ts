/**
 * The node's heartbeat: `kube-node-lease/<node>` renewed every `renewIntervalMs`, as kubelet's
 * nodelease controller. The Lease is created once the Node exists, owned by the Node (so the
 * garbage collector removes it with the Node), and re-owned when the Node is re-created.
 *
 * Defaults are upstream's: leaseDurationSeconds 40 and a renewal every 10 s (a quarter of the
 * duration). The node lifecycle controller marks a node NotReady when its lease was not renewed
 * for its node-monitor-grace-period (50 s upstream since v1.32), so 4–5 renewals must fail in a
 * row: an API server failover (one or two failed requests, retried here after 200 ms doubling)
 * never flaps a node. Renewing faster would only add writes; it cannot detect a dead node sooner
 * unless the controller's grace period is shortened too, and the two settings must change
 * together (grace period > several renew intervals).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import {
  isAborted,
  isAlreadyExists,
  isConflict,
  isNotFound,
  realClock,
  sleep,
} from '../../client/index.ts';
import type { Clock, RestClient } from '../../client/index.ts';
import type { JsonLineLogFn } from '../../util/json-line-log.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLeaseOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  /** The Node's uid once registered (the Lease waits for it). */
  readonly nodeUid: () => string | undefined;
  /** Default: 40 (kubelet's nodeLeaseDurationSeconds). */
  readonly leaseDurationSeconds?: number | undefined;
  /** Default: a quarter of the duration (10,000 ms), as kubelet's renewInterval. */
  readonly renewIntervalMs?: number | undefined;
  readonly log: JsonLineLogFn;
  readonly clock?: Clock | undefined;
}

const LEASES = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespace: NODE_LEASE_NAMESPACE,
} as const;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z');

export class NodeLease {
  readonly #o: NodeLeaseOptions;
  readonly #clock: Clock;
  readonly #durationSeconds: number;
  readonly #renewMs: number;
  #latest: Lease | undefined;
  /** Time of the last successful renewal (0: never). */
  lastRenewedAt = 0;

  constructor(options: NodeLeaseOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#durationSeconds = options.leaseDurationSeconds ?? 40;
    this.#renewMs = options.renewIntervalMs ?? (this.#durationSeconds * 1000) / 4;
  }

  async run(signal: AbortSignal): Promise<void> {
    let retryMs = 200;
    while (!signal.aborted) {
      const uid = this.#o.nodeUid();
      if (uid === undefined) {
        await sleep(this.#clock, 100, signal);
        continue;
      }
      try {
        await this.#renew(uid, signal);
        this.lastRenewedAt = this.#clock.now();
        retryMs = 200;
        await sleep(this.#clock, this.#renewMs, signal);
      } catch (err: unknown) {
        if (isAborted(signal)) return;
        this.#o.log('warn', 'failed to renew the node lease, will retry', {
          node: this.#o.nodeName,
          retryMs,
          err: err instanceof Error ? err.message : String(err),
        });
        await sleep(this.#clock, retryMs, signal);
        retryMs = Math.min(retryMs * 2, this.#renewMs);
      }
    }
  }

  /**
   * One request per renewal in the steady state: an update of the Lease as last written. A
   * conflict (someone else wrote it) reads it again; a missing Lease is created.
   */
  async #renew(nodeUid: string, signal: AbortSignal): Promise<void> {
    const ref = { ...LEASES, name: this.#o.nodeName };
    for (let attempt = 0; attempt < 3; attempt++) {
      let lease = this.#latest;
      if (lease === undefined) {
        try {
          lease = await this.#o.client.get<Lease>(ref, { signal });
        } catch (err: unknown) {
          if (!isNotFound(err)) throw err;
          try {
            this.#latest = await this.#o.client.create<Lease>(
              LEASES,
              this.#desired(undefined, nodeUid),
              {
                signal,
              },
            );
            return;
          } catch (createErr: unknown) {
            if (isAlreadyExists(createErr)) continue;
            throw createErr;
          }
        }
      }
      try {
        this.#latest = await this.#o.client.update<Lease>(ref, this.#desired(lease, nodeUid), {
          signal,
        });
        return;
      } catch (err: unknown) {
        this.#latest = undefined;
        if (isConflict(err) || isNotFound(err)) continue;
        throw err;
      }
    }
    throw new Error('the node lease kept changing under this agent');
  }

  #desired(lease: Lease | undefined, nodeUid: string): Lease {
    const owned = lease?.metadata?.ownerReferences?.some((o) => o.uid === nodeUid) === true;
    const owner = [{ apiVersion: 'v1', kind: 'Node', name: this.#o.nodeName, uid: nodeUid }];
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...lease,
      metadata: {
        ...lease?.metadata,
        name: this.#o.nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ...(owned ? {} : { ownerReferences: owner }),
      },
      spec: {
        ...lease?.spec,
        holderIdentity: this.#o.nodeName,
        leaseDurationSeconds: this.#durationSeconds,
        renewTime: microTime(this.#clock.now()),
      },
    };
  }
}
