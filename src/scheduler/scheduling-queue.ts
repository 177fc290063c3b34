/**
 * The scheduling queue (upstream internal/queue/scheduling_queue.go PriorityQueue):
 *
 *   add ──> activeQ (priority desc, then enqueue time) ──pop──> a scheduling cycle
 *             ^    ^                                              │ unschedulable / error
 *             │    └──── backoffQ (by backoff expiry) <───────────┤ (a move request arrived
 *             │          flushed every 1 s                        │  during the cycle, or error)
 *             └── cluster event ── unschedulablePods <────────────┘
 *
 * Backoff per pod: 1 s doubling per attempt up to 10 s. A cluster event moves the unschedulable
 * pods that a plugin interested in it rejected: to backoffQ while still backing off, otherwise
 * to activeQ. Pods left unschedulable for 5 minutes are moved anyway. Not implemented:
 * upstream's per-plugin QueueingHints (an event moves every pod one of its plugins rejected).
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Clock, TimerHandle } from '../client/index.ts';
import { KeyedHeap } from './keyed-heap.ts';
import { newPodInfo, podKey } from './pod-info.ts';
import type { PodInfo } from './pod-info.ts';

export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'NodeDelete'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'UnschedulableTimeout';

const ALL_PLUGINS: readonly string[] = [];
/** The plugins each event may make a rejected pod fit for (upstream's EventsToRegister). */
const INTERESTED: Readonly<Record<ClusterEvent, readonly string[]>> = {
  NodeAdd: ALL_PLUGINS,
  NodeUpdate: ALL_PLUGINS,
  // A domain with fewer matching pods may disappear with its node.
  NodeDelete: ['PodTopologySpread'],
  UnschedulableTimeout: ALL_PLUGINS,
  AssignedPodDelete: ['NodeResourcesFit', 'NodePorts', 'PodTopologySpread', 'InterPodAffinity'],
  AssignedPodAdd: ['PodTopologySpread', 'InterPodAffinity'],
  AssignedPodUpdate: ['PodTopologySpread', 'InterPodAffinity'],
};

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod was last added to a queue (ms). */
  timestamp: number;
  /** When the pod was first added (ms), for the latency metric. */
  readonly initialAttemptTimestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected the pod in its last attempt (empty: an error, moves on any event). */
  unschedulablePlugins: Set<string>;
}

export interface SchedulingQueueOptions {
  readonly clock: Clock;
  /** Default 1,000 ms (upstream's podInitialBackoffSeconds = 1). */
  readonly initialBackoffMs?: number;
  /** Default 10,000 ms (upstream's podMaxBackoffSeconds = 10). */
  readonly maxBackoffMs?: number;
  /** Default 300,000 ms (upstream's podMaxInUnschedulablePodsDuration = 5 min). */
  readonly maxInUnschedulableMs?: number;
}

