/**
 * One scheduling decision, pure (upstream schedule_one.go schedulePod): prepare every filter,
 * look for feasible nodes starting where the last cycle stopped and stopping once enough were
 * found (numFeasibleNodesToFind: all below 100 nodes, else an adaptive 50 - n/125 percent, at
 * least 5 % and 100 nodes), score them with every plugin (normalized, weighted, summed) and pick
 * a top scorer, ties broken uniformly at random (reservoir sampling, as selectHost).
 */
import { fitErrorMessage } from './fit-error.ts';
import type { Diagnosis } from './fit-error.ts';
import type { FilterFailure, NodeFilter } from './framework.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import { preemptionMessage } from './preemption-message.ts';
import type { Profile } from './profile.ts';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export type ScheduleResult =
  | {
      readonly kind: 'scheduled';
      readonly nodeName: string;
      readonly evaluatedNodes: number;
      readonly feasibleNodes: number;
      /** Where the next cycle should start looking. */
      readonly nextStartNodeIndex: number;
    }
  | {
      readonly kind: 'unschedulable';
      /**
       * The PodScheduled=False reason: `Unschedulable` when nodes rejected the pod,
       * `SchedulerError` when there was nothing to try (no nodes).
       */
      readonly reason: 'Unschedulable' | 'SchedulerError';
      readonly diagnosis: Diagnosis;
      readonly message: string;
      readonly nextStartNodeIndex: number;
    };

/** Upstream's ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0)
    pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  const n = Math.trunc((numAllNodes * pct) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

export interface ScheduleOptions {
  /** Index in `nodes` to start the search at (round-robin across cycles). Default 0. */
  readonly startNodeIndex?: number;
  /** Uniform in [0, 1); default Math.random. */
  readonly random?: () => number;
  /** percentageOfNodesToScore; default 0 (adaptive). */
  readonly percentageOfNodesToScore?: number;
}

export function schedulePod(
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  profile: Profile,
  options: ScheduleOptions = {},
): ScheduleResult {
  if (nodes.length === 0) {
    return {
      kind: 'unschedulable',
      reason: 'SchedulerError',
      diagnosis: { numAllNodes: 0, failures: new Map() },
      message: NO_NODES_AVAILABLE,
      nextStartNodeIndex: 0,
    };
  }
  const start = (options.startNodeIndex ?? 0) % nodes.length;
  const filters: NodeFilter[] = [];
  for (const p of profile.filters) {
    const f = p.prepareFilter(pod, nodes);
    if (f !== undefined) filters.push(f);
  }
  const want = numFeasibleNodesToFind(nodes.length, options.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  const failures = new Map<string, FilterFailure>();
  let evaluated = 0;
  for (; evaluated < nodes.length && feasible.length < want; evaluated++) {
    const node = nodes[(start + evaluated) % nodes.length];
    if (node === undefined) continue;
    let failure: FilterFailure | undefined;
    for (const f of filters) {
      failure = f(node);
      if (failure !== undefined) break;
    }
    if (failure === undefined) feasible.push(node);
    else failures.set(node.name, failure);
  }
  const nextStartNodeIndex = (start + evaluated) % nodes.length;
  if (feasible.length === 0) {
    const diagnosis: Diagnosis = {
      numAllNodes: nodes.length,
      failures,
      postFilterMessage: preemptionMessage(pod, nodes, failures, filters),
    };
    return {
      kind: 'unschedulable',
      reason: 'Unschedulable',
      diagnosis,
      message: fitErrorMessage(diagnosis),
      nextStartNodeIndex,
    };
  }
  const only = feasible[0];
  if (feasible.length === 1 && only !== undefined) {
    return {
      kind: 'scheduled',
      nodeName: only.name,
      evaluatedNodes: evaluated,
      feasibleNodes: 1,
      nextStartNodeIndex,
    };
  }
  const totals = scoreNodes(pod, feasible, nodes, profile);
  const random = options.random ?? Math.random;
  let best = -Infinity;
  let chosen = 0;
  let ties = 0;
  totals.forEach((score, i) => {
    if (score > best) {
      best = score;
      chosen = i;
      ties = 1;
    } else if (score === best) {
      ties++;
      if (random() * ties < 1) chosen = i;
    }
  });
  return {
    kind: 'scheduled',
    nodeName: feasible[chosen]?.name ?? '',
    evaluatedNodes: evaluated,
    feasibleNodes: feasible.length,
    nextStartNodeIndex,
  };
}

/** The weighted sum of every score plugin's normalized score, per feasible node. */
export function scoreNodes(
  pod: PodInfo,
  feasible: readonly NodeInfo[],
  all: readonly NodeInfo[],
  profile: Profile,
): number[] {
  const totals = feasible.map(() => 0);
  for (const p of profile.scores) {
    const scorer = p.prepareScore(pod, feasible, all);
    if (scorer === undefined) continue;
    let scores = feasible.map(scorer);
    if (p.normalize !== undefined) scores = p.normalize(scores);
    scores.forEach((s, i) => {
      totals[i] = (totals[i] ?? 0) + s * p.weight;
    });
  }
  return totals;
}
