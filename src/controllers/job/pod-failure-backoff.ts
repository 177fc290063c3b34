/**
 * The delay before a Job replaces failed pods (upstream's backoffRecord and podBackoffStore,
 * pkg/controller/job/backoff_utils.go): after N failures since the last success, new pods wait
 * `base * 2^(N-1)` (capped at `max`) from the last failure, so a crash-looping Job creates pods
 * at a bounded, shrinking rate instead of hot-looping. A success resets the count. Kept in
 * memory per Job, as upstream: a new leader starts with no delay.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { timeMs } from '../util/pod-readiness.ts';

/** Upstream's DefaultJobPodFailureBackOff. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** Upstream's MaxJobPodFailureBackOff. */
export const MAX_POD_FAILURE_BACKOFF_MS = 360_000;

export interface BackoffRecord {
  readonly failuresAfterLastSuccess: number;
  /** When the last counted failure happened (ms since the epoch); 0 when none. */
  readonly lastFailureMs: number;
}

/** When a finished pod finished: its containers' latest finishedAt, else `fallbackMs`. */
export function podFinishedMs(pod: Pod, fallbackMs: number): number {
  let latest = 0;
  for (const s of [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ])
    latest = Math.max(latest, timeMs(s.state?.terminated?.finishedAt));
  return latest === 0 ? fallbackMs : latest;
}

/**
 * newBackoffRecord: the record after `newSucceeded` and `newFailed` finished pods were seen. A
 * success restarts the count from the failures that finished after the latest success.
 */
export function nextBackoffRecord(
  prev: BackoffRecord | undefined,
  newSucceeded: readonly Pod[],
  newFailed: readonly Pod[],
  nowMs: number,
): BackoffRecord {
  const base: BackoffRecord = prev ?? { failuresAfterLastSuccess: 0, lastFailureMs: 0 };
  if (newSucceeded.length === 0 && newFailed.length === 0) return base;
  const lastSuccess = Math.max(0, ...newSucceeded.map((p) => podFinishedMs(p, nowMs)));
  const failures = newFailed.map((p) => podFinishedMs(p, nowMs));
  const lastFailureMs = Math.max(base.lastFailureMs, ...failures);
  if (newSucceeded.length === 0)
    return {
      failuresAfterLastSuccess: base.failuresAfterLastSuccess + failures.length,
      lastFailureMs,
    };
  return {
    failuresAfterLastSuccess: failures.filter((t) => t > lastSuccess).length,
    lastFailureMs,
  };
}

/** getRemainingTime: ms to wait before creating pods; 0 when none. */
export function remainingBackoffMs(
  record: BackoffRecord | undefined,
  nowMs: number,
  baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (record === undefined || record.failuresAfterLastSuccess === 0) return 0;
  const exp = Math.min(record.failuresAfterLastSuccess - 1, 30);
  const backoff = Math.min(baseMs * 2 ** exp, maxMs);
  return Math.max(0, backoff - Math.max(0, nowMs - record.lastFailureMs));
}
