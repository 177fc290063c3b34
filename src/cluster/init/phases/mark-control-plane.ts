/**
 * `[mark-control-plane]`: waits (bounded: kubeadm's 2 min PatchNodeTimeout, polling every
 * 100 ms instead of kubeadm's 500 ms) for this node's agent to register its Node, then labels it
 * `node-role.kubernetes.io/control-plane` and `node.kubernetes.io/exclude-from-external-load-
 * balancers` and taints it `node-role.kubernetes.io/control-plane:NoSchedule`, as kubeadm does.
 * Idempotent (an existing label or taint is kept); conflicts are retried on the fresh object.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { isConflict, isNotFound } from '../../../client/index.ts';
import type { KubeObject, RestClient } from '../../../client/index.ts';
import { childLogFile } from '../../../node/node-paths.ts';
import { CORE } from '../../admin-client.ts';
import { AGENT_PROCESS_NAME } from '../../node-registration.ts';
import { InitPhaseError } from '../init-phase.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** kubeadm's PatchNodeTimeout. */
export const PATCH_NODE_TIMEOUT_MS = 120_000;

type NodeObject = Node & KubeObject;

/** Waits for the Node, bounded; undefined on timeout. */
export async function waitForNode(
  client: RestClient,
  name: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<NodeObject | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.get<NodeObject>({ ...CORE('nodes'), name }, { signal });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
    if (Date.now() > deadline) return undefined;
    await sleep(100, undefined, { signal });
  }
}

/** Adds the labels and taint; true when the Node changed. Pure on its input. */
export function markControlPlane(node: NodeObject): boolean {
  const labels = { ...(node.metadata?.labels ?? {}) };
  const taints = [...(node.spec?.taints ?? [])];
  let changed = false;
  for (const key of [CONTROL_PLANE_LABEL, EXCLUDE_FROM_LB_LABEL]) {
    if (labels[key] === undefined) {
      labels[key] = '';
      changed = true;
    }
  }
  if (!taints.some((t) => t.key === CONTROL_PLANE_LABEL && t.effect === 'NoSchedule')) {
    taints.push({ key: CONTROL_PLANE_LABEL, effect: 'NoSchedule' });
    changed = true;
  }
  node.metadata = { ...node.metadata, labels };
  node.spec = { ...node.spec, taints };
  return changed;
}

export async function runMarkControlPlanePhase(ctx: InitContext): Promise<void> {
  const { config, out, signal } = ctx;
  const client = await ctx.client();
  const name = config.nodeName;
  out(
    `[mark-control-plane] Marking the node ${name} as control-plane by adding the labels: [${CONTROL_PLANE_LABEL} ${EXCLUDE_FROM_LB_LABEL}]`,
  );
  out(
    `[mark-control-plane] Marking the node ${name} as control-plane by adding the taints [${CONTROL_PLANE_LABEL}:NoSchedule]`,
  );
  for (let attempt = 0; attempt < 16; attempt++) {
    const node = await waitForNode(client, name, PATCH_NODE_TIMEOUT_MS, signal);
    if (node === undefined)
      throw new InitPhaseError(
        'mark-control-plane',
        `timed out after ${String(PATCH_NODE_TIMEOUT_MS / 1000)}s waiting for the node "${name}" to register; the agent's log is ${childLogFile(config.paths, AGENT_PROCESS_NAME)}`,
      );
    if (!markControlPlane(node)) return;
    try {
      await client.update({ ...CORE('nodes'), name }, node, { signal });
      return;
    } catch (err: unknown) {
      if (!isConflict(err)) throw err;
    }
  }
  throw new InitPhaseError(
    'mark-control-plane',
    `the node "${name}" kept changing; run the phase again`,
  );
}

export const markControlPlanePhase: InitPhase = {
  name: 'mark-control-plane',
  description: 'Mark a node as a control-plane',
  run: runMarkControlPlanePhase,
};
