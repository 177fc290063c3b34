/**
 * What upstream's DefaultPreemption PostFilter says about a pod no node fits (preemption.go
 * Evaluator.Preempt + default_preemption.go SelectVictimsOnNode), without evicting anything:
 * k8ts does not preempt. Per node: rejected as unresolvable -> "Preemption is not helpful for
 * scheduling"; no pod of lower priority on it -> "No preemption victims found for incoming
 * pod"; still rejected with every lower-priority pod removed -> that rejection's reasons; would
 * fit then -> "k8ts does not preempt lower-priority pods" (where upstream would evict them). A
 * pod with preemptionPolicy Never gets upstream's "not eligible due to preemptionPolicy=Never.".
 */
import { NO_NODE_AVAILABLE, reasonsHistogram } from './fit-error.ts';
import type { FilterFailure, NodeFilter } from './framework.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_PREEMPTING = 'k8ts does not preempt lower-priority pods';

export function preemptionMessage(
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  failures: ReadonlyMap<string, FilterFailure>,
  filters: readonly NodeFilter[],
): string {
  if (pod.pod.spec?.preemptionPolicy === 'Never')
    return 'preemption: not eligible due to preemptionPolicy=Never.';
  const perNode = nodes.map((node): readonly string[] => {
    const failure = failures.get(node.name);
    if (failure === undefined || failure.unresolvable) return [NOT_HELPFUL];
    const victims = [...node.pods.values()].filter((p) => p.priority < pod.priority);
    if (victims.length === 0) return [NO_VICTIMS];
    const without = node.withoutPods(victims.map((v) => v.key));
    for (const f of filters) {
      const still = f(without);
      if (still !== undefined) return still.reasons;
    }
    return [NOT_PREEMPTING];
  });
  return `preemption: ${NO_NODE_AVAILABLE(nodes.length)} ${reasonsHistogram(perNode)}.`;
}
