/**
 * Upstream's RateLimitedTimedQueue (nodelifecycle/scheduler/rate_limited_queue.go): a set of
 * node names, each with a time it may be processed at, drained in that order by `tryEach` no
 * faster than a token bucket allows (burst 1, `qps` tokens per second; 0 stops it). A
 * processing function that fails gives a retry delay; the item stays. One per zone, so a zone
 * losing many nodes at once has its NoExecute taints (and so evictions) paced.
 */
import type { Clock } from '../../client/index.ts';

interface Item {
  readonly value: string;
  processAtMs: number;
  readonly addedAtMs: number;
}

export class RateLimitedTimedQueue {
  readonly #clock: Clock;
  readonly #items = new Map<string, Item>();
  #qps: number;
  #tokens = 1;
  #lastRefillMs: number;

  constructor(clock: Clock, qps: number) {
    this.#clock = clock;
    this.#qps = qps;
    this.#lastRefillMs = clock.now();
  }

  /** Adds `value` (due now) unless present; true when added. */
  add(value: string): boolean {
    if (this.#items.has(value)) return false;
    const now = this.#clock.now();
    this.#items.set(value, { value, processAtMs: now, addedAtMs: now });
    return true;
  }

  remove(value: string): boolean {
    return this.#items.delete(value);
  }

  has(value: string): boolean {
    return this.#items.has(value);
  }

  get size(): number {
    return this.#items.size;
  }

  /** SwapLimiter: a new rate; the bucket starts full unless the rate is 0. */
  setRate(qps: number): void {
    if (qps === this.#qps) return;
    this.#qps = qps;
    this.#tokens = qps > 0 ? 1 : 0;
    this.#lastRefillMs = this.#clock.now();
  }

  get rate(): number {
    return this.#qps;
  }

  /**
   * Try: processes due items in due order while tokens last. `fn` answers true when done (the
   * item goes), or a retry delay in ms (the item stays, due again after it).
   */
  async tryEach(fn: (value: string) => Promise<true | number>): Promise<void> {
    for (;;) {
      const head = [...this.#items.values()].sort(
        (a, b) => a.processAtMs - b.processAtMs || a.addedAtMs - b.addedAtMs,
      )[0];
      if (head === undefined || !this.#tryAccept()) return;
      const now = this.#clock.now();
      if (now < head.processAtMs) return;
      const result = await fn(head.value);
      if (this.#items.get(head.value) !== head) continue; // removed meanwhile
      if (result === true) this.#items.delete(head.value);
      else head.processAtMs = this.#clock.now() + result + 1;
    }
  }

  #tryAccept(): boolean {
    if (this.#qps <= 0) return false;
    const now = this.#clock.now();
    this.#tokens = Math.min(1, this.#tokens + ((now - this.#lastRefillMs) / 1000) * this.#qps);
    this.#lastRefillMs = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
