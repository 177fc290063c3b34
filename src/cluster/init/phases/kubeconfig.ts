/**
 * `[kubeconfig]`: kubeadm's kubeconfig files in `<rootfs>/etc/kubernetes`, each with a client
 * certificate from the cluster CA: admin.conf (kubernetes-admin in kubeadm:cluster-admins, bound
 * to cluster-admin by init), super-admin.conf (system:masters, the break-glass credential),
 * controller-manager.conf, scheduler.conf and kubelet.conf (system:node:<name>). admin,
 * super-admin and kubelet point at the control-plane endpoint, the components at their local API
 * server, as kubeadm 1.31+. Existing files are kept. Written 0600.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { buildKubeconfig } from '../../../client/index.ts';
import { kubeconfigPath } from '../../cluster-paths.ts';
import type { KubeconfigFile } from '../../cluster-paths.ts';
import { localApiServerUrl } from '../init-config.ts';
import type { InitConfig } from '../init-config.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';
import { loadClusterCa } from './certs.ts';

export interface KubeconfigSpec {
  readonly file: KubeconfigFile;
  readonly userName: string;
  readonly organizations: readonly string[];
  readonly server: string;
}

export const ADMIN_USER = 'kubernetes-admin';
export const CLUSTER_ADMINS_GROUP = 'kubeadm:cluster-admins';

export function kubeconfigSpecs(config: InitConfig): KubeconfigSpec[] {
  const endpoint = `https://${config.controlPlaneEndpoint}`;
  const local = localApiServerUrl(config);
  return [
    {
      file: 'admin.conf',
      userName: ADMIN_USER,
      organizations: [CLUSTER_ADMINS_GROUP],
      server: endpoint,
    },
    {
      file: 'super-admin.conf',
      userName: 'kubernetes-super-admin',
      organizations: ['system:masters'],
      server: endpoint,
    },
    {
      file: 'controller-manager.conf',
      userName: 'system:kube-controller-manager',
      organizations: [],
      server: local,
    },
    { file: 'scheduler.conf', userName: 'system:kube-scheduler', organizations: [], server: local },
    {
      file: 'kubelet.conf',
      userName: `system:node:${config.nodeName}`,
      organizations: ['system:nodes'],
      server: endpoint,
    },
  ];
}

export async function runKubeconfigPhase({ config, out }: InitContext): Promise<void> {
  const { paths } = config;
  out(`[kubeconfig] Using kubeconfig folder "${paths.kubernetesDir}"`);
  const ca = await loadClusterCa(paths);
  mkdirSync(paths.kubernetesDir, { recursive: true, mode: 0o755 });
  for (const spec of kubeconfigSpecs(config)) {
    const path = kubeconfigPath(paths, spec.file);
    if (existsSync(path)) {
      out(`[kubeconfig] Using existing kubeconfig file: "${path}"`);
      continue;
    }
    out(`[kubeconfig] Writing "${spec.file}" kubeconfig file`);
    const issued = await ca.issueClient({
      commonName: spec.userName,
      organizations: spec.organizations,
    });
    const text = buildKubeconfig({
      server: spec.server,
      caPem: ca.certificatePem,
      clusterName: config.clusterName,
      userName: spec.userName,
      clientCertificatePem: issued.certificatePem,
      clientKeyPem: issued.keyPem,
    });
    writeFileSync(path, text, { mode: 0o600 });
  }
}

export const kubeconfigPhase: InitPhase = {
  name: 'kubeconfig',
  description: 'Generate all kubeconfig files',
  run: runKubeconfigPhase,
};
