/**
 * `[control-plane]`: the specs of the API server (and, where k8ts has them, the controller
 * manager and scheduler), then kubeadm's `[wait-control-plane]`/`[api-check]`: the node
 * supervisor is started in the background (or told to reload) and init waits, bounded, for
 * `/readyz`; a timeout names the log files to read.
 */
import { readFileSync } from 'node:fs';
import { k8tsExecutable } from '../../../node/k8ts-executable.ts';
import { childLogFile } from '../../../node/node-paths.ts';
import { startNode } from '../../../node/node-service.ts';
import { writeProcessSpec } from '../../../node/process-spec.ts';
import { waitForApiReady } from '../../api-ready.ts';
import { certPair } from '../../cluster-paths.ts';
import { controlPlaneSpecs } from '../control-plane-manifests.ts';
import { localApiServerUrl } from '../init-config.ts';
import { InitPhaseError } from '../init-phase.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export async function runControlPlanePhase({ config, out }: InitContext): Promise<void> {
  const { paths } = config;
  out(`[control-plane] Using manifest folder "${paths.manifestsDir}"`);
  for (const spec of controlPlaneSpecs(config, k8tsExecutable())) {
    out(`[control-plane] Creating static Pod manifest for "${spec.name}"`);
    writeProcessSpec(paths.manifestsDir, spec);
  }
  const missing = ['kube-controller-manager', 'kube-scheduler'].filter(
    (c) => !config.components.includes(c as 'kube-controller-manager'),
  );
  if (missing.length > 0) {
    out(`[control-plane] Skipping ${missing.join(', ')}: this k8ts build has no such command yet`);
  }
  out(
    `[wait-control-plane] Waiting for the node supervisor to boot up the control plane from directory "${paths.manifestsDir}"`,
  );
  const started = await startNode(config.rootfs);
  out(
    `[wait-control-plane] Node supervisor ${started.how === 'already-running' ? 'reloaded' : `started (${started.how})`}, pid ${String(started.pid)}`,
  );
  const timeoutS = Math.round(config.apiReadyTimeoutMs / 1000);
  out(`[api-check] Waiting for a healthy API server. This can take up to ${String(timeoutS)}s`);
  try {
    const tookMs = await waitForApiReady({
      server: localApiServerUrl(config),
      caPem: readFileSync(certPair(paths, 'ca').cert, 'utf8'),
      timeoutMs: config.apiReadyTimeoutMs,
    });
    out(`[api-check] The API server is healthy after ${(tookMs / 1000).toFixed(3)}s`);
  } catch (err: unknown) {
    const logs = [childLogFile(paths, 'kube-apiserver')];
    if (config.datastore === 'etcd') logs.push(childLogFile(paths, 'etcd'));
    logs.push(paths.supervisorLog);
    throw new InitPhaseError(
      'control-plane',
      `${err instanceof Error ? err.message : String(err)}. Look at the logs: ${logs.join(', ')}; run "k8ts reset --rootfs ${config.rootfs}" before retrying`,
      { cause: err },
    );
  }
}

export const controlPlanePhase: InitPhase = {
  name: 'control-plane',
  description: 'Generate all static Pod manifest files and start the control plane',
  run: runControlPlanePhase,
};
