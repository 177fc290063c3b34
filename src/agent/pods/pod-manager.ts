/**
 * Runs the pods bound to this node (kubelet's pod config + pod workers + PLEG): an informer on
 * pods with `spec.nodeName=<node>` whose adds, deletes and semantic updates (not status-only
 * ones: `podUpdateNeedsSync`) queue a sync, a work queue keyed by pod uid (one sync of a pod at
 * a time, many pods at once), a relist of the runtime every `relistPeriodMs` that queues every
 * pod whose containers changed (exits, crashes, anything done behind the agent's back), a
 * resync of every pod every `resyncPeriodMs`, and housekeeping that removes what belongs to no pod (sandboxes,
 * containers, volumes, cgroups of pods deleted while the agent was down). Nothing is removed
 * before the informer has synced, so an agent restart adopts the running pods.
 */
import { readdirSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import {
  RateLimitingQueue,
  SharedInformer,
  isAborted,
  runControllerLoop,
  sleep,
  tombstoneObject,
  ItemExponentialFailureRateLimiter,
  realClock,
} from '../../client/index.ts';
import type { Clock, RestClient } from '../../client/index.ts';
import type { JsonLineLogFn } from '../../util/json-line-log.ts';
import type { PodCgroups } from './pod-cgroups.ts';
import type { PodSyncer } from './pod-syncer.ts';
import { podUpdateNeedsSync } from './pod-update-needs-sync.ts';
import type { RuntimeState } from './runtime-state.ts';

export interface PodManagerOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  readonly syncer: PodSyncer;
  readonly state: RuntimeState;
  readonly cgroups: PodCgroups;
  /** `/var/lib/kubelet/pods`. */
  readonly podsDir: string;
  /**
   * Concurrent pod syncs. Default: 64 (kubelet runs one goroutine per pod; a bound keeps a burst
   * of pod creations from opening unbounded CRI calls, and 64 covers a node's usual burst).
   */
  readonly workers?: number | undefined;
  /** Default: 1,000 ms (kubelet's PLEG relist period). */
  readonly relistPeriodMs?: number | undefined;
  /** Default: 60,000 ms (kubelet's syncFrequency). */
  readonly resyncPeriodMs?: number | undefined;
  /** Called with each pod's referenced ConfigMaps/Secrets when it syncs (for watches). */
  readonly onPodSeen?: ((pod: Pod) => void) | undefined;
  readonly onPodGone?: ((uid: string) => void) | undefined;
  readonly log: JsonLineLogFn;
  readonly clock?: Clock | undefined;
}

const UID_INDEX = 'uid';

export class PodManager {
  readonly #o: PodManagerOptions;
  readonly #clock: Clock;
  readonly #informer: SharedInformer<Pod>;
  readonly #queue: RateLimitingQueue<string>;
  /** The last version of every pod seen, kept after its deletion until it is cleaned up. */
  readonly #lastKnown = new Map<string, Pod>();

