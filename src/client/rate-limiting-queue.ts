/**
 * A delaying queue whose retries wait as a rate limiter says (client-go's
 * rate_limiting_queue.go): `addRateLimited` after a failure, `forget` after a success (or when
 * giving up), or the limiter tracks the item forever. `forget` does not replace `done`.
 */
import { DelayingQueue } from './delaying-queue.ts';
import type { DelayingQueueOptions } from './delaying-queue.ts';
import { defaultControllerRateLimiter } from './rate-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface RateLimitingQueueOptions<T> extends DelayingQueueOptions {
  /** Default: `defaultControllerRateLimiter()` on the queue's clock. */
  readonly rateLimiter?: RateLimiter<T> | undefined;
}

export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly #limiter: RateLimiter<T>;

  constructor(options: RateLimitingQueueOptions<T> = {}) {
    super(options);
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Adds `item` once the rate limiter allows it (one more failure counted). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.#limiter.when(item));
  }

  forget(item: T): void {
    this.#limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.#limiter.numRequeues(item);
  }
}
