/**
 * Time as the client's queues, rate limiters and backoffs see it, injected so tests step it
 * (client-go's clock.WithTicker / testingclock.FakeClock). `FakeClock.step` fires every timer
 * that falls due, in due order, including timers those callbacks set within the step.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs` (0 or less: on the next turn). */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => {
    const t = setTimeout(callback, Math.max(0, delayMs));
    return {
      cancel: () => {
        clearTimeout(t);
      },
    };
  },
};

/** Resolves after `delayMs` on `clock`, or at once (without throwing) when `signal` aborts. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimer(done, delayMs);
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface FakeTimer {
  readonly dueAt: number;
  readonly seq: number;
  readonly callback: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: FakeTimer = {
      dueAt: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
    };
    this.#timers.push(timer);
    return {
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Advances time by `ms`, firing due timers in order. */
  step(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#timers
        .filter((t) => t.dueAt <= target)
        .sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.dueAt);
      next.callback();
    }
    this.#now = target;
  }
}
