/**
 * The `taint-eviction-controller` (upstream's pkg/controller/tainteviction, v1.33): pods on a
 * node with NoExecute taints are deleted at once when they do not tolerate one, or when their
 * smallest tolerationSeconds has passed (see taint-eviction.ts for when the countdown starts);
 * a taint lifted or a pod gone cancels a pending eviction. Before deleting, the pod gets the
 * `DisruptionTarget` condition (reason DeletionByTaintManager), and the deletion is graceful:
 * on an unreachable node the pod stays Terminating, which is enough for its ReplicaSet (or Job)
 * to replace it. Events as upstream: `TaintManagerEviction` "Marking for deletion Pod ns/name"
 * and "Cancelling deletion of Pod ns/name". Timers live in memory; a new leader recomputes them
 * from the taints' timeAdded.
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.d.ts';
import {
  RateLimitingQueue,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  runControllerLoop,
  splitMetaNamespaceKey,
  tombstoneObject,
} from '../../client/index.ts';
import type { SharedInformer, TimerHandle } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { ensureNodeNameIndex, listOnNode } from '../util/namespace-index.ts';
import { rfc3339 } from '../util/rfc3339.ts';
import { evictionDecision } from './taint-eviction.ts';

interface Scheduled {
  readonly atMs: number;
  readonly timer: TimerHandle;
}

const noExecuteTaints = (node: Node | undefined): Taint[] =>
  (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  readonly #ctx: ControllerContext;
  readonly #nodes: SharedInformer<Node>;
  readonly #pods: SharedInformer<Pod>;
  /** Pod keys to (re)consider. */
  readonly #queue: RateLimitingQueue<string>;
  readonly #scheduled = new Map<string, Scheduled>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#nodes = ctx.informers.informerFor<Node>(RESOURCES.nodes);
    this.#pods = ctx.informers.informerFor<Pod>(RESOURCES.pods);
    ensureNodeNameIndex(this.#pods);
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
  }

  async run(signal: AbortSignal): Promise<void> {
    const podsOf = (node: Node): void => {
      for (const p of listOnNode(this.#pods, node.metadata?.name ?? ''))
        this.#queue.add(metaNamespaceKey(p));
    };
    const regs = [
      this.#nodes.addEventHandler({
        onAdd: podsOf,
        onUpdate: (o, n) => {
          if (JSON.stringify(noExecuteTaints(o)) !== JSON.stringify(noExecuteTaints(n))) podsOf(n);
        },
        onDelete: (obj) => {
          podsOf(tombstoneObject(obj));
        },
      }),
      this.#pods.addEventHandler({
        onAdd: (p) => {
          this.#queue.add(metaNamespaceKey(p));
        },
        onUpdate: (o, p) => {
          if (
            o.spec?.nodeName !== p.spec?.nodeName ||
            JSON.stringify(o.spec?.tolerations) !== JSON.stringify(p.spec?.tolerations)
          )
            this.#queue.add(metaNamespaceKey(p));
        },
        onDelete: (obj) => {
          this.#cancel(metaNamespaceKey(tombstoneObject(obj)), false);
        },
      }),
    ];
    try {
      await runControllerLoop({
        queue: this.#queue,
        reconcile: (key, s) => this.sync(key, s),
        workers: 4,
        informers: [this.#nodes, this.#pods],
        onError: (err, key) => {
          this.#ctx.log('warn', 'error evicting pod; requeuing', {
            key,
            error: err instanceof Error ? err.message : String(err),
          });
        },
        signal,
      });
    } finally {
      for (const r of regs) r.remove();
      for (const s of this.#scheduled.values()) s.timer.cancel();
      this.#scheduled.clear();
    }
  }

  /** processPodOnNode: schedule, reschedule, cancel, or evict now. */
  async sync(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.#pods.indexer.getByKey(key);
    const nodeName = pod?.spec?.nodeName ?? '';
    if (pod === undefined || nodeName === '' || pod.metadata?.deletionTimestamp != null) {
      this.#cancel(key, false);
      return;
    }
    const now = this.#ctx.clock.now();
    const decision = evictionDecision(
      pod,
      noExecuteTaints(this.#nodes.indexer.getByKey(nodeName)),
      now,
    );
    switch (decision.kind) {
      case 'none':
        this.#cancel(key, true);
        return;
      case 'now':
        this.#cancel(key, false);
        await this.#evict(pod, signal);
        return;
      case 'at': {
        const existing = this.#scheduled.get(key);
        if (existing?.atMs === decision.atMs) return;
        this.#cancel(key, false);
        const timer = this.#ctx.clock.setTimer(() => {
          this.#scheduled.delete(key);
          this.#queue.add(key);
        }, decision.atMs - now);
        this.#scheduled.set(key, { atMs: decision.atMs, timer });
        return;
      }
    }
  }

  #cancel(key: string, withEvent: boolean): void {
    const s = this.#scheduled.get(key);
    if (s === undefined) return;
    s.timer.cancel();
    this.#scheduled.delete(key);
    const pod = this.#pods.indexer.getByKey(key);
    if (withEvent && pod !== undefined)
      this.#ctx.events.event(
        pod,
        'Normal',
        'TaintManagerEviction',
        `Cancelling deletion of Pod ${key}`,
      );
  }

  /** addConditionAndDeletePod: DisruptionTarget, then a graceful delete of that very pod. */
  async #evict(pod: Pod, signal: AbortSignal): Promise<void> {
    const key = metaNamespaceKey(pod);
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ref = { ...RESOURCES.pods, namespace, name };
    this.#ctx.events.event(
      pod,
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${key}`,
    );
    let current = pod;
    for (let attempt = 0; attempt < 3; attempt++) {
      const conditions = [
        ...(current.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByTaintManager',
          message: 'Taint manager: deleting due to NoExecute taint',
          lastTransitionTime: rfc3339(this.#ctx.clock.now()),
        },
      ];
      try {
        await this.#ctx.client.update<Pod>(
          { ...ref, subresource: 'status' },
          { ...current, status: { ...current.status, conditions } },
          { signal },
        );
        break;
      } catch (err: unknown) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        current = await this.#ctx.client.get<Pod>(ref, { signal });
        if (current.metadata?.uid !== pod.metadata?.uid) return;
      }
    }
    try {
      await this.#ctx.client.delete(ref, {
        signal,
        preconditions: { uid: pod.metadata?.uid ?? '' },
      });
    } catch (err: unknown) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
