/**
 * The `nodelifecycle` controller (upstream's pkg/controller/nodelifecycle, v1.33, taint-based
 * eviction): every `nodeMonitorPeriodMs` it checks each node's signs of life (Ready heartbeat,
 * `kube-node-lease/<node>` renewals; see node-health.ts); a node silent past the grace period
 * gets its conditions set Unknown, its pods marked not Ready (so Services drop them) and a
 * `NodeNotReady` event; a NotReady/Unknown node then gets the NoExecute not-ready/unreachable
 * taint through a per-zone rate-limited queue (the taint-eviction controller evicts from
 * there), and loses it when Ready again. NoSchedule taints mirror conditions at once. When every
 * zone is fully disrupted it taints nothing and lifts its NoExecute taints (the control plane is
 * then the likely failure), as upstream. Not done: the beta/stable OS and arch label reconcile.
 * Deliberate difference: a node first seen by this leader keeps its NoExecute taint unless it is
 * Ready (upstream lifts it and re-adds it a pass later), so leader failover does not flap taints.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.d.ts';
import { NodeWrites } from './node-writes.ts';
import {
  RateLimitingQueue,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  runControllerLoop,
  sleep,
  tombstoneObject,
} from '../../client/index.ts';
import type { SharedInformer } from '../../client/index.ts';
import { isAborted } from '../../client/errors.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { ensureNodeNameIndex, listOnNode } from '../util/namespace-index.ts';
import { rfc3339 } from '../util/rfc3339.ts';
import {
  gracePeriodMs,
  observeNodeHealth,
  readyCondition,
  silentNodeConditions,
} from './node-health.ts';
import type { NodeHealth } from './node-health.ts';
import { resolveNodeLifecycleOptions } from './node-lifecycle-options.ts';
import type { NodeLifecycleOptions } from './node-lifecycle-options.ts';
import {
  NOT_READY_NO_EXECUTE,
  UNREACHABLE_NO_EXECUTE,
  noExecuteTaintFor,
  noScheduleTaintDiff,
  taintExists,
} from './node-taints.ts';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue.ts';
import { disruptionDecision, zoneKey } from './zone-state.ts';

/** Upstream's NodeEvictionPeriod: how often the NoExecute tainting queues are drained. */
const TAINTING_PASS_MS = 100;
const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  readonly #ctx: ControllerContext;
  readonly #o: NodeLifecycleOptions;
  readonly #nodes: SharedInformer<Node>;
  readonly #leases: SharedInformer<Lease>;
  readonly #pods: SharedInformer<Pod>;
  readonly #nodeQueue: RateLimitingQueue<string>;
  readonly #podQueue: RateLimitingQueue<string>;
  readonly #health = new Map<string, NodeHealth>();
  readonly #known = new Set<string>();
  readonly #tainters = new Map<string, RateLimitedTimedQueue>();
  readonly #nodesToRetry = new Set<string>();
  readonly #w: NodeWrites;
  #allWereFullyDisrupted = false;

  constructor(ctx: ControllerContext, options: Partial<NodeLifecycleOptions> = {}) {
    this.#ctx = ctx;
    this.#o = resolveNodeLifecycleOptions(options);
    this.#nodes = ctx.informers.informerFor<Node>(RESOURCES.nodes);
    this.#leases = ctx.informers.informerFor<Lease>(RESOURCES.leases);
    this.#pods = ctx.informers.informerFor<Pod>(RESOURCES.pods);
    ensureNodeNameIndex(this.#pods);
    this.#nodeQueue = new RateLimitingQueue<string>({ clock: ctx.clock });
    this.#podQueue = new RateLimitingQueue<string>({ clock: ctx.clock });
    this.#w = new NodeWrites(ctx, (name) => this.#nodes.indexer.getByKey(name));
  }

  async run(signal: AbortSignal): Promise<void> {
    const regs = [
      this.#nodes.addEventHandler({
        onAdd: (n) => {
          this.#nodeQueue.add(n.metadata?.name ?? '');
        },
        onUpdate: (_o, n) => {
          this.#nodeQueue.add(n.metadata?.name ?? '');
        },
        onDelete: (obj) => {
          this.#nodesToRetry.delete(tombstoneObject(obj).metadata?.name ?? '');
        },
      }),
      this.#pods.addEventHandler({
        onAdd: (p) => {
          if ((p.spec?.nodeName ?? '') !== '') this.#podQueue.add(metaNamespaceKey(p));
        },
        onUpdate: (o, p) => {
          const node = p.spec?.nodeName ?? '';
          if (node !== '' && node !== (o.spec?.nodeName ?? ''))
            this.#podQueue.add(metaNamespaceKey(p));
        },
      }),
    ];
    const onError = (what: string) => (err: unknown, key: string) => {
      this.#ctx.log('warn', what, { key, error: err instanceof Error ? err.message : String(err) });
    };
    try {
      await Promise.all([
        runControllerLoop({
          queue: this.#nodeQueue,
          reconcile: (name, s) => this.#noScheduleTaintingPass(name, s),
          workers: 2,
          informers: [this.#nodes],
          onError: onError('failed to taint NoSchedule on node; requeuing'),
          signal,
        }),
        runControllerLoop({
          queue: this.#podQueue,
          reconcile: (key, s) => this.#processPod(key, s),
          workers: 2,
          informers: [this.#nodes, this.#pods],
          onError: onError('failed to mark pod NotReady; requeuing'),
          signal,
        }),
        this.#every(this.#o.nodeMonitorPeriodMs, signal, (s) => this.monitorNodeHealth(s)),
        this.#every(TAINTING_PASS_MS, signal, (s) => this.#noExecuteTaintingPass(s)),
      ]);
    } finally {
      for (const r of regs) r.remove();
    }
  }

  /** Runs `pass` every `periodMs` once the caches synced, until `signal` aborts. */
  async #every(
    periodMs: number,
    signal: AbortSignal,
    pass: (s: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const synced = await Promise.all(
      [this.#nodes, this.#leases, this.#pods].map((i) => i.waitForCacheSync(signal)),
    );
    if (synced.includes(false)) return;
    while (!isAborted(signal)) {
      try {
        await pass(signal);
      } catch (err: unknown) {
        if (!isAborted(signal))
          this.#ctx.log('warn', 'node lifecycle pass failed', {
            error: err instanceof Error ? err.message : String(err),
          });
      }
      await sleep(this.#ctx.clock, periodMs, signal);
    }
  }

  #tainter(zone: string): RateLimitedTimedQueue {
    let q = this.#tainters.get(zone);
    if (q === undefined) {
      q = new RateLimitedTimedQueue(this.#ctx.clock, this.#o.evictionRate);
      this.#tainters.set(zone, q);
    }
    return q;
  }

  /** monitorNodeHealth: one pass over every node. */
  async monitorNodeHealth(signal: AbortSignal): Promise<void> {
    const nodes = this.#nodes.indexer.list();
    const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      if (this.#known.has(name)) continue;
      this.#known.add(name);
      this.#w.event(name, 'Normal', 'RegisteredNode', `Registered Node ${name} in Controller`);
      this.#tainter(zoneKey(node));
      if (readyCondition(node.status)?.status === 'True')
        await this.#markNodeAsReachable(node, signal);
    }
    for (const name of [...this.#known]) {
      if (names.has(name)) continue;
      this.#known.delete(name);
      this.#health.delete(name);
      for (const q of this.#tainters.values()) q.remove(name);
      this.#w.event(name, 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
    }
    const zones = new Map<string, (NodeCondition | undefined)[]>();
    await Promise.all(
      nodes.map(async (node) => {
        const current = await this.#updateNodeHealth(node, signal);
        if (current === undefined) return;
        if (node.metadata?.labels?.[EXCLUDE_DISRUPTION_LABEL] === undefined) {
          const z = zoneKey(node);
          zones.set(z, [...(zones.get(z) ?? []), current.ready]);
        }
      }),
    );
    await this.#handleDisruption(zones, nodes, signal);
  }

  /** tryUpdateNodeHealth plus what follows it for one node; the current Ready condition. */
  async #updateNodeHealth(
    cached: Node,
    signal: AbortSignal,
  ): Promise<{ ready: NodeCondition | undefined } | undefined> {
    const name = cached.metadata?.name ?? '';
    const now = this.#ctx.clock.now();
    const lease = this.#leases.indexer.getByKey(`kube-node-lease/${name}`);
    let node = cached;
    const observed: NodeCondition = readyCondition(node.status) ?? {
      type: 'Ready',
      status: 'Unknown',
      lastHeartbeatTime: node.metadata?.creationTimestamp ?? rfc3339(now),
      lastTransitionTime: node.metadata?.creationTimestamp ?? rfc3339(now),
    };
    let health = observeNodeHealth(this.#health.get(name), node, lease, now);
    let current = readyCondition(node.status);
    if (now > health.probeMs + gracePeriodMs(node, this.#o)) {
      for (let attempt = 0; ; attempt++) {
        const conditions = silentNodeConditions(node, now);
        if (conditions === undefined) break;
        try {
          node = await this.#ctx.client.update<Node>(
            { ...RESOURCES.nodes, name, subresource: 'status' },
            { ...node, status: { ...node.status, conditions } },
            { signal },
          );
          current = readyCondition(node.status);
          health = { ...health, status: node.status ?? {}, readyTransitionMs: now };
          break;
        } catch (err: unknown) {
          if (isNotFound(err)) return undefined;
          if (!isConflict(err) || attempt >= 4) {
            this.#ctx.log('warn', 'failed to update node health; no pods will be evicted', {
              node: name,
              error: err instanceof Error ? err.message : String(err),
            });
            this.#health.set(name, health);
            return undefined;
          }
          node = await this.#ctx.client.get<Node>({ ...RESOURCES.nodes, name }, { signal });
        }
      }
    }
    this.#health.set(name, health);
    if (current === undefined) return { ready: current };
    await this.#processTaintBaseEviction(node, observed, signal);
    const needsRetry = this.#nodesToRetry.has(name);
    const wentNotReady = current.status !== 'True' && observed.status === 'True';
    if (wentNotReady)
      this.#w.event(name, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    if (wentNotReady || (needsRetry && observed.status !== 'True')) {
      if (!(await this.#w.markPodsNotReady(listOnNode(this.#pods, name), name, signal))) {
        this.#nodesToRetry.add(name);
        return { ready: current };
      }
    }
    this.#nodesToRetry.delete(name);
    return { ready: current };
  }

  /** processTaintBaseEviction: queue (or swap) the NoExecute taint, or lift it when Ready. */
  async #processTaintBaseEviction(
    node: Node,
    observed: NodeCondition,
    signal: AbortSignal,
  ): Promise<void> {
    const name = node.metadata?.name ?? '';
    const want = noExecuteTaintFor(observed.status);
    if (want === undefined) {
      await this.#markNodeAsReachable(node, signal);
      return;
    }
    // Already tainted the other way: swap at once (the rate limit was paid for the first).
    if (taintExists(node.spec?.taints, want.remove)) {
      await this.#w.swapNodeTaints(name, [want.add], [want.remove], signal);
      return;
    }
    if (!taintExists(node.spec?.taints, want.add)) this.#tainter(zoneKey(node)).add(name);
  }

  async #markNodeAsReachable(node: Node, signal: AbortSignal): Promise<void> {
    const name = node.metadata?.name ?? '';
    await this.#w.swapNodeTaints(name, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE], signal);
    this.#tainter(zoneKey(node)).remove(name);
  }

  /** doNoExecuteTaintingPass: drain each zone's queue as its rate allows. */
  async #noExecuteTaintingPass(signal: AbortSignal): Promise<void> {
    for (const queue of this.#tainters.values()) {
      await queue.tryEach(async (name) => {
        const node = this.#nodes.indexer.getByKey(name);
        if (node === undefined) return true;
        const ready = readyCondition(node.status);
        if (ready === undefined) return 50;
        const want = noExecuteTaintFor(ready.status);
        if (want === undefined) return true; // Ready again
        return (await this.#w.swapNodeTaints(name, [want.add], [want.remove], signal)) ? true : 0;
      });
    }
  }

  /** handleDisruption: per-zone tainting rates; none at all when every zone is down. */
  async #handleDisruption(
    zones: ReadonlyMap<string, readonly (NodeCondition | undefined)[]>,
    nodes: readonly Node[],
    signal: AbortSignal,
  ): Promise<void> {
    const d = disruptionDecision(zones, this.#o);
    if (d.allFullyDisrupted && !this.#allWereFullyDisrupted) {
      this.#ctx.log(
        'warn',
        'all nodes are not Ready: entering full disruption, evicting nothing',
        {},
      );
      for (const node of nodes) await this.#markNodeAsReachable(node, signal);
    }
    if (!d.allFullyDisrupted && this.#allWereFullyDisrupted) {
      this.#ctx.log('info', 'some nodes are Ready again: leaving full disruption', {});
      // Every node gets a fresh grace period, as upstream.
      const now = this.#ctx.clock.now();
      for (const [name, h] of this.#health)
        this.#health.set(name, { ...h, probeMs: now, readyTransitionMs: now });
    }
    this.#allWereFullyDisrupted = d.allFullyDisrupted;
    for (const [zone, rate] of d.rates) this.#tainter(zone).setRate(rate);
  }

  /** doNoScheduleTaintingPass for one node. */
  async #noScheduleTaintingPass(name: string, signal: AbortSignal): Promise<void> {
    const node = this.#nodes.indexer.getByKey(name);
    if (node === undefined) return;
    const { add, remove } = noScheduleTaintDiff(node);
    if (add.length === 0 && remove.length === 0) return;
    if (!(await this.#w.swapNodeTaints(name, add, remove, signal)))
      throw new Error(`failed to swap taints of node ${name}`);
  }

  /** processPod: a pod bound to a node that is not Ready is marked not Ready. */
  async #processPod(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.#pods.indexer.getByKey(key);
    if (pod === undefined) return;
    const nodeName = pod.spec?.nodeName ?? '';
    const ready = readyCondition(this.#health.get(nodeName)?.status);
    if (ready === undefined || ready.status === 'True') return;
    if (!(await this.#w.markPodsNotReady([pod], nodeName, signal)))
      throw new Error(`could not mark pod ${key} not ready`);
  }
}
