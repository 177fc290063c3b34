/**
 * `[control-plane]`: the process specs of the API server, controller manager and scheduler in
 * `<rootfs>/etc/kubernetes/manifests` (kubeadm's static Pod manifests). As with kubeadm, writing
 * them is all the phase does: the node supervisor (started by kubelet-start) runs them, and an
 * already running supervisor is told to re-read its specs.
 */
import { k8tsExecutable } from '../../../node/k8ts-executable.ts';
import { reloadNodeIfRunning } from '../../../node/node-service.ts';
import { writeProcessSpec } from '../../../node/process-spec.ts';
import { controlPlaneSpecs } from '../control-plane-manifests.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export function runControlPlanePhase({ config, out }: InitContext): Promise<void> {
  const { paths } = config;
  out(`[control-plane] Using manifest folder "${paths.manifestsDir}"`);
  for (const spec of controlPlaneSpecs(config, k8tsExecutable())) {
    out(`[control-plane] Creating static Pod manifest for "${spec.name}"`);
    writeProcessSpec(paths.manifestsDir, spec);
  }
  reloadNodeIfRunning(paths);
  return Promise.resolve();
}

export const controlPlanePhase: InitPhase = {
  name: 'control-plane',
  description: 'Generate all static Pod manifest files',
  run: runControlPlanePhase,
};