export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxInUnschedulableMs: number;
  readonly #activeQ = new KeyedHeap<QueuedPodInfo>(
    (q) => q.podInfo.key,
    (a, b) =>
      a.podInfo.priority !== b.podInfo.priority
        ? a.podInfo.priority > b.podInfo.priority
        : a.timestamp < b.timestamp,
  );
  readonly #backoffQ = new KeyedHeap<QueuedPodInfo>(
    (q) => q.podInfo.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet `done` (a scheduling or binding cycle is running). */
  readonly #inFlight = new Set<string>();
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  #closed = false;

  constructor(options: SchedulingQueueOptions) {
    this.#clock = options.clock;
    this.#initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#maxInUnschedulableMs = options.maxInUnschedulableMs ?? 300_000;
  }

  get schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  /** Sizes, for tests and metrics. */
  get lengths(): { active: number; backoff: number; unschedulable: number } {
    return {
      active: this.#activeQ.size,
      backoff: this.#backoffQ.size,
      unschedulable: this.#unschedulable.size,
    };
  }

  has(key: string): boolean {
    return (
      this.#activeQ.has(key) ||
      this.#backoffQ.has(key) ||
      this.#unschedulable.has(key) ||
      this.#inFlight.has(key)
    );
  }

  /** A new pending pod: straight to activeQ. */
  add(pod: Pod): void {
    const key = podKey(pod);
    const now = this.#clock.now();
    this.#backoffQ.delete(key);
    this.#unschedulable.delete(key);
    const existing = this.#activeQ.get(key);
    this.#push({
      podInfo: newPodInfo(pod),
      timestamp: existing?.timestamp ?? now,
      initialAttemptTimestamp: existing?.initialAttemptTimestamp ?? now,
      attempts: existing?.attempts ?? 0,
      unschedulablePlugins: new Set(),
    });
  }

  /** The pod changed: refresh it where it waits; an unschedulable pod gets another chance. */
  update(pod: Pod): void {
    const key = podKey(pod);
    const info = newPodInfo(pod);
    for (const q of [this.#activeQ, this.#backoffQ]) {
      const existing = q.get(key);
      if (existing !== undefined) {
        q.push({ ...existing, podInfo: info });
        return;
      }
    }
    const u = this.#unschedulable.get(key);
    if (u !== undefined) {
      this.#unschedulable.delete(key);
      const moved = { ...u, podInfo: info };
      if (this.#isBackingOff(moved)) this.#backoffQ.push(moved);
      else this.#push(moved);
      return;
    }
    if (!this.#inFlight.has(key)) this.add(pod);
  }

  delete(key: string): void {
    this.#activeQ.delete(key);
    this.#backoffQ.delete(key);
    this.#unschedulable.delete(key);
  }

  /** The next pod to schedule; waits while activeQ is empty. Undefined once closed or aborted. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    const q = this.#activeQ.pop();
    if (q !== undefined) return Promise.resolve(this.#popped(q));
    if (this.#closed || signal?.aborted === true) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      const waiter = (popped: QueuedPodInfo | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(popped === undefined ? undefined : this.#popped(popped));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** The pod's cycle ended (bound, given up, or requeued). */
  done(key: string): void {
    this.#inFlight.delete(key);
  }

  /**
   * A pod that did not fit (upstream AddUnschedulableIfNotPresent): to backoffQ if a move
   * request came during its cycle or it failed on an error, else to unschedulablePods.
   */
  addUnschedulable(q: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = q.podInfo.key;
    this.#inFlight.delete(key);
    if (this.#activeQ.has(key) || this.#backoffQ.has(key) || this.#unschedulable.has(key)) return;
    q.timestamp = this.#clock.now();
    if (this.#moveRequestCycle >= podSchedulingCycle || q.unschedulablePlugins.size === 0) {
      this.#backoffQ.push(q);
    } else {
      this.#unschedulable.set(key, q);
    }
  }

  /** Moves the unschedulable pods `event` may help (upstream MoveAllToActiveOrBackoffQueue). */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    const interested = INTERESTED[event];
    for (const [key, q] of this.#unschedulable) {
      const helps =
        interested.length === 0 ||
        q.unschedulablePlugins.size === 0 ||
        interested.some((p) => q.unschedulablePlugins.has(p));
      if (!helps) continue;
      this.#unschedulable.delete(key);
      if (this.#isBackingOff(q)) this.#backoffQ.push(q);
      else this.#push(q);
    }
    this.#moveRequestCycle = this.#schedulingCycle;
  }

  /** Moves backoffQ pods whose backoff expired to activeQ (upstream: every 1 s). */
  flushBackoffCompleted(): void {
    const now = this.#clock.now();
    for (;;) {
      const q = this.#backoffQ.peek();
      if (q === undefined || this.backoffExpiry(q) > now) return;
      this.#backoffQ.pop();
      this.#push(q);
    }
  }

  /** Moves pods unschedulable for longer than the maximum (upstream: every 30 s). */
  flushUnschedulableLeftover(): void {
    const now = this.#clock.now();
    for (const [key, q] of this.#unschedulable) {
      if (now - q.timestamp <= this.#maxInUnschedulableMs) continue;
      this.#unschedulable.delete(key);
      if (this.#isBackingOff(q)) this.#backoffQ.push(q);
      else this.#push(q);
    }
  }

  /** Runs the periodic flushes until `signal` aborts; then wakes every pop with undefined. */
  async run(signal: AbortSignal): Promise<void> {
    const timers: TimerHandle[] = [];
    const every = (ms: number, fn: () => void): void => {
      const tick = (): void => {
        fn();
        timers[0] = this.#clock.setTimer(tick, ms);
      };
      timers.push(this.#clock.setTimer(tick, ms));
    };
    every(1_000, () => {
      this.flushBackoffCompleted();
    });
    const unschedulableTimer: TimerHandle[] = [];
    const unschedTick = (): void => {
      this.flushUnschedulableLeftover();
      unschedulableTimer[0] = this.#clock.setTimer(unschedTick, 30_000);
    };
    unschedulableTimer[0] = this.#clock.setTimer(unschedTick, 30_000);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else
        signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
    });
    for (const t of [...timers, ...unschedulableTimer]) t.cancel();
    this.close();
  }

  close(): void {
    this.#closed = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w(undefined);
  }

  /** backoff = initial * 2^(attempts-1), capped (upstream calculateBackoffDuration). */
  backoffDurationMs(q: QueuedPodInfo): number {
    let d = this.#initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.#maxBackoffMs) return this.#maxBackoffMs;
    }
    return Math.min(d, this.#maxBackoffMs);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDurationMs(q);
  }

  #isBackingOff(q: QueuedPodInfo): boolean {
    return this.backoffExpiry(q) > this.#clock.now();
  }

  #push(q: QueuedPodInfo): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(q);
    else this.#activeQ.push(q);
  }

  #popped(q: QueuedPodInfo): QueuedPodInfo {
    this.#schedulingCycle++;
    q.attempts++;
    this.#inFlight.add(q.podInfo.key);
    return q;
  }
}
