/**
 * `[upload-config]`: kubeadm's ClusterConfiguration in `kube-system/kubeadm-config` and the
 * cluster's KubeletConfiguration in `kube-system/kubelet-config`, each readable by joining nodes
 * (bootstrap tokens of the default node group, and nodes) through a Role, as kubeadm's
 * uploadconfig and kubelet phases. Create-or-update: re-running replaces the content.
 */
import { RBAC, CORE, createOrUpdate } from '../../admin-client.ts';
import {
  KUBEADM_CONFIG_ROLE,
  KUBELET_CONFIG_MAP,
  KUBELET_CONFIG_ROLE,
  nodeConfigMapRbac,
} from '../../bootstrap-objects.ts';
import type { Named } from '../../bootstrap-objects.ts';
import {
  CLUSTER_CONFIGURATION_KEY,
  KUBEADM_CONFIG_MAP,
  clusterConfigurationYaml,
} from '../../cluster-configuration.ts';
import { KUBELET_CONFIG_KEY, kubeletConfigurationYaml } from '../../kubelet-configuration.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

function configMap(name: string, key: string, value: string): Named {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'kube-system' },
    data: { [key]: value },
  } as Named;
}

export async function runUploadConfigPhase(ctx: InitContext): Promise<void> {
  const { config, out } = ctx;
  const client = await ctx.client();
  out(
    `[upload-config] Storing the configuration used in ConfigMap "${KUBEADM_CONFIG_MAP}" in the "kube-system" Namespace`,
  );
  await createOrUpdate(
    client,
    CORE('configmaps', 'kube-system'),
    configMap(KUBEADM_CONFIG_MAP, CLUSTER_CONFIGURATION_KEY, clusterConfigurationYaml(config)),
  );
  const [kubeadmRole, kubeadmBinding] = nodeConfigMapRbac(KUBEADM_CONFIG_ROLE, KUBEADM_CONFIG_MAP);
  out(
    `[kubelet] Creating a ConfigMap "${KUBELET_CONFIG_MAP}" in namespace kube-system with the configuration for the kubelets in the cluster`,
  );
  await createOrUpdate(
    client,
    CORE('configmaps', 'kube-system'),
    configMap(
      KUBELET_CONFIG_MAP,
      KUBELET_CONFIG_KEY,
      kubeletConfigurationYaml({
        serviceCidr: config.serviceCidr,
        dnsDomain: config.dnsDomain,
        cgroupDriver: (await ctx.runtime()).cgroupDriver,
      }),
    ),
  );
  const [kubeletRole, kubeletBinding] = nodeConfigMapRbac(KUBELET_CONFIG_ROLE, KUBELET_CONFIG_MAP);
  for (const r of [kubeadmRole, kubeletRole]) {
    if (r !== undefined) await createOrUpdate(client, RBAC('roles', 'kube-system'), r);
  }
  for (const b of [kubeadmBinding, kubeletBinding]) {
    if (b !== undefined) await createOrUpdate(client, RBAC('rolebindings', 'kube-system'), b);
  }
}

export const uploadConfigPhase: InitPhase = {
  name: 'upload-config',
  description: 'Upload the kubeadm and kubelet configuration to ConfigMaps',
  run: runUploadConfigPhase,
};
