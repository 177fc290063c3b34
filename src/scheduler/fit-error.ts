/**
 * The FailedScheduling message (upstream framework/types.go FitError.Error): "0/N nodes are
 * available:" then either the PreFilter message or the reasons histogram ("<count> <reason>",
 * sorted as strings, comma-joined), each followed by ".", then the PostFilter (preemption)
 * message, e.g. "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient
 * cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No
 * preemption victims found for incoming pod."
 */
import type { FilterFailure } from './framework.ts';

export interface Diagnosis {
  readonly numAllNodes: number;
  /** Per rejected node, why. */
  readonly failures: ReadonlyMap<string, FilterFailure>;
  /** Set when the pod was rejected before any node was considered. */
  readonly preFilterMessage?: string;
  /** What PostFilter (preemption) said, `preemption: ...` (see `preemptionMessage`). */
  readonly postFilterMessage?: string;
}

export const NO_NODE_AVAILABLE = (numAllNodes: number): string =>
  `0/${String(numAllNodes)} nodes are available:`;

/** "<count> <reason>" over every node's reasons, sorted as strings, comma-joined. */
export function reasonsHistogram(reasonsPerNode: Iterable<readonly string[]>): string {
  const histogram = new Map<string, number>();
  for (const reasons of reasonsPerNode)
    for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  return [...histogram]
    .map(([r, n]) => `${String(n)} ${r}`)
    .sort()
    .join(', ');
}

export function fitErrorMessage(d: Diagnosis): string {
  let msg = NO_NODE_AVAILABLE(d.numAllNodes);
  if (d.preFilterMessage !== undefined) {
    msg += ` ${d.preFilterMessage}.`;
  } else {
    const histogram = reasonsHistogram([...d.failures.values()].map((f) => f.reasons));
    if (histogram !== '') msg += ` ${histogram}.`;
  }
  if (d.postFilterMessage !== undefined) msg += ` ${d.postFilterMessage}`;
  return msg;
}

/** The plugins that rejected the pod somewhere (upstream's UnschedulablePlugins). */
export function unschedulablePlugins(d: Diagnosis): Set<string> {
  return new Set([...d.failures.values()].map((f) => f.plugin));
}
