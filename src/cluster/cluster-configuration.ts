/**
 * kubeadm's ClusterConfiguration (kubeadm.k8s.io/v1beta4) as init stores it in the
 * `kube-system/kubeadm-config` ConfigMap, for join and upgrades to read. Pure.
 */
import { stringify } from 'yaml';
import { versionInfo } from '../version.ts';
import type { InitConfig } from './init/init-config.ts';

export const KUBEADM_CONFIG_MAP = 'kubeadm-config';
export const CLUSTER_CONFIGURATION_KEY = 'ClusterConfiguration';

/** kubeadm's `etcd.local` / `etcd.external`; SQLite has no kubeadm field and is left out. */
function etcdSection(config: InitConfig): Record<string, unknown> {
  if (config.datastore === 'etcd') return { etcd: { local: { dataDir: '/var/lib/etcd' } } };
  const ext = config.externalEtcd;
  if (config.datastore === 'external-etcd' && ext !== undefined)
    return {
      etcd: {
        external: {
          endpoints: [...ext.endpoints],
          ...(ext.caFile === undefined ? {} : { caFile: ext.caFile }),
          ...(ext.certFile === undefined ? {} : { certFile: ext.certFile }),
          ...(ext.keyFile === undefined ? {} : { keyFile: ext.keyFile }),
        },
      },
    };
  return {};
}

export function clusterConfigurationYaml(config: InitConfig): string {
  const doc: Record<string, unknown> = {
    apiServer:
      config.apiServerCertExtraSans.length === 0
        ? {}
        : { certSANs: [...config.apiServerCertExtraSans] },
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
    encryptionAlgorithm: 'ECDSA-P256',
    ...etcdSection(config),
    imageRepository: 'registry.k8s.io',
    kind: 'ClusterConfiguration',
    kubernetesVersion: versionInfo().gitVersion,
    networking: {
      dnsDomain: config.dnsDomain,
      ...(config.podNetworkCidr === undefined ? {} : { podSubnet: config.podNetworkCidr }),
      serviceSubnet: config.serviceCidr,
    },
    proxy: {},
    scheduler: {},
  };
  return stringify(doc);
}
