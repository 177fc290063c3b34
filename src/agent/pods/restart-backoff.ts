/**
 * client-go's flowcontrol.Backoff as the kubelet uses it for crash loops and image pulls: per
 * key, the delay starts at `initialMs` (10 s) and doubles on every `next` up to `maxMs` (5 min);
 * `isInBackOffSince(key, eventMs)` is true while less than the current delay has passed since
 * the event (a container's exit, a failed pull). An entry untouched for twice the maximum
 * starts over, so a container that ran fine for 10 minutes crashes into a 10 s delay again.
 */
import { realClock } from '../../client/index.ts';
import type { Clock } from '../../client/index.ts';

interface Entry {
  delayMs: number;
  lastUpdateMs: number;
}

export class RestartBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(
    options: {
      initialMs?: number | undefined;
      maxMs?: number | undefined;
      clock?: Clock | undefined;
    } = {},
  ) {
    this.#initialMs = options.initialMs ?? 10_000;
    this.#maxMs = options.maxMs ?? 300_000;
    this.#clock = options.clock ?? realClock;
  }

  /** The current delay for `key` (0 when it has none). */
  get(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** Records an event at `eventMs`: starts the delay at its initial value, or doubles it. */
  next(key: string, eventMs: number): void {
    const e = this.#entries.get(key);
    if (e === undefined || this.#expired(e, eventMs)) {
      this.#entries.set(key, { delayMs: this.#initialMs, lastUpdateMs: eventMs });
      return;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.#maxMs);
    e.lastUpdateMs = eventMs;
  }

  /** True while the delay for `key` has not yet passed since `eventMs`. */
  isInBackOffSince(key: string, eventMs: number): boolean {
    const e = this.#entries.get(key);
    if (e === undefined || this.#expired(e, this.#clock.now())) return false;
    return this.#clock.now() - eventMs < e.delayMs;
  }

  /** How long until `key` is out of backoff for an event at `eventMs` (0: now). */
  remainingMs(key: string, eventMs: number): number {
    const e = this.#entries.get(key);
    if (e === undefined) return 0;
    return Math.max(0, eventMs + e.delayMs - this.#clock.now());
  }

  /** Forgets keys not in `keep` (pods that are gone). */
  retain(keep: (key: string) => boolean): void {
    for (const key of this.#entries.keys()) if (!keep(key)) this.#entries.delete(key);
  }

  #expired(e: Entry, nowMs: number): boolean {
    return nowMs - e.lastUpdateMs > 2 * this.#maxMs;
  }
}

/** A duration as Go prints it (`10s`, `1m20s`, `5m0s`), for upstream's messages. */
export function goDurationText(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${String(totalSeconds)}s`;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return `${String(minutes)}m${String(seconds)}s`;
  return `${String(Math.floor(minutes / 60))}h${String(minutes % 60)}m${String(seconds)}s`;
}
