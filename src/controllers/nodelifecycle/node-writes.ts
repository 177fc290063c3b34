/**
 * The node lifecycle controller's writes: taint swaps (upstream's SwapNodeControllerTaint,
 * retried on conflict against a fresh read, never touching others' taints), MarkPodsNotReady
 * (Ready=False on the pods of a node, with a `NodeNotReady` event each), and node events
 * (recorded with the node name as UID, as upstream).
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.d.ts';
import {
  isConflict,
  isNotFound,
  metaNamespaceKey,
  splitMetaNamespaceKey,
} from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { ControllerContext, EventType } from '../controller.ts';
import { rfc3339 } from '../util/rfc3339.ts';
import { swapTaints } from './node-taints.ts';

export class NodeWrites {
  readonly #ctx: ControllerContext;
  readonly #cached: (name: string) => Node | undefined;

  /** `cached`: the informer's copy of a node (the first try reads it; conflicts re-read). */
  constructor(ctx: ControllerContext, cached: (name: string) => Node | undefined) {
    this.#ctx = ctx;
    this.#cached = cached;
  }

  /** SwapNodeControllerTaint with conflict retries; false when it could not be written. */
  async swapNodeTaints(
    name: string,
    add: readonly Taint[],
    remove: readonly Taint[],
    signal: AbortSignal,
  ): Promise<boolean> {
    let node = this.#cached(name);
    for (let attempt = 0; attempt < 5 && node !== undefined; attempt++) {
      const taints = swapTaints(node.spec?.taints, add, remove, this.#ctx.clock.now());
      if (taints === undefined) return true;
      try {
        await this.#ctx.client.update<Node>(
          { ...RESOURCES.nodes, name },
          { ...node, spec: { ...node.spec, taints } },
          { signal },
        );
        return true;
      } catch (err: unknown) {
        if (isNotFound(err)) return true;
        if (!isConflict(err)) {
          this.#ctx.log('warn', 'failed to update node taints', {
            node: name,
            error: err instanceof Error ? err.message : String(err),
          });
          return false;
        }
        node = await this.#ctx.client.get<Node>({ ...RESOURCES.nodes, name }, { signal });
      }
    }
    return false;
  }

  /** MarkPodsNotReady: Ready=False on each of the node's pods; false when one failed. */
  async markPodsNotReady(
    pods: readonly Pod[],
    nodeName: string,
    signal: AbortSignal,
  ): Promise<boolean> {
    let ok = true;
    for (const pod of pods) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (cond === undefined || cond.status === 'False') continue;
      const { namespace, name } = splitMetaNamespaceKey(metaNamespaceKey(pod));
      const conditions = (pod.status?.conditions ?? []).map((c) =>
        c.type === 'Ready'
          ? { ...c, status: 'False', lastTransitionTime: rfc3339(this.#ctx.clock.now()) }
          : c,
      );
      try {
        await this.#ctx.client.update<Pod>(
          { ...RESOURCES.pods, namespace, name, subresource: 'status' },
          { ...pod, status: { ...pod.status, conditions } },
          { signal },
        );
        this.#ctx.events.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err: unknown) {
        if (!isNotFound(err)) ok = false;
      }
    }
    return ok;
  }

  event(name: string, type: EventType, reason: string, message: string): void {
    this.#ctx.events.event(
      { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } },
      type,
      reason,
      message,
    );
  }
}
