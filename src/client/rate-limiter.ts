/**
 * Rate limiters for work queues (client-go's util/workqueue/default_rate_limiters.go): each
 * says how long an item must wait before its next retry. `defaultControllerRateLimiter()` is
 * client-go's DefaultControllerRateLimiter: the worse of a per-item exponential backoff
 * (5 ms · 2^failures, capped at 1000 s) and an overall token bucket (10 qps, burst 100) that
 * only paces retries, never first attempts. Limiters count failures per item until `forget`.
 */
import { realClock } from './clock.ts';
import type { Clock } from './clock.ts';

export interface RateLimiter<T> {
  /** How long `item` should wait now (ms); counts one more failure where that applies. */
  when(item: T): number;
  /** Stops tracking `item` (it succeeded or was given up on). */
  forget(item: T): void;
  /** How many failures `item` has had since it was last forgotten. */
  numRequeues(item: T): number;
}

/** baseDelay · 2^failures, capped at maxDelay (never overflowing). */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;

  constructor(baseDelayMs: number, maxDelayMs: number) {
    this.#baseDelayMs = baseDelayMs;
    this.#maxDelayMs = maxDelayMs;
  }

  when(item: T): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    const backoff = this.#baseDelayMs * 2 ** exp;
    return Number.isFinite(backoff) && backoff <= this.#maxDelayMs ? backoff : this.#maxDelayMs;
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/** fastDelay for the first maxFastAttempts failures, slowDelay after. */
export class ItemFastSlowRateLimiter<T> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();
  readonly #fastDelayMs: number;
  readonly #slowDelayMs: number;
  readonly #maxFastAttempts: number;

  constructor(fastDelayMs: number, slowDelayMs: number, maxFastAttempts: number) {
    this.#fastDelayMs = fastDelayMs;
    this.#slowDelayMs = slowDelayMs;
    this.#maxFastAttempts = maxFastAttempts;
  }

  when(item: T): number {
    const failures = (this.#failures.get(item) ?? 0) + 1;
    this.#failures.set(item, failures);
    return failures <= this.#maxFastAttempts ? this.#fastDelayMs : this.#slowDelayMs;
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * A token bucket shared by all items (golang.org/x/time/rate's Limiter.Reserve().Delay()):
 * starts full with `burst` tokens, refills at `qps`; each `when` takes a token, going into debt
 * when empty, and answers how long until that token exists.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(qps: number, burst: number, clock: Clock = realClock) {
    this.#qps = qps;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  // The item does not matter to a shared bucket: these ignore their argument.
  readonly when: (item: T) => number = () => {
    const now = this.#clock.now();
    const elapsedMs = Math.max(0, now - this.#last);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsedMs * this.#qps) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  };

  readonly forget: (item: T) => void = () => undefined;

  readonly numRequeues: (item: T) => number = () => 0;
}

/** The worst (longest) answer of several limiters; failures counted by each. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly #limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.#limiters = limiters;
  }

  when(item: T): number {
    let worst = 0;
    for (const l of this.#limiters) worst = Math.max(worst, l.when(item));
    return worst;
  }

  forget(item: T): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let most = 0;
    for (const l of this.#limiters) most = Math.max(most, l.numRequeues(item));
    return most;
  }
}

/** Another limiter's answer, never longer than maxDelay. */
export class WithMaxWaitRateLimiter<T> implements RateLimiter<T> {
  readonly #limiter: RateLimiter<T>;
  readonly #maxDelayMs: number;

  constructor(limiter: RateLimiter<T>, maxDelayMs: number) {
    this.#limiter = limiter;
    this.#maxDelayMs = maxDelayMs;
  }

  when(item: T): number {
    return Math.min(this.#limiter.when(item), this.#maxDelayMs);
  }

  forget(item: T): void {
    this.#limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.#limiter.numRequeues(item);
  }
}

/** client-go's DefaultControllerRateLimiter: max(5 ms · 2^n capped at 1000 s, 10 qps burst 100). */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(5, 1_000_000),
    new BucketRateLimiter<T>(10, 100, clock),
  );
}
