/**
 * A work queue that can add an item later (client-go's delaying_queue.go), so failed items are
 * retried without a hot loop. Waiting items are kept sorted by ready time, one per item: adding
 * a waiting item again only moves it earlier, never later. One timer on the injected clock fires
 * at the earliest ready time. Shutting down drops the waiting items.
 */
import { realClock } from './clock.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { WorkQueue } from './work-queue.ts';

export interface DelayingQueueOptions {
  /** Default: the real clock. */
  readonly clock?: Clock | undefined;
}

interface Waiting<T> {
  readonly item: T;
  readyAt: number;
}

export class DelayingQueue<T> extends WorkQueue<T> {
  protected readonly clock: Clock;
  /** Sorted by readyAt; a sorted array is simple and fast enough for controller-sized queues. */
  #waiting: Waiting<T>[] = [];
  readonly #byItem = new Map<T, Waiting<T>>();
  #timer: { handle: TimerHandle; at: number } | undefined;

  constructor(options: DelayingQueueOptions = {}) {
    super();
    this.clock = options.clock ?? realClock;
  }

  /** Adds `item` after `delayMs` (at once when ≤ 0). Ignored after shutdown. */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown()) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.#byItem.get(item);
    if (existing !== undefined) {
      if (existing.readyAt <= readyAt) return;
      this.#waiting.splice(this.#waiting.indexOf(existing), 1);
      existing.readyAt = readyAt;
      this.#insert(existing);
    } else {
      const entry = { item, readyAt };
      this.#byItem.set(item, entry);
      this.#insert(entry);
    }
    this.#arm();
  }

  /** Items waiting for their delay; for information only. */
  waitingLen(): number {
    return this.#waiting.length;
  }

  override shutDown(): void {
    this.#stopWaiting();
    super.shutDown();
  }

  override shutDownWithDrain(): Promise<void> {
    this.#stopWaiting();
    return super.shutDownWithDrain();
  }

  #insert(entry: Waiting<T>): void {
    let lo = 0;
    let hi = this.#waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#waiting[mid]?.readyAt ?? 0) <= entry.readyAt) lo = mid + 1;
      else hi = mid;
    }
    this.#waiting.splice(lo, 0, entry);
  }

  /** Keeps one timer set for the earliest ready time. */
  #arm(): void {
    const first = this.#waiting[0];
    if (first === undefined) {
      this.#timer?.handle.cancel();
      this.#timer = undefined;
      return;
    }
    if (this.#timer !== undefined && this.#timer.at <= first.readyAt) return;
    this.#timer?.handle.cancel();
    const at = first.readyAt;
    this.#timer = {
      at,
      handle: this.clock.setTimer(() => {
        this.#fire();
      }, at - this.clock.now()),
    };
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.clock.now();
    let ready = 0;
    while (ready < this.#waiting.length && (this.#waiting[ready]?.readyAt ?? Infinity) <= now)
      ready++;
    const due = this.#waiting.splice(0, ready);
    for (const entry of due) {
      this.#byItem.delete(entry.item);
      this.add(entry.item);
    }
    this.#arm();
  }

  #stopWaiting(): void {
    this.#timer?.handle.cancel();
    this.#timer = undefined;
    this.#waiting = [];
    this.#byItem.clear();
  }
}
