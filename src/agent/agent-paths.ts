/**
 * Where a node's agent keeps its state under `--rootfs` (kubelet's layout), and the names of
 * the machine-wide things it creates. With rootfs `/` those are upstream's (`cni0`, the cgroup
 * root `/`); under any other rootfs they are derived from the rootfs path, so that several
 * nodes on one machine (tests, `k8ts up`) never share a bridge or a cgroup tree.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface AgentPaths {
  readonly rootfs: string;
  /** `/var/lib/kubelet`: the agent's state. */
  readonly kubeletDir: string;
  /** `/var/lib/kubelet/pods`: per-pod volume directories (`<uid>/volumes/...`). */
  readonly podsDir: string;
  /** `/var/log/pods`: CRI container logs (`<ns>_<name>_<uid>/<container>/<restart>.log`). */
  readonly podLogsDir: string;
  /** `/etc/cni/net.d`: where the agent writes the CNI conflist containerd reads. */
  readonly cniConfDir: string;
  /** `/var/lib/cni/networks`: host-local IPAM allocations. */
  readonly ipamDataDir: string;
}

export function agentPaths(rootfs: string): AgentPaths {
  const kubeletDir = join(rootfs, 'var/lib/kubelet');
  return {
    rootfs,
    kubeletDir,
    podsDir: join(kubeletDir, 'pods'),
    podLogsDir: join(rootfs, 'var/log/pods'),
    cniConfDir: join(rootfs, 'etc/cni/net.d'),
    ipamDataDir: join(rootfs, 'var/lib/cni/networks'),
  };
}

export interface HostScopedNames {
  /** The CNI bridge (and CNI network name). */
  readonly bridge: string;
  /** The cgroup that holds `kubepods` (kubelet's --cgroup-root). */
  readonly cgroupRoot: string;
}

export function hostScopedNames(rootfs: string): HostScopedNames {
  if (rootfs === '/' || rootfs === '') return { bridge: 'cni0', cgroupRoot: '/' };
  const id = createHash('sha256').update(rootfs).digest('hex').slice(0, 8);
  return { bridge: `k8ts${id}`, cgroupRoot: `/k8ts-${id}` };
}
