/**
 * Pod readiness as upstream's podutil (pkg/api/v1/pod/util.go) and controller_utils.go define
 * it: a pod is ready when its `Ready` condition is `True`, available once it has been ready for
 * `minReadySeconds`, active while it is neither Succeeded nor Failed nor being deleted.
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.d.ts';

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Milliseconds since the epoch of an RFC 3339 time; 0 (Go's zero time) when unset or bad. */
export function timeMs(t: string | undefined): number {
  if (t === undefined || t === '') return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Ready for at least `minReadySeconds` (upstream's IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const since = timeMs(c.lastTransitionTime);
  return since !== 0 && since + minReadySeconds * 1000 < nowMs;
}

/** Not terminal and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata?.deletionTimestamp == null;
}
