/**
 * The pod garbage collector (upstream's `podgc`): every `checkPeriodMs` it force-deletes
 * (grace period 0) terminated pods beyond `terminatedPodThreshold`, pods bound to nodes that
 * have been missing for `quarantineMs` (confirmed by a GET), terminating pods never scheduled,
 * and terminating pods on out-of-service nodes. Pods not yet terminal are first marked Failed
 * with a `DisruptionTarget` condition (reason `DeletionByPodGC`), as upstream does.
 */
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.d.ts';
import { isAborted, isNotFound, sleep, waitForCacheSync } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import {
  isPodTerminated,
  missingNodeNames,
  terminatedPodsToDelete,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from './pod-gc.ts';

export interface PodGCOptions {
  /** Terminated pods kept; 0 disables. Default: 12,500 (upstream's `--terminated-pod-gc-threshold`). */
  readonly terminatedPodThreshold?: number | undefined;
  /** Default: 20,000 ms (upstream's gcCheckPeriod). */
  readonly checkPeriodMs?: number | undefined;
  /** How long a node must be missing before its pods go. Default: 40,000 ms (upstream's quarantineTime). */
  readonly quarantineMs?: number | undefined;
}

export class PodGCController implements Controller {
  readonly name = 'podgc';
  readonly #ctx: ControllerContext;
  readonly #threshold: number;
  readonly #periodMs: number;
  readonly #quarantineMs: number;
  /** node name → when it was first seen missing. */
  readonly #missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext, options: PodGCOptions = {}) {
    this.#ctx = ctx;
    this.#threshold = options.terminatedPodThreshold ?? 12_500;
    this.#periodMs = options.checkPeriodMs ?? 20_000;
    this.#quarantineMs = options.quarantineMs ?? 40_000;
  }

  async run(signal: AbortSignal): Promise<void> {
    const pods = this.#ctx.informers.informerFor<Pod>(RESOURCES.pods);
    const nodes = this.#ctx.informers.informerFor<Node>(RESOURCES.nodes);
    if (!(await waitForCacheSync(signal, pods, nodes))) return;
    while (!signal.aborted) {
      try {
        await this.gc(signal);
      } catch (err: unknown) {
        if (isAborted(signal)) break;
        this.#ctx.log('warn', 'pod gc pass failed', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
      await sleep(this.#ctx.clock, this.#periodMs, signal);
    }
  }

  /** One pass over the caches. */
  async gc(signal: AbortSignal): Promise<void> {
    const podList = this.#ctx.informers.informerFor<Pod>(RESOURCES.pods).indexer.list();
    const nodeCache = this.#ctx.informers.informerFor<Node>(RESOURCES.nodes).indexer;
    const node = (name: string): Node | undefined => nodeCache.getByKey(name);

    for (const p of terminatedPodsToDelete(podList, this.#threshold))
      await this.#deletePod(p, undefined, signal);
    for (const p of terminatingPodsOnOutOfServiceNodes(podList, node))
      await this.#deletePod(p, 'PodGC: node is out of service', signal);

    const missing = missingNodeNames(podList, (n) => node(n) !== undefined);
    for (const n of this.#missingSince.keys()) if (!missing.has(n)) this.#missingSince.delete(n);
    const now = this.#ctx.clock.now();
    const deleted = new Set<string>();
    for (const n of missing) {
      const since = this.#missingSince.get(n);
      if (since === undefined) {
        this.#missingSince.set(n, now);
        continue;
      }
      if (now - since < this.#quarantineMs) continue;
      try {
        await this.#ctx.client.get({ ...RESOURCES.nodes, name: n }, { signal });
        this.#missingSince.delete(n); // the cache lags; the node exists
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
        deleted.add(n);
      }
    }
    for (const p of podList)
      if (deleted.has(p.spec?.nodeName ?? ''))
        await this.#deletePod(p, 'PodGC: node no longer exists', signal);

    for (const p of unscheduledTerminatingPods(podList))
      await this.#deletePod(p, 'PodGC: pod is terminating and unscheduled', signal);
  }

  async #deletePod(
    pod: Pod,
    disruptionMessage: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const ref = { ...RESOURCES.pods, namespace, name };
    try {
      if (disruptionMessage !== undefined && !isPodTerminated(pod)) {
        const condition: PodCondition = {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByPodGC',
          message: disruptionMessage,
          lastTransitionTime: new Date(this.#ctx.clock.now())
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        };
        const conditions = [
          ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
          condition,
        ];
        await this.#ctx.client.patch(
          { ...ref, subresource: 'status' },
          { status: { phase: 'Failed', conditions } },
          { type: 'merge', signal },
        );
      }
      await this.#ctx.client.delete(ref, {
        signal,
        gracePeriodSeconds: 0,
        ...(pod.metadata?.uid === undefined ? {} : { preconditions: { uid: pod.metadata.uid } }),
      });
      this.#ctx.log('info', 'pod garbage collected', { namespace, name });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }
}
