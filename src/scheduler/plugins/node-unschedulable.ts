/**
 * NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
 * `node.kubernetes.io/unschedulable:NoSchedule` taint (upstream plugins/nodeunschedulable).
 */
import { fail } from '../framework.ts';
import type { FilterPlugin } from '../framework.ts';
import { toleratesTaint } from './taint-toleration.ts';

export const ERR_NODE_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  prepareFilter(pod) {
    const tolerates = (pod.pod.spec?.tolerations ?? []).some((t) =>
      toleratesTaint(t, UNSCHEDULABLE_TAINT),
    );
    if (tolerates) return undefined;
    return (node) =>
      node.node.spec?.unschedulable === true
        ? fail('NodeUnschedulable', ERR_NODE_UNSCHEDULABLE, true)
        : undefined;
  },
};
