/**
 * What pod garbage collection removes (upstream's `gc_controller.go`), as pure selections:
 * terminated pods beyond a threshold (evicted ones first, then the oldest), pods bound to nodes
 * that no longer exist, terminating pods that were never scheduled, and terminating pods on
 * NotReady nodes tainted `node.kubernetes.io/out-of-service`.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export const isPodTerminated = (p: Pod): boolean =>
  p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

const createdMs = (p: Pod): number => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;

/** The terminated pods to delete so at most `threshold` remain (0 turns this off). */
export function terminatedPodsToDelete(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const deleteCount = terminated.length - threshold;
  if (deleteCount <= 0) return [];
  const evicted = (p: Pod): number => (p.status?.reason === 'Evicted' ? 0 : 1);
  return [...terminated]
    .sort(
      (a, b) =>
        evicted(a) - evicted(b) ||
        createdMs(a) - createdMs(b) ||
        (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '', 'en'),
    )
    .slice(0, deleteCount);
}

/** Terminating pods that were never bound to a node: nothing will ever finish them. */
export function unscheduledTerminatingPods(pods: readonly Pod[]): Pod[] {
  return pods.filter(
    (p) => p.metadata?.deletionTimestamp != null && (p.spec?.nodeName ?? '') === '',
  );
}

/** Node names pods are bound to that the node cache does not know. */
export function missingNodeNames(
  pods: readonly Pod[],
  nodeExists: (name: string) => boolean,
): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const n = p.spec?.nodeName ?? '';
    if (n !== '' && !nodeExists(n)) out.add(n);
  }
  return out;
}

const isNodeReady = (n: Node): boolean =>
  (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Terminating pods on NotReady nodes carrying the out-of-service taint. */
export function terminatingPodsOnOutOfServiceNodes(
  pods: readonly Pod[],
  node: (name: string) => Node | undefined,
): Pod[] {
  return pods.filter((p) => {
    if (p.metadata?.deletionTimestamp == null) return false;
    const n = node(p.spec?.nodeName ?? '');
    if (n === undefined || isNodeReady(n)) return false;
    return (n.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT);
  });
}
