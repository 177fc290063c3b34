/**
 * The scheduler's view of the cluster (upstream internal/cache): one NodeInfo per node with the
 * pods that count against it. A pod counts from the moment it is *assumed* (the cycle chose its
 * node, the binding is still in flight), so the next decisions see it and do not overbook;
 * `forget` undoes that when binding fails, and the informer's add of the bound pod confirms it
 * (on whichever node the API says). Pods on nodes not yet seen wait in placeholder NodeInfos.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { NodeInfo } from './node-info.ts';
import { newPodInfo } from './pod-info.ts';
import type { PodInfo } from './pod-info.ts';

interface PodState {
  readonly pi: PodInfo;
  readonly nodeName: string;
  readonly assumed: boolean;
}

export class SchedulerCache {
  readonly #nodes = new Map<string, { info: NodeInfo; hasNode: boolean }>();
  readonly #pods = new Map<string, PodState>();
  #list: NodeInfo[] | undefined;

  /** Every known node, in a stable order (the snapshot a cycle runs over). */
  nodeInfos(): readonly NodeInfo[] {
    this.#list ??= [...this.#nodes.values()].filter((n) => n.hasNode).map((n) => n.info);
    return this.#list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    const n = this.#nodes.get(name);
    return n?.hasNode === true ? n.info : undefined;
  }

  get podCount(): number {
    return this.#pods.size;
  }

  isAssumed(key: string): boolean {
    return this.#pods.get(key)?.assumed === true;
  }

  upsertNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const n = this.#nodes.get(name);
    if (n === undefined) {
      this.#nodes.set(name, { info: new NodeInfo(node), hasNode: true });
      this.#list = undefined;
    } else {
      n.info.setNode(node);
      if (!n.hasNode) {
        n.hasNode = true;
        this.#list = undefined;
      }
    }
  }

  removeNode(name: string): void {
    const n = this.#nodes.get(name);
    if (n === undefined) return;
    if (n.info.pods.size === 0) this.#nodes.delete(name);
    else n.hasNode = false;
    this.#list = undefined;
  }

  /** Counts `pi` against `nodeName` until it is confirmed or forgotten. */
  assume(pi: PodInfo, nodeName: string): void {
    this.#place({ pi, nodeName, assumed: true });
  }

  forget(key: string): void {
    const s = this.#pods.get(key);
    if (s?.assumed !== true) return;
    this.#unplace(key);
  }

  /** A bound pod from the informer (add or update): confirms an assumed pod. */
  upsertPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName ?? '';
    if (nodeName === '') return;
    this.#place({ pi: newPodInfo(pod), nodeName, assumed: false });
  }

  removePod(key: string): void {
    this.#unplace(key);
  }

  #place(s: PodState): void {
    this.#unplace(s.pi.key);
    let n = this.#nodes.get(s.nodeName);
    if (n === undefined) {
      n = { info: new NodeInfo({ metadata: { name: s.nodeName } }), hasNode: false };
      this.#nodes.set(s.nodeName, n);
    }
    n.info.addPod(s.pi);
    this.#pods.set(s.pi.key, s);
  }

  #unplace(key: string): void {
    const s = this.#pods.get(key);
    if (s === undefined) return;
    this.#pods.delete(key);
    const n = this.#nodes.get(s.nodeName);
    if (n === undefined) return;
    n.info.removePod(key);
    if (!n.hasNode && n.info.pods.size === 0) this.#nodes.delete(s.nodeName);
  }
}
