/**
 * `show-join-command`: kubeadm's closing text — how to use admin.conf, and the join command for
 * worker nodes (endpoint, init's token, the CA pin).
 */
import { readFileSync } from 'node:fs';
import { certPair, kubeconfigPath } from '../../cluster-paths.ts';
import { joinWorkerCommand } from '../../join-command.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export function runShowJoinCommandPhase({ config, out }: InitContext): Promise<void> {
  const admin = kubeconfigPath(config.paths, 'admin.conf');
  const caPem = readFileSync(certPair(config.paths, 'ca').cert, 'utf8');
  const join = joinWorkerCommand({
    endpoint: config.controlPlaneEndpoint,
    token: config.token,
    caPem,
  });
  for (const line of [
    '',
    'Your Kubernetes control-plane has initialized successfully!',
    '',
    'To start using your cluster, you need to run the following as a regular user:',
    '',
    '  mkdir -p $HOME/.kube',
    `  sudo cp -i ${admin} $HOME/.kube/config`,
    '  sudo chown $(id -u):$(id -g) $HOME/.kube/config',
    '',
    'Alternatively, if you are the root user, you can run:',
    '',
    `  export KUBECONFIG=${admin}`,
    '',
    'Then you can join any number of worker nodes by running the following on each as root:',
    '',
    join,
  ])
    out(line);
  return Promise.resolve();
}

export const showJoinCommandPhase: InitPhase = {
  name: 'show-join-command',
  description: 'Show the join command for control-plane and worker node',
  run: runShowJoinCommandPhase,
};
