/**
 * The scheduler process's loop (upstream scheduler.go + schedule_one.go + eventhandlers.go):
 * informers on pods and nodes feed the cache (bound pods, nodes) and the scheduling queue
 * (pending pods whose schedulerName is ours); one decision at a time is computed over the
 * cache, the pod is assumed on its node, and the binding (POST pods/<name>/binding) runs
 * asynchronously, at most `maxInFlightBindings` at once, while the next pod is decided.
 * Failures: no fit -> FailedScheduling event + PodScheduled=False (Unschedulable) + the
 * unschedulable queue; a binding error -> forget + backoff; 409 (already bound) -> forget.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import {
  SharedInformer,
  isConflict,
  isNotFound,
  realClock,
  waitForCacheSync,
} from '../client/index.ts';
import type { Clock, DeletedFinalStateUnknown, RestClient } from '../client/index.ts';
import { jsonLineLog } from '../util/json-line-log.ts';
import { SchedulerEventRecorder } from './event-recorder.ts';
import type { Logger } from './event-recorder.ts';
import { unschedulablePlugins } from './fit-error.ts';
import { needsScheduling, podKey } from './pod-info.ts';
import { defaultProfile } from './profile.ts';
import type { Profile } from './profile.ts';
import { schedulePod } from './schedule-pod.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { SchedulingQueue } from './scheduling-queue.ts';
import type { QueuedPodInfo } from './scheduling-queue.ts';

export interface SchedulerOptions {
  readonly client: RestClient;
  /** Default: the real clock. */
  readonly clock?: Clock;
  /** Default: `defaultProfile` (default-scheduler). */
  readonly profile?: Profile;
  /** Bindings in flight at once. Default 64 (upstream binds in unbounded goroutines). */
  readonly maxInFlightBindings?: number;
  /** Default 1,000 ms. */
  readonly initialBackoffMs?: number;
  /** Default 10,000 ms. */
  readonly maxBackoffMs?: number;
  /** Default: structured lines on stderr. */
  readonly log?: Logger;
  /** Tie-break randomness; default Math.random. */
  readonly random?: () => number;
}

const PODS = { group: '', version: 'v1', plural: 'pods' } as const;
const NODES = { group: '', version: 'v1', plural: 'nodes' } as const;

const defaultLog: Logger = jsonLineLog('scheduler');

type Tombstone<T> = T | DeletedFinalStateUnknown<T>;
const unwrap = <T>(o: Tombstone<T>): T =>
  'key' in (o as object) && 'obj' in (o as object)
    ? (o as DeletedFinalStateUnknown<T>).obj
    : (o as T);

export class Scheduler {
  readonly #client: RestClient;
  readonly #clock: Clock;
  readonly #profile: Profile;
  readonly #maxInFlight: number;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly #events: SchedulerEventRecorder;
  readonly #pods: SharedInformer<Pod>;
  readonly #nodes: SharedInformer<Node>;
  readonly #bindings = new Set<Promise<void>>();
  #nextStartNodeIndex = 0;
  /** The run signal: once it aborted, a failed binding is the stop, not worth an event. */
  #stopped: AbortSignal | undefined;

