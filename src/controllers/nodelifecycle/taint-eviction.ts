/**
 * When a pod on a node with NoExecute taints must go (upstream's tainteviction
 * processPodOnNode, GetMatchingTolerations and getMinTolerationTime): at once when some taint is
 * not tolerated, never when every matching toleration is unbounded, else after the smallest
 * tolerationSeconds of the tolerations used (0 or less: at once).
 *
 * The countdown starts when the taint was added (its `timeAdded`), or when the pod was created
 * if that is later — not, as upstream, when this controller first saw the pair. Chosen so that
 * a new controller-manager leader does not restart every countdown (HA failover would otherwise
 * delay evictions by a whole tolerationSeconds); a pod bound to an already tainted node still
 * gets its full toleration. Pure functions.
 */
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.d.ts';
import { toleratesTaint } from '../util/node-placement.ts';
import { timeMs } from '../util/pod-readiness.ts';

export type EvictionDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'now' }
  | { readonly kind: 'at'; readonly atMs: number };

/** GetMatchingTolerations: whether all taints are tolerated, and the first toleration used for each. */
export function matchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (t === undefined) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/** getMinTolerationTime in ms: -1 for forever, 0 for none. */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds * 1000);
  }
  return min === Infinity ? -1 : min;
}

/** The decision for `pod` on a node whose NoExecute taints are `taints` (others ignored). */
export function evictionDecision(
  pod: Pod,
  taints: readonly Taint[],
  nowMs: number,
): EvictionDecision {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { kind: 'none' };
  const { allTolerated, used } = matchingTolerations(noExecute, pod.spec?.tolerations ?? []);
  if (!allTolerated) return { kind: 'now' };
  const min = minTolerationMs(used);
  if (min < 0) return { kind: 'none' };
  const added = noExecute.map((t) => timeMs(t.timeAdded)).filter((ms) => ms > 0);
  const taintedMs = added.length === 0 ? nowMs : Math.min(...added);
  const startMs = Math.max(taintedMs, timeMs(pod.metadata?.creationTimestamp));
  const atMs = startMs + min;
  return atMs <= nowMs ? { kind: 'now' } : { kind: 'at', atMs };
}
