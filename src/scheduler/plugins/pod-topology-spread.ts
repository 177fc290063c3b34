/**
 * PodTopologySpread (upstream plugins/podtopologyspread). Filter: for each DoNotSchedule
 * constraint, placing the pod on a node must keep `count(domain) + self - min(domains)` within
 * maxSkew, counting matching pods in the pod's namespace on nodes that pass its node affinity
 * and carry every constraint's topologyKey; a node without the key is rejected as unresolvable.
 * Score (scoring.go): per ScheduleAnyway constraint, count·log(domains + 2) + maxSkew − 1,
 * summed, rounded, normalized reversed (fewer matching pods scores higher). A pod with
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
/** A node the scorer leaves out (missing a required topology label): scores 0 when normalized. */
const IGNORED = -1;

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
    // Both default constraints ask for the same node in a row: look it up once.
    let lastNode: NodeInfo | undefined;
    let lastCount = 0;
    const count = (node: NodeInfo): number => {
      if (node !== lastNode) {
        lastNode = node;
        lastCount = node.ownerCounts.get(owner) ?? 0;
      }
      return lastCount;
    };
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
          if (other.terminating) continue;
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

/** The pod's nodeSelector / required node affinity as a node test; undefined: every node. */
function nodePlacementFilter(pod: PodInfo): ((node: NodeInfo) => boolean) | undefined {
  const spec = pod.pod.spec;
  const hasSelector = Object.keys(spec?.nodeSelector ?? {}).length > 0;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!hasSelector && required === undefined) return undefined;
  return (node) => podMatchesNodeSelectorAndAffinity(pod.pod, node.node);
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
  const placement = nodePlacementFilter(pod);
  for (const node of nodes) {
    if (!hasAllKeys(node, constraints)) continue;
    if (placement !== undefined && !placement(node)) continue;
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
    const constraints = constraintsOf(pod, 'ScheduleAnyway');
    const n = constraints.length;
    if (n === 0) return undefined;
    // Only explicit constraints require every topology label; with the system defaults a node
    // without a zone label is still spread by hostname (upstream's requireAllTopologies).
    const requireAll = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const ignored = new Set<NodeInfo>(
      requireAll ? feasible.filter((node) => !hasAllKeys(node, constraints)) : [],
    );
    const keys = constraints.map((c) => c.topologyKey);
    const isHost = keys.map((k) => k === HOSTNAME_LABEL);
    // Domains among the feasible nodes; their pods are counted over all nodes the pod could
    // go to (hostname domains are per node, counted at score time). Plain loops: this runs
    // over every node for every pod of a workload.
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of feasible) {
      if (ignored.has(node)) continue;
      const labels = node.labels;
      for (let i = 0; i < n; i++) {
        const value = labels[keys[i] ?? ''];
        if (value !== undefined && isHost[i] !== true) counts[i]?.set(value, 0);
      }
    }
    const placement = nodePlacementFilter(pod);
    for (const node of all) {
      if (requireAll && !hasAllKeys(node, constraints)) continue;
      if (placement !== undefined && !placement(node)) continue;
      const labels = node.labels;
      for (let i = 0; i < n; i++) {
        const m = counts[i];
        const value = labels[keys[i] ?? ''];
        if (value === undefined || m === undefined) continue;
        const sum = m.get(value);
        if (sum !== undefined) m.set(value, sum + (constraints[i]?.count(node) ?? 0));
      }
    }
    const weights = constraints.map((_, i) =>
      Math.log((isHost[i] === true ? feasible.length - ignored.size : (counts[i]?.size ?? 0)) + 2),
    );
    return (node) => {
      if (ignored.has(node)) return IGNORED;
      const labels = node.labels;
      let score = 0;
      for (let i = 0; i < n; i++) {
        const c = constraints[i];
        const value = labels[keys[i] ?? ''];
        if (value === undefined || c === undefined) continue;
        const count = isHost[i] === true ? c.count(node) : (counts[i]?.get(value) ?? 0);
        score += count * (weights[i] ?? 1) + (c.maxSkew - 1);
      }
      return Math.round(score);
    };
  },
  normalize(scores) {
    const valid = scores.filter((s) => s !== IGNORED);
    if (valid.length === 0) return scores.map(() => 0);
    const max = Math.max(...valid);
    const min = Math.min(...valid);
    return scores.map((s) => {
      if (s === IGNORED) return 0;
      if (max === 0) return MAX_NODE_SCORE;
      return Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    });
  },
};
