/**
 * Crash-loop backoff for a supervised child, as kubelet's CrashLoopBackOff: the first restart
 * waits `initialMs`, each quick exit doubles the wait up to `maxMs`, and a child that stayed up
 * at least `resetAfterMs` starts over at `initialMs`. Pure: the caller passes the uptime.
 */
export interface RestartBackoffOptions {
  /** Default: 1,000 ms. */
  readonly initialMs?: number;
  /** Default: 30,000 ms. */
  readonly maxMs?: number;
  /** Uptime after which the backoff resets. Default: 60,000 ms. */
  readonly resetAfterMs?: number;
}

export class RestartBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #resetAfterMs: number;
  #nextMs: number;

  constructor(options: RestartBackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 1000;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#resetAfterMs = options.resetAfterMs ?? 60_000;
    this.#nextMs = this.#initialMs;
  }

  /** The delay before restarting a child that just exited after `uptimeMs`. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.#resetAfterMs) this.#nextMs = this.#initialMs;
    const delayMs = this.#nextMs;
    this.#nextMs = Math.min(this.#nextMs * 2, this.#maxMs);
    return delayMs;
  }
}