  constructor(options: PodManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#informer = SharedInformer.forResource<Pod>(
      options.client,
      { group: '', version: 'v1', plural: 'pods' },
      {
        fieldSelector: `spec.nodeName=${options.nodeName}`,
        indexers: { [UID_INDEX]: (p) => [p.metadata?.uid ?? ''] },
      },
    );
    this.#queue = new RateLimitingQueue<string>({
      clock: this.#clock,
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(500, 30_000),
    });
    this.#informer.addEventHandler({
      onAdd: (pod) => {
        this.#enqueue(pod);
      },
      onUpdate: (old, pod) => {
        // A status-only change (most often this agent's own pods/status write coming back)
        // does not sync the pod again, as upstream's pod config; see podUpdateNeedsSync.
        if (podUpdateNeedsSync(old, pod)) this.#enqueue(pod);
        else this.#remember(pod);
      },
      onDelete: (obj) => {
        const pod = tombstoneObject(obj);
        this.#enqueue(pod);
      },
    });
  }

  /** Queues a pod sync now (probe results, ConfigMap changes, ...). */
  enqueue(uid: string): void {
    this.#queue.add(uid);
  }

  /** The pods bound to this node as the informer has them. */
  pods(): Pod[] {
    return this.#informer.indexer.list();
  }

  #enqueue(pod: Pod): void {
    const uid = this.#remember(pod);
    if (uid !== undefined) this.#queue.add(uid);
  }

  #remember(pod: Pod): string | undefined {
    const uid = pod.metadata?.uid;
    if (uid !== undefined) this.#lastKnown.set(uid, pod);
    return uid;
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.#informer.run(signal),
      runControllerLoop({
        queue: this.#queue,
        reconcile: (uid, s) => this.#reconcile(uid, s),
        workers: this.#o.workers ?? 64,
        informers: [this.#informer],
        onError: (err, uid) => {
          this.#o.log('warn', 'error syncing pod; will retry', {
            uid,
            pod: podName(this.#lastKnown.get(uid)),
            err: err instanceof Error ? err.message : String(err),
          });
        },
        signal,
      }),
      this.#relistLoop(signal),
      this.#resyncLoop(signal),
    ]);
  }

  async #reconcile(uid: string, signal: AbortSignal): Promise<void> {
    const pod = this.#informer.indexer.byIndex(UID_INDEX, uid)[0];
    if (pod === undefined) {
      const known = this.#lastKnown.get(uid);
      if (known !== undefined) await this.#o.syncer.terminate(known, true, signal);
      else await this.#o.syncer.cleanupOrphan(uid, signal);
      this.#lastKnown.delete(uid);
      this.#o.onPodGone?.(uid);
      return;
    }
    this.#lastKnown.set(uid, pod);
    if (pod.metadata?.deletionTimestamp !== undefined) {
      await this.#o.syncer.terminate(pod, false, signal);
      this.#o.onPodGone?.(uid);
      return;
    }
    this.#o.onPodSeen?.(pod);
    const outcome = await this.#o.syncer.sync(pod, signal);
    if (outcome.requeueAfterMs !== undefined) this.#queue.addAfter(uid, outcome.requeueAfterMs);
  }

  /** PLEG: queue pods whose runtime state changed; also pods the runtime has and the API not. */
  async #relistLoop(signal: AbortSignal): Promise<void> {
    if (!(await this.#informer.waitForCacheSync(signal))) return;
    await this.#housekeeping(signal);
    let rounds = 0;
    while (!isAborted(signal)) {
      try {
        for (const uid of await this.#o.state.relist(signal)) this.#queue.add(uid);
        if (++rounds % 10 === 0) await this.#housekeeping(signal);
      } catch (err: unknown) {
        if (isAborted(signal)) return;
        this.#o.log('warn', 'relist of the container runtime failed', {
          err: err instanceof Error ? err.message : String(err),
        });
      }
      await sleep(this.#clock, this.#o.relistPeriodMs ?? 1_000, signal);
    }
  }

  async #resyncLoop(signal: AbortSignal): Promise<void> {
    if (!(await this.#informer.waitForCacheSync(signal))) return;
    while (!isAborted(signal)) {
      await sleep(this.#clock, this.#o.resyncPeriodMs ?? 60_000, signal);
      for (const pod of this.#informer.indexer.list()) this.#enqueue(pod);
    }
  }

  /** Queues uids that have runtime state, cgroups or volume dirs but no pod in the API. */
  async #housekeeping(signal: AbortSignal): Promise<void> {
    const known = new Set(this.#informer.indexer.list().map((p) => p.metadata?.uid ?? ''));
    const candidates = new Set<string>([
      ...this.#o.state.cachedUids(),
      ...this.#o.cgroups.podUids(),
    ]);
    try {
      for (const d of readdirSync(this.#o.podsDir)) candidates.add(d);
    } catch {
      // no pods dir yet
    }
    if (this.#o.state.cachedUids().length === 0 && !isAborted(signal))
      await this.#o.state.relist(signal);
    for (const uid of this.#o.state.cachedUids()) candidates.add(uid);
    for (const uid of candidates) if (!known.has(uid)) this.#queue.add(uid);
  }
}

function podName(pod: Pod | undefined): string {
  return pod === undefined ? '' : `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
