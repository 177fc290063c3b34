/**
 * Upstream's exponential backoff of volume operations (pkg/util/goroutinemap/exponentialbackoff
 * as nestedpendingoperations uses it, v1.33): after an operation on a key fails, it may not run
 * again for 500 ms; each further failure doubles the wait, up to 2m2s; a success forgets the
 * key, so the next failure waits 500 ms again. The wait counts from the last failure. Time
 * comes from the injected `now`.
 */
import { ItemExponentialFailureRateLimiter } from '../../client/index.ts';

/** Upstream's initialDurationBeforeRetry. */
export const INITIAL_RETRY_MS = 500;
/** Upstream's maxDurationBeforeRetry (2m2s: "slightly offset from 2 minutes" to stand out). */
export const MAX_RETRY_MS = 2 * 60_000 + 2_000;

interface LastFailure {
  readonly atMs: number;
  readonly durationMs: number;
}

export interface OperationBackoffOptions {
  /** Milliseconds since the epoch. Default: Date.now. */
  readonly now?: (() => number) | undefined;
  /** Default: 500 ms. */
  readonly initialMs?: number | undefined;
  /** Default: 122,000 ms. */
  readonly maxMs?: number | undefined;
}

export class OperationBackoff {
  readonly #now: () => number;
  /** The doubling durations (500 ms · 2^failures, capped), as the work queue's limiter. */
  readonly #durations: ItemExponentialFailureRateLimiter<string>;
  readonly #failures = new Map<string, LastFailure>();

  constructor(options: OperationBackoffOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#durations = new ItemExponentialFailureRateLimiter<string>(
      options.initialMs ?? INITIAL_RETRY_MS,
      options.maxMs ?? MAX_RETRY_MS,
    );
  }

  /** How long until `key` may run again; 0 when it may run now (upstream's SafeToRetry). */
  remainingMs(key: string): number {
    const f = this.#failures.get(key);
    return f === undefined ? 0 : Math.max(0, f.atMs + f.durationMs - this.#now());
  }

  /** The wait that the last failure of `key` started (0: none). */
  durationMs(key: string): number {
    return this.#failures.get(key)?.durationMs ?? 0;
  }

  /** Records a failure now: the first waits the initial duration, each next one twice more. */
  failed(key: string): void {
    this.#failures.set(key, { atMs: this.#now(), durationMs: this.#durations.when(key) });
  }

  /** Records a success: the key starts over. */
  succeeded(key: string): void {
    this.#failures.delete(key);
    this.#durations.forget(key);
  }

  /** Forgets the keys for which `keep` is false. */
  retain(keep: (key: string) => boolean): void {
    for (const key of [...this.#failures.keys()]) if (!keep(key)) this.succeeded(key);
  }
}
