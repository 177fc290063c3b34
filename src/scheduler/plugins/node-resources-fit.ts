/**
 * NodeResourcesFit (upstream plugins/noderesources/fit.go): Filter checks the pod count and the
 * cpu, memory, ephemeral-storage and scalar (extended, hugepages) requests against allocatable
 * minus what the node's pods (assumed ones included) request, with upstream's reasons ("Too
 * many pods", "Insufficient cpu", "Insufficient example.com/gpu"); a pod requesting nothing fits
 * on pod count alone. Score is LeastAllocated over cpu and memory (weight 1 each) on the
 * non-zero requests, integer arithmetic as upstream; BalancedAllocation scores how close the
 * cpu and memory fractions stay, on the actual requests.
 */
import { MAX_NODE_SCORE } from '../framework.ts';
import type { FilterPlugin, ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { Resources } from '../resources.ts';

export function insufficientResources(req: Resources, node: NodeInfo): string[] {
  const reasons: string[] = [];
  const a = node.allocatable;
  if (node.pods.size + 1 > a.pods) reasons.push('Too many pods');
  if (req.milliCpu === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0)
    return reasons;
  const used = node.requested;
  if (req.milliCpu > 0 && req.milliCpu > a.milliCpu - used.milliCpu)
    reasons.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > a.memory - used.memory) reasons.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage)
    reasons.push('Insufficient ephemeral-storage');
  for (const [name, want] of req.scalar) {
    if (want > 0 && want > (a.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0))
      reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** Upstream's leastRequestedScore: (capacity - requested) * MAX / capacity, integer division. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const nodeResourcesFit: FilterPlugin & ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  prepareFilter(pod) {
    const req = pod.requests;
    const scalars = [...req.scalar].filter(([, want]) => want > 0);
    const requestsNothing =
      req.milliCpu === 0 && req.memory === 0 && req.ephemeralStorage === 0 && scalars.length === 0;
    return (node) => {
      // The common case, a node that fits, allocates nothing (this runs for hundreds of nodes
      // per pod); the reasons are built only for a node that does not.
      const a = node.allocatable;
      const used = node.requested;
      if (
        node.pods.size + 1 <= a.pods &&
        (requestsNothing ||
          ((req.milliCpu === 0 || req.milliCpu <= a.milliCpu - used.milliCpu) &&
            (req.memory === 0 || req.memory <= a.memory - used.memory) &&
            (req.ephemeralStorage === 0 ||
              req.ephemeralStorage <= a.ephemeralStorage - used.ephemeralStorage) &&
            scalars.every(
              ([name, want]) => want <= (a.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0),
            )))
      )
        return undefined;
      const reasons = insufficientResources(req, node);
      return reasons.length === 0
        ? undefined
        : { plugin: 'NodeResourcesFit', reasons, unresolvable: false };
    };
  },
  prepareScore(pod) {
    const req = pod.nonZeroRequests;
    return (node) => {
      // Resources a node does not have (allocatable 0) are left out of the average.
      let score = 0;
      let weights = 0;
      const a = node.allocatable;
      if (a.milliCpu > 0) {
        score += leastRequestedScore(node.nonZeroRequested.milliCpu + req.milliCpu, a.milliCpu);
        weights++;
      }
      if (a.memory > 0) {
        score += leastRequestedScore(node.nonZeroRequested.memory + req.memory, a.memory);
        weights++;
      }
      return weights === 0 ? 0 : Math.trunc(score / weights);
    };
  },
};

/**
 * NodeResourcesBalancedAllocation: (1 - standard deviation of the cpu and memory fractions
 * requested after placing the pod) * MAX; each fraction capped at 1, a resource the node does
 * not have left out (one fraction left: deviation 0).
 */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  prepareScore(pod) {
    const req = pod.requests;
    return (node) => {
      const a = node.allocatable;
      const fractions: number[] = [];
      if (a.milliCpu > 0)
        fractions.push(Math.min(1, (node.requested.milliCpu + req.milliCpu) / a.milliCpu));
      if (a.memory > 0)
        fractions.push(Math.min(1, (node.requested.memory + req.memory) / a.memory));
      const [fc, fm] = fractions;
      const std = fc !== undefined && fm !== undefined ? Math.abs(fc - fm) / 2 : 0;
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    };
  },
};
