/**
 * kubeadm's ClusterConfiguration (kubeadm.k8s.io/v1beta4) as init stores it in the
 * `kube-system/kubeadm-config` ConfigMap, for join and upgrades to read. Pure.
 */
import { stringify } from 'yaml';
import { versionInfo } from '../version.ts';
import type { InitConfig } from './init/init-config.ts';

export const KUBEADM_CONFIG_MAP = 'kubeadm-config';
export const CLUSTER_CONFIGURATION_KEY = 'ClusterConfiguration';

export function clusterConfigurationYaml(config: InitConfig): string {
  const doc: Record<string, unknown> = {
    apiServer: {},
    apiVersion: 'kubeadm.k8s.io/v1beta4',
    caCertificateValidityPeriod: '87600h0m0s',
    certificateValidityPeriod: '8760h0m0s',
    certificatesDir: '/etc/kubernetes/pki',
    clusterName: config.clusterName,
    ...(config.hasExplicitControlPlaneEndpoint
      ? { controlPlaneEndpoint: config.controlPlaneEndpoint }
      : {}),
    controllerManager: {},
    dns: {},
    encryptionAlgorithm: 'RSA-2048',
    ...(config.datastore === 'etcd' ? { etcd: { local: { dataDir: '/var/lib/etcd' } } } : {}),
    imageRepository: 'registry.k8s.io',
    kind: 'ClusterConfiguration',
    kubernetesVersion: versionInfo().gitVersion,
    networking: { dnsDomain: config.dnsDomain, serviceSubnet: config.serviceCidr },
    proxy: {},
    scheduler: {},
  };
  return stringify(doc);
}
