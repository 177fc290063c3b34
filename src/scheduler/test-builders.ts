/**
 * Builders for the scheduler's table tests (sample-controller's `newFoo` style): nodes with
 * allocatable, labels and taints; pods with requests, owners, affinity and spread constraints;
 * a NodeInfo with pods on it. Only tests import this module.
 */
import type { Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1.d.ts';
import type { FilterPlugin, ScorePlugin } from './framework.ts';
import { NodeInfo } from './node-info.ts';
import { newPodInfo } from './pod-info.ts';
import type { PodInfo } from './pod-info.ts';

export interface NodeOptions {
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: Taint[];
  readonly unschedulable?: boolean;
  /** Extra allocatable entries (`example.com/gpu: '2'`). */
  readonly extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable = {
    cpu: o.cpu ?? '4',
    memory: o.memory ?? '8Gi',
    pods: o.pods ?? '110',
    ...o.extra,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: {
      ...(o.taints === undefined ? {} : { taints: o.taints }),
      ...(o.unschedulable === true ? { unschedulable: true } : {}),
    },
    status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface PodOptions {
  readonly namespace?: string;
  readonly cpu?: string;
  readonly memory?: string;
  /** Extra requests (`example.com/gpu: '1'`). */
  readonly extra?: Record<string, string>;
  readonly labels?: Record<string, string>;
  /** The controller ownerReference's UID. */
  readonly owner?: string;
  readonly nodeName?: string;
  readonly priority?: number;
  readonly hostPort?: number;
  readonly spec?: Partial<PodSpec>;
  readonly terminating?: boolean;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = { ...o.extra };
  if (o.cpu !== undefined) requests['cpu'] = o.cpu;
  if (o.memory !== undefined) requests['memory'] = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? {},
      ...(o.owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: o.owner,
                uid: o.owner,
                controller: true,
              },
            ],
          }),
      ...(o.terminating === true ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'pause',
          ...(Object.keys(requests).length === 0 ? {} : { resources: { requests } }),
          ...(o.hostPort === undefined
            ? {}
            : { ports: [{ containerPort: 80, hostPort: o.hostPort }] }),
        },
      ],
      ...(o.nodeName === undefined ? {} : { nodeName: o.nodeName }),
      ...(o.priority === undefined ? {} : { priority: o.priority }),
      ...o.spec,
    },
  };
}

export const podInfo = (name: string, o: PodOptions = {}): PodInfo => newPodInfo(makePod(name, o));

/** A NodeInfo for `node` with `pods` counted against it. */
export function nodeInfo(node: Node, pods: readonly Pod[] = []): NodeInfo {
  const info = new NodeInfo(node);
  for (const p of pods) info.addPod(newPodInfo(p));
  return info;
}

/** Runs one filter plugin as a cycle does: the failure reason per node name ('' = fits). */
export function filterReasons(
  plugin: FilterPlugin,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
): Record<string, string> {
  const f = plugin.prepareFilter(pod, nodes);
  const out: Record<string, string> = {};
  for (const n of nodes) out[n.name] = f?.(n)?.reasons.join(', ') ?? '';
  return out;
}

/** Runs one score plugin over feasible = all nodes: the normalized score per node name. */
export function normalizedScores(
  plugin: ScorePlugin,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
): Record<string, number> {
  const scorer = plugin.prepareScore(pod, nodes, nodes);
  let scores = nodes.map((n) => scorer?.(n) ?? 0);
  if (scorer !== undefined && plugin.normalize !== undefined) scores = plugin.normalize(scores);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i] ?? 0]));
}
