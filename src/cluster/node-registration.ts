/**
 * kubeadm's NodeRegistrationOptions for k8ts: how this node's agent (`k8ts agent`, the kubelet)
 * is started, and its process spec for the node supervisor with kubelet's flag names. Shared by
 * init and join; pure. The spec names the kubeconfig by path only (no credentials in it).
 */
import type { K8tsExecutable } from '../node/k8ts-executable.ts';
import type { ProcessSpec } from '../node/process-spec.ts';
import { kubeconfigPath } from './cluster-paths.ts';
import type { ClusterPaths } from './cluster-paths.ts';

/** kubeadm's default CRI socket (containerd). */
export const DEFAULT_CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';
/** kubelet's default HTTPS port (kubeadm's KubeletPort). */
export const DEFAULT_KUBELET_PORT = 10250;
/** The supervisor child (and its log and pid files) that runs the agent. */
export const AGENT_PROCESS_NAME = 'kubelet';

export type CgroupDriver = 'cgroupfs' | 'systemd';

export function isCgroupDriver(value: string): value is CgroupDriver {
  return value === 'cgroupfs' || value === 'systemd';
}

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeRegistration {
  readonly name: string;
  /** The node's InternalIP and the agent's listen address. */
  readonly nodeIp: string;
  /** `unix:///...` of the container runtime's CRI endpoint. */
  readonly criSocket: string;
  /** undefined: the agent asks the runtime (kubelet's KubeletCgroupDriverFromCRI). */
  readonly cgroupDriver: CgroupDriver | undefined;
  readonly kubeletPort: number;
  /** `--node-labels`. Default: none (NodeRestriction refuses kubernetes.io labels anyway). */
  readonly labels: Readonly<Record<string, string>>;
  /** `--register-with-taints`. Default: none. */
  readonly taints: readonly NodeTaint[];
  /** `--pod-cidr`, used only while Node.spec.podCIDR is empty. Default: none. */
  readonly podCidr?: string;
}

export function formatTaint(t: NodeTaint): string {
  return `${t.key}${t.value === undefined || t.value === '' ? '' : `=${t.value}`}:${t.effect}`;
}

/** The agent's process spec (`k8ts agent ...` with kubelet's flags), as init and join write it. */
export function agentSpec(
  paths: ClusterPaths,
  node: NodeRegistration,
  exe: K8tsExecutable,
): ProcessSpec {
  const args = [
    ...exe.args,
    'agent',
    `--kubeconfig=${kubeconfigPath(paths, 'kubelet.conf')}`,
    `--rootfs=${paths.rootfs}`,
    `--hostname-override=${node.name}`,
    `--node-ip=${node.nodeIp}`,
    `--container-runtime-endpoint=${node.criSocket}`,
    `--address=${node.nodeIp}`,
    `--port=${String(node.kubeletPort)}`,
  ];
  if (node.cgroupDriver !== undefined) args.push(`--cgroup-driver=${node.cgroupDriver}`);
  const labels = Object.entries(node.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0) args.push(`--node-labels=${labels.join(',')}`);
  if (node.taints.length > 0)
    args.push(`--register-with-taints=${node.taints.map(formatTaint).join(',')}`);
  if (node.podCidr !== undefined) args.push(`--pod-cidr=${node.podCidr}`);
  return { name: AGENT_PROCESS_NAME, command: exe.command, args, env: {} };
}
