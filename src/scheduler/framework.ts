/**
 * The plugin contracts (upstream's framework/interface.go, reduced to pure functions). A cycle
 * asks each plugin to `prepare` for one pod over the node snapshot (PreFilter/PreScore) and gets
 * back per-node functions: a filter answers why a node does not fit (or undefined), a scorer a
 * raw score that `normalize` maps to 0..MAX_NODE_SCORE. Plugins never do I/O nor keep state.
 */
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

export const MAX_NODE_SCORE = 100;

/**
 * Why a node was rejected. `unresolvable` is upstream's UnschedulableAndUnresolvable: evicting
 * pods (preemption) would not help.
 */
export interface FilterFailure {
  readonly plugin: string;
  readonly reasons: readonly string[];
  readonly unresolvable: boolean;
}

export type NodeFilter = (node: NodeInfo) => FilterFailure | undefined;
export type NodeScorer = (node: NodeInfo) => number;

export interface FilterPlugin {
  readonly name: string;
  /** PreFilter: computes what the pod needs once; undefined means the plugin has nothing to check. */
  prepareFilter(pod: PodInfo, nodes: readonly NodeInfo[]): NodeFilter | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  /** Upstream's default weight for the plugin. */
  readonly weight: number;
  /** PreScore over the feasible nodes (all: the whole snapshot); undefined: skip the plugin. */
  prepareScore(
    pod: PodInfo,
    feasible: readonly NodeInfo[],
    all: readonly NodeInfo[],
  ): NodeScorer | undefined;
  /** NormalizeScore; default: the raw scores are already 0..MAX_NODE_SCORE. */
  normalize?(scores: number[]): number[];
}

export function fail(plugin: string, reason: string, unresolvable = false): FilterFailure {
  return { plugin, reasons: [reason], unresolvable };
}

/** Upstream's helper.DefaultNormalizeScore: scale to 0..MAX by the maximum, optionally reversed. */
export function defaultNormalize(scores: number[], reverse: boolean): number[] {
  const maxCount = Math.max(0, ...scores);
  if (maxCount === 0) return scores.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return scores.map((s) => {
    const v = Math.trunc((MAX_NODE_SCORE * s) / maxCount);
    return reverse ? MAX_NODE_SCORE - v : v;
  });
}
