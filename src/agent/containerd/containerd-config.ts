/**
 * `k8ts containerd config`: containerd's own default configuration (`containerd config default`,
 * so every key matches the installed version) with the settings a k8ts node needs patched in:
 * the cgroup driver (`SystemdCgroup` of the runc runtime) matching the agent's
 * `--cgroup-driver`, the CRI sandbox (pause) image, the CNI binary and config directories, and
 * `restrict_oom_score_adj` where root lacks CAP_SYS_RESOURCE (runc cannot lower oom_score_adj
 * then, and every sandbox fails to start). With a `rootfs` other than `/`, every path containerd
 * owns (root, state, sockets, runc state, netns mounts) moves under it, so several nodes share
 * one machine. Config versions 2 (containerd 1.x) and 3 (2.x) are understood.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupDriver } from '../cri/cri-types.ts';
import { readTomlValue, setTomlValue, tomlString } from './toml-patch.ts';

export interface ContainerdConfigOptions {
  /** Node root; paths containerd owns move under it unless `/`. Default: `/`. */
  readonly rootfs?: string | undefined;
  /** Must match the agent's `--cgroup-driver`. Default: `cgroupfs`. */
  readonly cgroupDriver?: CgroupDriver | undefined;
  /** The CRI pause image. Default: `registry.k8s.io/pause:3.10` (kubeadm 1.33's). */
  readonly sandboxImage?: string | undefined;
  /** CNI plugin binaries. Default: `defaultCniBinDir()`. */
  readonly cniBinDir?: string | undefined;
  /** Where the agent writes the CNI conflist. Default: `<rootfs>/etc/cni/net.d`. */
  readonly cniConfDir?: string | undefined;
  /** Default: true when this process lacks CAP_SYS_RESOURCE (`mustRestrictOomScoreAdj()`). */
  readonly restrictOomScoreAdj?: boolean | undefined;
}

export const DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';

/** The gRPC socket of containerd for a node root. */
export function containerdSocketPath(rootfs: string): string {
  return join(rootfs, 'run/containerd/containerd.sock');
}

/** The CNI config directory of a node root (the agent writes its conflist there). */
export function cniConfDirFor(rootfs: string): string {
  return join(rootfs, 'etc/cni/net.d');
}

/** `/opt/cni/bin` (upstream's) when it has a bridge plugin, else Debian's `/usr/lib/cni`. */
export function defaultCniBinDir(): string {
  if (existsSync('/opt/cni/bin/bridge')) return '/opt/cni/bin';
  if (existsSync('/usr/lib/cni/bridge')) return '/usr/lib/cni';
  return '/opt/cni/bin';
}

/** True when CAP_SYS_RESOURCE (bit 24) is missing from this process's bounding set. */
export function mustRestrictOomScoreAdj(statusText?: string): boolean {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return false;
    }
  }
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (hex === undefined) return false;
  return (BigInt(`0x${hex}`) & (1n << 24n)) === 0n;
}

/** Runs `containerd config default`; a missing binary is an error that says what to install. */
export function containerdDefaultConfig(binary = 'containerd'): string {
  try {
    return execFileSync(binary, ['config', 'default'], { encoding: 'utf8', timeout: 10_000 });
  } catch (err: unknown) {
    throw new Error(
      `cannot run "${binary} config default": install containerd (Debian: apt-get install containerd runc containernetworking-plugins)`,
      { cause: err },
    );
  }
}

interface Tables {
  readonly cri: string[];
  readonly sandboxImage: readonly [string[], string];
  readonly cni: string[];
  readonly runcOptions: string[];
  readonly opt: string[];
}

const V2: Tables = {
  cri: ['plugins', 'io.containerd.grpc.v1.cri'],
  sandboxImage: [['plugins', 'io.containerd.grpc.v1.cri'], 'sandbox_image'],
  cni: ['plugins', 'io.containerd.grpc.v1.cri', 'cni'],
  runcOptions: [
    'plugins',
    'io.containerd.grpc.v1.cri',
    'containerd',
    'runtimes',
    'runc',
    'options',
  ],
  opt: ['plugins', 'io.containerd.internal.v1.opt'],
};

const V3: Tables = {
  cri: ['plugins', 'io.containerd.cri.v1.runtime'],
  sandboxImage: [['plugins', 'io.containerd.cri.v1.images', 'pinned_images'], 'sandbox'],
  cni: ['plugins', 'io.containerd.cri.v1.runtime', 'cni'],
  runcOptions: [
    'plugins',
    'io.containerd.cri.v1.runtime',
    'containerd',
    'runtimes',
    'runc',
    'options',
  ],
  opt: ['plugins', 'io.containerd.internal.v1.opt'],
};

/** Patches containerd's default config text (pure). */
export function renderContainerdConfig(
  defaultConfig: string,
  options: ContainerdConfigOptions = {},
): string {
  const rootfs = options.rootfs ?? '/';
  const version = readTomlValue(defaultConfig, [], 'version');
  const tables = version === '2' ? V2 : version === '3' ? V3 : undefined;
  if (tables === undefined)
    throw new Error(
      `containerd config version ${version ?? '(none)'} is not supported: k8ts knows versions 2 and 3`,
    );
  let text = defaultConfig;
  const set = (table: readonly string[], key: string, literal: string): void => {
    text = setTomlValue(text, table, key, literal);
  };
  const [imageTable, imageKey] = tables.sandboxImage;
  set(imageTable, imageKey, tomlString(options.sandboxImage ?? DEFAULT_SANDBOX_IMAGE));
  set(
    tables.cri,
    'restrict_oom_score_adj',
    String(options.restrictOomScoreAdj ?? mustRestrictOomScoreAdj()),
  );
  const binDir = options.cniBinDir ?? defaultCniBinDir();
  if (readTomlValue(text, tables.cni, 'bin_dirs') !== undefined)
    set(tables.cni, 'bin_dirs', `[${tomlString(binDir)}]`);
  else set(tables.cni, 'bin_dir', tomlString(binDir));
  set(tables.cni, 'conf_dir', tomlString(options.cniConfDir ?? cniConfDirFor(rootfs)));
  set(
    tables.runcOptions,
    'SystemdCgroup',
    String((options.cgroupDriver ?? 'cgroupfs') === 'systemd'),
  );
  if (rootfs !== '/') {
    set([], 'root', tomlString(join(rootfs, 'var/lib/containerd')));
    set([], 'state', tomlString(join(rootfs, 'run/containerd')));
    set(['grpc'], 'address', tomlString(containerdSocketPath(rootfs)));
    set(['ttrpc'], 'address', tomlString(`${containerdSocketPath(rootfs)}.ttrpc`));
    set(tables.opt, 'path', tomlString(join(rootfs, 'opt/containerd')));
    // runc's state would otherwise be shared by every containerd on the machine
    // (/run/containerd/runc/k8s.io), and network namespaces would be mounted in /var/run/netns.
    set(tables.runcOptions, 'Root', tomlString(join(rootfs, 'run/containerd/runc')));
    set(tables.cri, 'netns_mounts_under_state_dir', 'true');
  }
  return text;
}

/**
 * The cgroup driver a containerd config gives its runc pods (for preflight checks): `systemd`
 * when the runc runtime's `SystemdCgroup = true`, `cgroupfs` otherwise.
 */
export function cgroupDriverOfContainerdConfig(configText: string): CgroupDriver {
  const version = readTomlValue(configText, [], 'version');
  const tables = version === '3' ? V3 : V2;
  return readTomlValue(configText, tables.runcOptions, 'SystemdCgroup') === 'true'
    ? 'systemd'
    : 'cgroupfs';
}
