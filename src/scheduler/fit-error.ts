/**
 * The FailedScheduling message (upstream framework/types.go FitError.Error): "0/N nodes are
 * available: " + the reasons histogram ("<count> <reason>", sorted as strings, comma-joined) +
 * ".", then the PostFilter (preemption) message. k8ts does not preempt, so every node reads as
 * "Preemption is not helpful for scheduling", as upstream reports for a pod no eviction helps.
 */
import type { FilterFailure } from './framework.ts';

export interface Diagnosis {
  readonly numAllNodes: number;
  /** Per rejected node, why. */
  readonly failures: ReadonlyMap<string, FilterFailure>;
  /** Set when the pod was rejected before any node was considered. */
  readonly preFilterMessage?: string;
}

export function fitErrorMessage(d: Diagnosis): string {
  const head = `0/${d.numAllNodes} nodes are available:`;
  let msg: string;
  if (d.preFilterMessage !== undefined) {
    msg = `${head} ${d.preFilterMessage}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const f of d.failures.values())
      for (const r of f.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    const reasons = [...histogram].map(([r, n]) => `${n} ${r}`).sort();
    msg = `${head} ${reasons.join(', ')}.`;
  }
  return `${msg} preemption: ${head} ${d.numAllNodes} Preemption is not helpful for scheduling.`;
}

/** The plugins that rejected the pod somewhere (upstream's UnschedulablePlugins). */
export function unschedulablePlugins(d: Diagnosis): Set<string> {
  return new Set([...d.failures.values()].map((f) => f.plugin));
}
