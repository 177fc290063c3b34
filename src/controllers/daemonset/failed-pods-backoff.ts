/**
 * Upstream's failedPodsBackoff for DaemonSets (client-go flowcontrol.Backoff, 1 s doubling to
 * 15 min per DaemonSet and node): a node whose daemon pod keeps failing (typically a kubelet
 * rejecting it) gets its failed pod deleted, and so replaced, at a shrinking rate instead of in
 * a create/fail/delete hot loop. An entry quiet for twice the maximum starts over.
 */
import type { Clock } from '../../client/index.ts';

/** Upstream's 1 s initial delay and 15 min cap. */
export const FAILED_POD_BACKOFF_INITIAL_MS = 1_000;
export const FAILED_POD_BACKOFF_MAX_MS = 15 * 60_000;

interface Entry {
  durationMs: number;
  lastUpdateMs: number;
}

export class FailedPodsBackoff {
  readonly #clock: Clock;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(
    clock: Clock,
    initialMs = FAILED_POD_BACKOFF_INITIAL_MS,
    maxMs = FAILED_POD_BACKOFF_MAX_MS,
  ) {
    this.#clock = clock;
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  #expired(e: Entry, now: number): boolean {
    return now - e.lastUpdateMs > 2 * this.#maxMs;
  }

  /** IsInBackOffSinceUpdate: ms still to wait for `key`, 0 when it may act now. */
  remainingMs(key: string): number {
    const e = this.#entries.get(key);
    const now = this.#clock.now();
    if (e === undefined || this.#expired(e, now)) return 0;
    return Math.max(0, e.lastUpdateMs + e.durationMs - now);
  }

  /** Next: records an action for `key`; the following one waits twice as long. */
  next(key: string): void {
    const now = this.#clock.now();
    const e = this.#entries.get(key);
    if (e === undefined || this.#expired(e, now))
      this.#entries.set(key, { durationMs: this.#initialMs, lastUpdateMs: now });
    else {
      e.durationMs = Math.min(e.durationMs * 2, this.#maxMs);
      e.lastUpdateMs = now;
    }
  }

  /** Keys remembered (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /** Drops entries quiet for long enough to have started over anyway. */
  gc(): void {
    const now = this.#clock.now();
    for (const [k, e] of this.#entries) if (this.#expired(e, now)) this.#entries.delete(k);
  }
}
