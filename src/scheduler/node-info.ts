/**
 * A node and the pods that count against it (upstream's framework.NodeInfo): allocatable, the
 * sum of requests (exact and scoring variants), host ports in use, and the pods themselves.
 * The cache keeps one per node and updates it in place; plugins only read it.
 */
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import type { HostPort, PodInfo } from './pod-info.ts';
import { parseMilliValue, parseValue } from './quantity.ts';
import { scalarResources, zeroResources } from './resources.ts';
import type { Resources } from './resources.ts';

export interface Allocatable extends Resources {
  readonly pods: number;
}

export function nodeAllocatable(node: Node): Allocatable {
  const a = (node.status?.allocatable ?? {}) as Readonly<Record<string, string | number>>;
  return {
    milliCpu: parseMilliValue(a['cpu']),
    memory: parseValue(a['memory']),
    ephemeralStorage: parseValue(a['ephemeral-storage']),
    pods: parseValue(a['pods']),
    scalar: scalarResources(a),
  };
}

export class NodeInfo {
  readonly name: string;
  #node: Node;
  #allocatable: Allocatable;
  #labels: Readonly<Record<string, string>>;
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resources = zeroResources();
  readonly nonZeroRequested: Resources = zeroResources();
  /** Pods here with required anti-affinity terms (the incoming pod must respect them). */
  podsWithRequiredAntiAffinity = 0;
  /** Pods here with any required affinity or anti-affinity. */
  podsWithAffinity = 0;
  /** Pods here per controller ownerReference UID (a workload's replicas). */
  readonly ownerCounts = new Map<string, number>();

  constructor(node: Node) {
    this.name = node.metadata?.name ?? '';
    this.#node = node;
    this.#allocatable = nodeAllocatable(node);
    this.#labels = node.metadata?.labels ?? {};
  }

  get node(): Node {
    return this.#node;
  }

  get allocatable(): Allocatable {
    return this.#allocatable;
  }

  /** The node's labels (read on every node for every pod: kept as a field). */
  get labels(): Readonly<Record<string, string>> {
    return this.#labels;
  }

  setNode(node: Node): void {
    this.#node = node;
    this.#allocatable = nodeAllocatable(node);
    this.#labels = node.metadata?.labels ?? {};
  }

  /** Adds (or replaces) a pod. */
  addPod(pi: PodInfo): void {
    this.removePod(pi.key);
    this.pods.set(pi.key, pi);
    this.#account(pi, 1);
  }

  removePod(key: string): boolean {
    const old = this.pods.get(key);
    if (old === undefined) return false;
    this.pods.delete(key);
    this.#account(old, -1);
    return true;
  }

  /** A copy of this node without the pods with these keys (what-if: preemption). */
  withoutPods(keys: readonly string[]): NodeInfo {
    const copy = new NodeInfo(this.#node);
    for (const pi of this.pods.values()) if (!keys.includes(pi.key)) copy.addPod(pi);
    return copy;
  }

  /** Host ports in use, as `ip/protocol/port` strings. */
  *usedPorts(): Iterable<HostPort> {
    for (const pi of this.pods.values()) yield* pi.hostPorts;
  }

  #account(pi: PodInfo, sign: 1 | -1): void {
    this.requested.milliCpu += sign * pi.requests.milliCpu;
    this.requested.memory += sign * pi.requests.memory;
    this.requested.ephemeralStorage += sign * pi.requests.ephemeralStorage;
    this.nonZeroRequested.milliCpu += sign * pi.nonZeroRequests.milliCpu;
    this.nonZeroRequested.memory += sign * pi.nonZeroRequests.memory;
    this.nonZeroRequested.ephemeralStorage += sign * pi.nonZeroRequests.ephemeralStorage;
    for (const [name, v] of pi.requests.scalar) {
      const n = (this.requested.scalar.get(name) ?? 0) + sign * v;
      if (n === 0) this.requested.scalar.delete(name);
      else this.requested.scalar.set(name, n);
    }
    if (pi.ownerUid !== undefined && !pi.terminating) {
      const n = (this.ownerCounts.get(pi.ownerUid) ?? 0) + sign;
      if (n === 0) this.ownerCounts.delete(pi.ownerUid);
      else this.ownerCounts.set(pi.ownerUid, n);
    }
    if (pi.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity += sign;
    if (pi.requiredAntiAffinityTerms.length > 0 || pi.requiredAffinityTerms.length > 0)
      this.podsWithAffinity += sign;
  }
}
