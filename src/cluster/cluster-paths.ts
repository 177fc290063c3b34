/**
 * kubeadm's file layout under `--rootfs`: /etc/kubernetes/{pki,manifests,*.conf}, /var/lib/etcd,
 * plus k8ts's own /var/lib/k8ts (the SQLite datastore). One place for every path init writes and
 * reset removes.
 */
import { join } from 'node:path';
import { nodePaths } from '../node/node-paths.ts';
import type { NodePaths } from '../node/node-paths.ts';

export const KUBECONFIG_FILES = [
  'admin.conf',
  'super-admin.conf',
  'controller-manager.conf',
  'scheduler.conf',
  'kubelet.conf',
] as const;
export type KubeconfigFile = (typeof KUBECONFIG_FILES)[number];

export interface ClusterPaths extends NodePaths {
  /** <rootfs>/etc/kubernetes */
  readonly kubernetesDir: string;
  /** <rootfs>/etc/kubernetes/pki */
  readonly pkiDir: string;
  /** <rootfs>/var/lib/etcd */
  readonly etcdDataDir: string;
  /** <rootfs>/var/lib/k8ts */
  readonly k8tsStateDir: string;
  /** <rootfs>/var/lib/k8ts/state.db */
  readonly sqliteFile: string;
}

export function clusterPaths(rootfs: string): ClusterPaths {
  const kubernetesDir = join(rootfs, 'etc/kubernetes');
  const k8tsStateDir = join(rootfs, 'var/lib/k8ts');
  return {
    ...nodePaths(rootfs),
    kubernetesDir,
    pkiDir: join(kubernetesDir, 'pki'),
    etcdDataDir: join(rootfs, 'var/lib/etcd'),
    k8tsStateDir,
    sqliteFile: join(k8tsStateDir, 'state.db'),
  };
}

/** `<pki>/<name>.crt` and `.key`, kubeadm's names (`etcd/server`, `apiserver-etcd-client`, ...). */
export function certPair(paths: ClusterPaths, name: string): { cert: string; key: string } {
  return { cert: join(paths.pkiDir, `${name}.crt`), key: join(paths.pkiDir, `${name}.key`) };
}

export function kubeconfigPath(paths: ClusterPaths, file: KubeconfigFile): string {
  return join(paths.kubernetesDir, file);
}
