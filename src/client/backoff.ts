/**
 * Jittered, capped exponential backoff with reset, as client-go's wait.Backoff.DelayWithReset
 * that paces a reflector's relists: each delay is `d · (1 + jitter · random)` where d starts at
 * `initialMs` and multiplies by `factor` up to `maxMs`; a delay asked for more than
 * `resetAfterMs` after the previous one starts over from `initialMs`.
 */
import { realClock } from './clock.ts';
import type { Clock } from './clock.ts';

export interface BackoffOptions {
  /** Default: 800 ms (client-go's reflector). */
  readonly initialMs?: number | undefined;
  /** Default: 30,000 ms. */
  readonly maxMs?: number | undefined;
  /** Default: 2. */
  readonly factor?: number | undefined;
  /** Up to this fraction is added at random. Default: 1.0. */
  readonly jitter?: number | undefined;
  /** Quiet time after which the backoff starts over. Default: 120,000 ms. */
  readonly resetAfterMs?: number | undefined;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #resetAfterMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #durationMs: number;
  #lastAt: number | undefined;

  constructor(options: BackoffOptions = {}, clock: Clock = realClock, random = Math.random) {
    this.#initialMs = options.initialMs ?? 800;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 1;
    this.#resetAfterMs = options.resetAfterMs ?? 120_000;
    this.#clock = clock;
    this.#random = random;
    this.#durationMs = this.#initialMs;
  }

  /** The delay to wait now; the next one is longer. */
  next(): number {
    const now = this.#clock.now();
    if (this.#lastAt !== undefined && now - this.#lastAt > this.#resetAfterMs) this.reset();
    this.#lastAt = now;
    const d = this.#durationMs;
    this.#durationMs = Math.min(this.#durationMs * this.#factor, this.#maxMs);
    return this.#jitter > 0 ? d + this.#random() * this.#jitter * d : d;
  }

  reset(): void {
    this.#durationMs = this.#initialMs;
  }
}
