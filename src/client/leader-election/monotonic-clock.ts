/**
 * A `Clock` that never jumps: epoch milliseconds at process start plus the monotonic time since
 * (`performance.now()`), as Go's time.Now carries a monotonic reading that Sub/After use. Leader
 * election measures "unchanged for a lease duration" on it, so an NTP step of the wall clock
 * neither shortens nor stretches a lease. Timers are Node's, which are monotonic already.
 */
import { performance } from 'node:perf_hooks';
import { realClock } from '../clock.ts';
import type { Clock } from '../clock.ts';

export const monotonicClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer: (callback, delayMs) => realClock.setTimer(callback, delayMs),
};
