/**
 * `[kubelet-start]`: writes this node's agent spec (`k8ts agent` with kubelet's flags, see
 * node-registration.ts) next to the control-plane specs and starts the node supervisor in the
 * background — a systemd unit where systemd runs, a detached process with a pid file otherwise —
 * or tells the running one to re-read its specs. kubeadm's "Starting the kubelet".
 */
import { k8tsExecutable } from '../../../node/k8ts-executable.ts';
import { startNode } from '../../../node/node-service.ts';
import { writeProcessSpec } from '../../../node/process-spec.ts';
import { writeManagedContainerd } from '../../container-runtime.ts';
import { agentSpec } from '../../node-registration.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export async function runKubeletStartPhase(ctx: InitContext): Promise<void> {
  const { config, out } = ctx;
  const { paths } = config;
  const runtime = await ctx.runtime();
  if (runtime.managed !== undefined) {
    out(`[kubelet-start] Writing containerd's config to file "${runtime.managed.configPath}"`);
    writeManagedContainerd(paths.manifestsDir, runtime.managed);
  }
  const spec = agentSpec(
    paths,
    { ...config.node, criSocket: runtime.endpoint, cgroupDriver: runtime.cgroupDriver },
    k8tsExecutable(),
  );
  out(
    `[kubelet-start] Writing the agent's process spec to file "${paths.manifestsDir}/${spec.name}.json"`,
  );
  writeProcessSpec(paths.manifestsDir, spec);
  out('[kubelet-start] Starting the kubelet');
  const started = await startNode(config.rootfs);
  out(
    started.how === 'already-running'
      ? `[kubelet-start] The node supervisor (pid ${String(started.pid)}) re-reads its specs`
      : `[kubelet-start] The node supervisor runs as ${started.how === 'systemd' ? 'the k8ts-node.service unit' : 'a detached process'} (pid ${String(started.pid)}, logs in "${paths.logDir}")`,
  );
}

export const kubeletStartPhase: InitPhase = {
  name: 'kubelet-start',
  description: "Write the agent's process spec and (re)start the node supervisor",
  run: runKubeletStartPhase,
};
