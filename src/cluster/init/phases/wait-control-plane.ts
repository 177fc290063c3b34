/**
 * `[wait-control-plane]` / `[api-check]`: waits, bounded (kubeadm's 4 min
 * ControlPlaneComponentHealthCheckTimeout by default), for the local API server's `/readyz`,
 * trusting only the cluster CA. A timeout names the log files to read and says to reset.
 */
import { readFileSync } from 'node:fs';
import { childLogFile } from '../../../node/node-paths.ts';
import { waitForApiReady } from '../../api-ready.ts';
import { certPair } from '../../cluster-paths.ts';
import { localApiServerUrl } from '../init-config.ts';
import { InitPhaseError } from '../init-phase.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export async function runWaitControlPlanePhase({
  config,
  out,
  signal,
}: InitContext): Promise<void> {
  const { paths } = config;
  const timeoutS = Math.round(config.apiReadyTimeoutMs / 1000);
  out(
    `[wait-control-plane] Waiting for the node supervisor to boot up the control plane from directory "${paths.manifestsDir}". This can take up to ${String(timeoutS)}s`,
  );
  const server = localApiServerUrl(config);
  out(`[api-check] Checking kube-apiserver at ${server}/readyz`);
  try {
    const tookMs = await waitForApiReady({
      server,
      caPem: readFileSync(certPair(paths, 'ca').cert, 'utf8'),
      timeoutMs: config.apiReadyTimeoutMs,
      intervalMs: 50,
      signal,
    });
    out(`[api-check] The API server is healthy after ${(tookMs / 1000).toFixed(3)}s`);
  } catch (err: unknown) {
    const logs = [childLogFile(paths, 'kube-apiserver')];
    if (config.datastore === 'etcd') logs.push(childLogFile(paths, 'etcd'));
    logs.push(paths.supervisorLog);
    throw new InitPhaseError(
      'wait-control-plane',
      `${err instanceof Error ? err.message : String(err)}. Look at the logs: ${logs.join(', ')}; run "k8ts reset --rootfs ${config.rootfs}" before retrying`,
      { cause: err },
    );
  }
}

export const waitControlPlanePhase: InitPhase = {
  name: 'wait-control-plane',
  description: 'Wait for the control plane to start',
  run: runWaitControlPlanePhase,
};
