/**
 * NodeResourcesFit (upstream plugins/noderesources/fit.go): Filter checks the pod count and the
 * cpu, memory and ephemeral-storage requests against allocatable minus what the node's pods
 * (assumed ones included) request, with upstream's reasons ("Too many pods", "Insufficient
 * cpu"); a pod requesting nothing fits on pod count alone. Score is LeastAllocated over cpu and
 * memory (weight 1 each) on the non-zero requests.
 */
import { MAX_NODE_SCORE } from '../framework.ts';
import type { FilterPlugin, ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';

export function insufficientResources(
  req: { milliCpu: number; memory: number; ephemeralStorage: number },
  node: NodeInfo,
): string[] {
  const reasons: string[] = [];
  const a = node.allocatable;
  if (node.pods.size + 1 > a.pods) reasons.push('Too many pods');
  if (req.milliCpu === 0 && req.memory === 0 && req.ephemeralStorage === 0) return reasons;
  const used = node.requested;
  if (req.milliCpu > 0 && req.milliCpu > a.milliCpu - used.milliCpu)
    reasons.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > a.memory - used.memory) reasons.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage)
    reasons.push('Insufficient ephemeral-storage');
  return reasons;
}

/** (allocatable - requested) * MAX / allocatable, 0 when over-requested or nothing allocatable. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return ((capacity - requested) * MAX_NODE_SCORE) / capacity;
}

export const nodeResourcesFit: FilterPlugin & ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  prepareFilter(pod) {
    return (node) => {
      const reasons = insufficientResources(pod.requests, node);
      return reasons.length === 0
        ? undefined
        : { plugin: 'NodeResourcesFit', reasons, unresolvable: false };
    };
  },
  prepareScore(pod) {
    const req = pod.nonZeroRequests;
    return (node) => {
      const cpu = leastRequested(
        node.nonZeroRequested.milliCpu + req.milliCpu,
        node.allocatable.milliCpu,
      );
      const mem = leastRequested(
        node.nonZeroRequested.memory + req.memory,
        node.allocatable.memory,
      );
      return Math.trunc((cpu + mem) / 2);
    };
  },
};

/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory fractions stay close
 * after placing the pod: (1 - standard deviation of the fractions) * MAX.
 */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  prepareScore(pod) {
    const req = pod.nonZeroRequests;
    return (node) => {
      const a = node.allocatable;
      if (a.milliCpu === 0 || a.memory === 0) return 0;
      const fc = Math.min(1, (node.nonZeroRequested.milliCpu + req.milliCpu) / a.milliCpu);
      const fm = Math.min(1, (node.nonZeroRequested.memory + req.memory) / a.memory);
      const std = Math.abs(fc - fm) / 2;
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    };
  },
};
