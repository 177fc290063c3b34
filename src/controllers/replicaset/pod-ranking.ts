/**
 * Which pods a ReplicaSet deletes first when it scales down: upstream's ActivePodsWithRanks
 * (controller_utils.go, v1.33, with PodDeletionCost and LogarithmicScaleDown on as by default)
 * and getPodsToDelete (replica_set.go). Earlier in the order is deleted first:
 * unscheduled < scheduled; Pending < Unknown < Running; not ready < ready; lower
 * `controller.kubernetes.io/pod-deletion-cost`; more related pods on the same node; ready for
 * less time (log2 buckets); more container restarts; created more recently (log2 buckets).
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isPodActive, isPodReady, podReadyCondition, timeMs } from '../util/pod-readiness.ts';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: Pod): number {
  return PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;
}

/** Upstream's helper.GetDeletionCostFromPodAnnotations: an int32, 0 when absent or invalid. */
export function podDeletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n < -(2 ** 31) || n > 2 ** 31 - 1 ? 0 : n;
}

function podReadyTimeMs(pod: Pod): number {
  const c = podReadyCondition(pod);
  return c?.status === 'True' ? timeMs(c.lastTransitionTime) : 0;
}

function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount);
  return max;
}

/** Go's int(math.Log2(float64(duration in ns))), -1 for a non-positive duration. */
function logRank(sinceMs: number, nowMs: number): number {
  const ns = (nowMs - sinceMs) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** afterOrZero: a zero time sorts first, then the later time. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** Less for times compared in log2 buckets of age; ties broken by UID, as upstream. */
function lessByAge(a: Pod, b: Pod, ta: number, tb: number, nowMs: number): boolean {
  if (nowMs === 0 || ta === 0 || tb === 0) return afterOrZero(ta, tb);
  const diff = logRank(ta, nowMs) - logRank(tb, nowMs);
  if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
  return diff < 0;
}

export interface RankedPod {
  readonly pod: Pod;
  /** Related active pods on the same node (higher is deleted first). */
  readonly rank: number;
}

/** ActivePodsWithRanks.Less: true when `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod, nowMs: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const oa = phaseOrdinal(pa);
  const ob = phaseOrdinal(pb);
  if (oa !== ob) return oa < ob;
  const ra = isPodReady(pa);
  if (ra !== isPodReady(pb)) return !ra;
  const ca = podDeletionCost(pa);
  const cb = podDeletionCost(pb);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (ra) {
    const ta = podReadyTimeMs(pa);
    const tb = podReadyTimeMs(pb);
    if (ta !== tb) return lessByAge(pa, pb, ta, tb, nowMs);
  }
  const xa = maxContainerRestarts(pa);
  const xb = maxContainerRestarts(pb);
  if (xa !== xb) return xa > xb;
  const ta = timeMs(pa.metadata?.creationTimestamp);
  const tb = timeMs(pb.metadata?.creationTimestamp);
  if (ta !== tb) return lessByAge(pa, pb, ta, tb, nowMs);
  return false;
}

/**
 * The `diff` pods to delete from `pods` (upstream's getPodsToDelete): ranked only when some
 * survive. `relatedPods` are the pods of every ReplicaSet of the same owner; a pod sharing its
 * node with more of them goes first (spreading what remains).
 */
export function podsToDelete(
  pods: readonly Pod[],
  relatedPods: readonly Pod[],
  diff: number,
  nowMs: number,
): Pod[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    const node = p.spec?.nodeName ?? '';
    if (node !== '' && isPodActive(p)) onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  // A stable sort by a strict weak order, as Go's sort.Sort gives for these comparisons.
  ranked.sort((a, b) => (deleteBefore(a, b, nowMs) ? -1 : deleteBefore(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