  constructor(options: SchedulerOptions) {
    this.#client = options.client;
    this.#clock = options.clock ?? realClock;
    this.#profile = options.profile ?? defaultProfile;
    this.#maxInFlight = options.maxInFlightBindings ?? 64;
    this.#log = options.log ?? defaultLog;
    this.#random = options.random ?? Math.random;
    this.queue = new SchedulingQueue({
      clock: this.#clock,
      ...(options.initialBackoffMs === undefined
        ? {}
        : { initialBackoffMs: options.initialBackoffMs }),
      ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
    });
    this.#events = new SchedulerEventRecorder(this.#client, this.#profile.schedulerName, this.#log);
    this.#pods = SharedInformer.forResource<Pod>(this.#client, PODS, {
      fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
    });
    this.#nodes = SharedInformer.forResource<Node>(this.#client, NODES);
    this.#registerHandlers();
  }

  /** Schedules until `signal` aborts; resolves once informers, bindings and events settled. */
  async run(signal: AbortSignal): Promise<void> {
    this.#stopped = signal;
    const background = [this.#pods.run(signal), this.#nodes.run(signal), this.queue.run(signal)];
    try {
      if (await waitForCacheSync(signal, this.#pods, this.#nodes)) {
        this.#log('info', 'caches synced; scheduling', { nodes: this.cache.nodeInfos().length });
        await this.#loop(signal);
      }
    } finally {
      this.queue.close();
      await Promise.all([...this.#bindings]);
      // The term is over: its client sends nothing more, so queued events would only fail.
      const dropped = this.#events.discard();
      if (dropped > 0) this.#log('info', 'dropped queued events at stop', { dropped });
      await this.#events.flush();
      await Promise.all(background);
    }
  }

  #registerHandlers(): void {
    this.#pods.addEventHandler({
      onAdd: (pod) => {
        if ((pod.spec?.nodeName ?? '') !== '') {
          this.cache.upsertPod(pod);
          this.queue.delete(podKey(pod));
          this.queue.moveAllToActiveOrBackoff('AssignedPodAdd');
        } else if (needsScheduling(pod, this.#profile.schedulerName)) {
          this.queue.add(pod);
        }
      },
      onUpdate: (oldPod, pod) => {
        const key = podKey(pod);
        if ((pod.spec?.nodeName ?? '') !== '') {
          this.cache.upsertPod(pod);
          this.queue.delete(key);
          if (JSON.stringify(oldPod.metadata?.labels) !== JSON.stringify(pod.metadata?.labels))
            this.queue.moveAllToActiveOrBackoff('AssignedPodUpdate');
        } else if (!needsScheduling(pod, this.#profile.schedulerName)) {
          this.queue.delete(key);
        } else if (!this.cache.isAssumed(key)) {
          this.queue.update(pod);
        }
      },
      onDelete: (obj) => {
        const pod = unwrap(obj);
        const key = podKey(pod);
        this.queue.delete(key);
        if ((pod.spec?.nodeName ?? '') !== '' || this.cache.isAssumed(key)) {
          this.cache.removePod(key);
          this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
        }
      },
    });
    this.#nodes.addEventHandler({
      onAdd: (node) => {
        this.cache.upsertNode(node);
        this.queue.moveAllToActiveOrBackoff('NodeAdd');
      },
      onUpdate: (oldNode, node) => {
        this.cache.upsertNode(node);
        const relevant = (n: Node): string =>
          JSON.stringify([n.spec, n.metadata?.labels, n.status?.allocatable, n.status?.conditions]);
        if (relevant(oldNode) !== relevant(node)) this.queue.moveAllToActiveOrBackoff('NodeUpdate');
      },
      onDelete: (obj) => {
        this.cache.removeNode(unwrap(obj).metadata?.name ?? '');
        this.queue.moveAllToActiveOrBackoff('NodeDelete');
      },
    });
  }

  async #loop(signal: AbortSignal): Promise<void> {
    for (;;) {
      while (this.#bindings.size >= this.#maxInFlight && !signal.aborted)
        await Promise.race([...this.#bindings]);
      // Let informer events and binding responses in between decisions.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const q = await this.queue.pop(signal);
      if (q === undefined || signal.aborted) return;
      this.#scheduleOne(q);
    }
  }

  #scheduleOne(q: QueuedPodInfo): void {
    const key = q.podInfo.key;
    const current = this.#pods.indexer.getByKey(key);
    if (
      current === undefined ||
      (current.spec?.nodeName ?? '') !== '' ||
      this.cache.isAssumed(key)
    ) {
      this.queue.done(key);
      return;
    }
    const cycle = this.queue.schedulingCycle;
    const result = schedulePod(q.podInfo, this.cache.nodeInfos(), this.#profile, {
      startNodeIndex: this.#nextStartNodeIndex,
      random: this.#random,
    });
    this.#nextStartNodeIndex = result.nextStartNodeIndex;
    if (result.kind === 'unschedulable') {
      q.unschedulablePlugins = unschedulablePlugins(result.diagnosis);
      this.queue.addUnschedulable(q, cycle);
      this.#recordFailure(current, result.reason, result.message);
      return;
    }
    const pod = current;
    // The decision was made on the queued PodInfo: count exactly that against the node.
    this.cache.assume(q.podInfo, result.nodeName);
    const p = this.#bind(q, pod, result.nodeName, cycle).finally(() => {
      this.#bindings.delete(p);
    });
    this.#bindings.add(p);
  }

  async #bind(q: QueuedPodInfo, pod: Pod, nodeName: string, cycle: number): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const key = q.podInfo.key;
    try {
      await this.#client.create({ ...PODS, namespace, name, subresource: 'binding' }, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: {
          name,
          namespace,
          ...(pod.metadata?.uid === undefined ? {} : { uid: pod.metadata.uid }),
        },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      } as { apiVersion: string; kind: string; metadata: { name: string; namespace: string } });
      this.queue.done(key);
      this.#events.event(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${name} to ${nodeName}`,
      );
    } catch (err: unknown) {
      this.cache.forget(key);
      if (this.#stopped?.aborted === true) {
        this.queue.done(key);
        return;
      }
      if (isConflict(err) || isNotFound(err)) {
        // Already bound (or gone): the informer brings the truth.
        this.queue.done(key);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.#log('warn', 'binding failed; retrying with backoff', {
        pod: key,
        node: nodeName,
        error: message,
      });
      q.unschedulablePlugins = new Set();
      this.queue.addUnschedulable(q, cycle);
      this.#events.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${message}`);
    }
  }

  #recordFailure(pod: Pod, reason: 'Unschedulable' | 'SchedulerError', message: string): void {
    this.#events.event(pod, 'Warning', 'FailedScheduling', message);
    const existing = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (existing?.status === 'False' && existing.reason === reason && existing.message === message)
      return;
    const ref = {
      ...PODS,
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      subresource: 'status',
    };
    const patch = {
      status: {
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason,
            message,
            lastProbeTime: null,
            lastTransitionTime: new Date(this.#clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        ],
      },
    };
    const p = this.#client
      .patch(ref, patch, { type: 'strategic' })
      .then(
        () => undefined,
        (err: unknown) => {
          this.#log('warn', 'failed to update PodScheduled condition', {
            pod: podKey(pod),
            error: err instanceof Error ? err.message : String(err),
          });
        },
      )
      .finally(() => {
        this.#bindings.delete(p);
      });
    this.#bindings.add(p);
  }
}
