/**
 * PodTopologySpread (upstream plugins/podtopologyspread). Filter: for each DoNotSchedule
 * constraint, placing the pod on a node must keep `count(domain) + self - min(domains)` within
 * maxSkew, counting matching pods in the pod's namespace on nodes that pass its node affinity
 * and carry every constraint's topologyKey; a node without the key is rejected as unresolvable.
 * Score: ScheduleAnyway constraints weigh domain counts by log(domains + 2), reversed. A pod with
 * no constraints gets upstream's system defaults (hostname maxSkew 3, zone maxSkew 5,
 * ScheduleAnyway); upstream selects its replicas through the owning Service/ReplicaSet's
 * selector, k8ts through the controller ownerReference's UID (the same pods for one workload).
 */
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.d.ts';
import { LabelSelector } from '../../api/selectors/index.ts';
import { MAX_NODE_SCORE, fail } from '../framework.ts';
import type { FilterPlugin, NodeFilter, ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.ts';

export const ERR_TOPOLOGY_MISMATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_TOPOLOGY_MISSING_LABEL = `${ERR_TOPOLOGY_MISMATCH} (missing required label)`;
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  /** Matching pods on a node (the namespace is checked here too). */
  count(node: NodeInfo): number;
  readonly selfMatch: number;
}

function constraintsOf(
  pod: PodInfo,
  when: TopologySpreadConstraint['whenUnsatisfiable'],
): Constraint[] {
  const explicit = pod.pod.spec?.topologySpreadConstraints ?? [];
  if (explicit.length === 0) {
    if (when !== 'ScheduleAnyway' || pod.ownerUid === undefined) return [];
    const owner = pod.ownerUid;
    const count = (node: NodeInfo): number => node.ownerCounts.get(owner) ?? 0;
    return [
      { maxSkew: 3, topologyKey: HOSTNAME_LABEL, minDomains: 1, count, selfMatch: 1 },
      { maxSkew: 5, topologyKey: ZONE_LABEL, minDomains: 1, count, selfMatch: 1 },
    ];
  }
  return explicit
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => {
      const base = LabelSelector.fromObject(c.labelSelector);
      const extra = (c.matchLabelKeys ?? []).flatMap((k) => {
        const v = pod.labels[k];
        return v === undefined ? [] : [[k, v] as const];
      });
      const matches = (labels: Readonly<Record<string, string>>): boolean =>
        base.matches(labels) && extra.every(([k, v]) => labels[k] === v);
      const count = (node: NodeInfo): number => {
        let n = 0;
        for (const other of node.pods.values()) {
          if (other.namespace === pod.namespace && matches(other.labels)) n++;
        }
        return n;
      };
      return {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        minDomains: c.minDomains ?? 1,
        count,
        selfMatch: matches(pod.labels) ? 1 : 0,
      };
    });
}

function hasAllKeys(node: NodeInfo, constraints: readonly Constraint[]): boolean {
  return constraints.every((c) => node.labels[c.topologyKey] !== undefined);
}

/** Per constraint: matching pods per topology value, over the nodes the pod could go to. */
function countByDomain(
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  constraints: readonly Constraint[],
): Map<string, number>[] {
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of nodes) {
    if (!hasAllKeys(node, constraints)) continue;
    if (!podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) continue;
    constraints.forEach((c, i) => {
      const value = node.labels[c.topologyKey] ?? '';
      const m = counts[i];
      m?.set(value, (m.get(value) ?? 0) + c.count(node));
    });
  }
  return counts;
}

export const podTopologySpread: FilterPlugin & ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  prepareFilter(pod, nodes): NodeFilter | undefined {
    const constraints = constraintsOf(pod, 'DoNotSchedule');
    if (constraints.length === 0) return undefined;
    const counts = countByDomain(pod, nodes, constraints);
    const minMatch = constraints.map((c, i) => {
      const m = counts[i] ?? new Map<string, number>();
      if (m.size < c.minDomains) return 0;
      return Math.min(...m.values());
    });
    return (node) => {
      for (const [i, c] of constraints.entries()) {
        const value = node.labels[c.topologyKey];
        if (value === undefined) return fail('PodTopologySpread', ERR_TOPOLOGY_MISSING_LABEL, true);
        const skew = (counts[i]?.get(value) ?? 0) + c.selfMatch - (minMatch[i] ?? 0);
        if (skew > c.maxSkew) return fail('PodTopologySpread', ERR_TOPOLOGY_MISMATCH);
      }
      return undefined;
    };
  },
  prepareScore(pod, feasible, all) {
    const constraints = constraintsOf(pod, 'ScheduleAnyway').filter((c) =>
      feasible.some((n) => n.labels[c.topologyKey] !== undefined),
    );
    if (constraints.length === 0) return undefined;
    // Hostname domains count only the feasible nodes (upstream's shortcut); others all nodes.
    const counts = constraints.map(
      (c) =>
        countByDomain(pod, c.topologyKey === HOSTNAME_LABEL ? feasible : all, [c])[0] ??
        new Map<string, number>(),
    );
    const weights = counts.map((m) => Math.log(m.size + 2));
    return (node) => {
      if (!hasAllKeys(node, constraints)) return -1; // ignored: scores 0 after normalizing
      let score = 0;
      constraints.forEach((c, i) => {
        const value = node.labels[c.topologyKey] ?? '';
        score += ((counts[i]?.get(value) ?? 0) + c.maxSkew - 1) * (weights[i] ?? 1);
      });
      return Math.round(score);
    };
  },
  normalize(scores) {
    const valid = scores.filter((s) => s >= 0);
    if (valid.length === 0) return scores.map(() => 0);
    const max = Math.max(...valid);
    const min = Math.min(...valid);
    return scores.map((s) => {
      if (s < 0) return 0;
      if (max === 0) return MAX_NODE_SCORE;
      return Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    });
  },
};
