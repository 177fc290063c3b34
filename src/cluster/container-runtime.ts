/**
 * Which container runtime a node's agent uses, decided at init/join pre-flight:
 *  - `--cri-socket` given: that runtime (it must answer; its cgroup driver must match);
 *  - not given, and containerd answers at kubeadm's default socket: that one, as kubeadm;
 *  - not given, nothing answers, and containerd is installed: k8ts runs containerd itself as a
 *    child of the node supervisor (as k3s embeds it), with `k8ts containerd config`'s settings
 *    for this host, its state in the usual places under `--rootfs`, and the cgroup driver of the
 *    host (systemd where systemd is PID 1, else cgroupfs).
 * Answers pre-flight results too (kubeadm's `CRI` and k8ts's `CgroupDriver` checks).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeProcessSpec } from '../node/process-spec.ts';
import type { ProcessSpec } from '../node/process-spec.ts';
import { DEFAULT_CRI_SOCKET } from './node-registration.ts';
import type { CgroupDriver } from './node-registration.ts';
import type { CheckResult } from './preflight-checks.ts';
import { checkContainerRuntime } from './runtime-checks.ts';

export const CONTAINERD_PROCESS_NAME = 'containerd';

export interface ContainerRuntimeChoice {
  /** The agent's `--container-runtime-endpoint`. */
  readonly endpoint: string;
  readonly cgroupDriver: CgroupDriver | undefined;
  readonly results: readonly CheckResult[];
  /** Set when k8ts runs containerd: its config (TOML) and where it goes. */
  readonly managed?: { readonly configPath: string; readonly configText: string };
  /** A line for the output explaining the choice, if any. */
  readonly note?: string;
}

export interface ChooseRuntimeOptions {
  readonly rootfs: string;
  /** `--cri-socket`, undefined when not given. */
  readonly criSocket: string | undefined;
  readonly cgroupDriver: CgroupDriver | undefined;
  /** Default: /usr/bin/containerd. */
  readonly containerdBinary?: string;
}

/** Where k8ts keeps the config of a containerd it runs. */
export function managedContainerdConfigPath(rootfs: string): string {
  return join(rootfs, 'etc/k8ts/containerd/config.toml');
}

export async function chooseContainerRuntime(
  options: ChooseRuntimeOptions,
): Promise<ContainerRuntimeChoice> {
  const wanted = options.criSocket ?? DEFAULT_CRI_SOCKET;
  const check = await checkContainerRuntime(wanted, options.cgroupDriver);
  const unreachable = check.results.some((r) => r.name === 'CRI');
  const binary = options.containerdBinary ?? '/usr/bin/containerd';
  if (!unreachable || options.criSocket !== undefined || !existsSync(binary))
    return { endpoint: wanted, cgroupDriver: check.cgroupDriver, results: check.results };
  const {
    containerdDefaultConfig,
    containerdSocketPath,
    mustRestrictOomScoreAdj,
    renderContainerdConfig,
  } = await import('../agent/containerd/containerd-config.ts');
  const cgroupDriver =
    options.cgroupDriver ?? (existsSync('/run/systemd/system') ? 'systemd' : 'cgroupfs');
  const configText = renderContainerdConfig(containerdDefaultConfig(binary), {
    rootfs: options.rootfs,
    cgroupDriver,
    restrictOomScoreAdj: mustRestrictOomScoreAdj(),
  });
  const configPath = managedContainerdConfigPath(options.rootfs);
  return {
    endpoint: `unix://${containerdSocketPath(options.rootfs)}`,
    cgroupDriver,
    results: [],
    managed: { configPath, configText },
    note: `[preflight] No container runtime answers at ${wanted}: k8ts will run containerd under the node supervisor (config "${configPath}")`,
  };
}

/** The supervisor's spec for a containerd k8ts runs. */
export function containerdSpec(configPath: string, binary = '/usr/bin/containerd'): ProcessSpec {
  return {
    name: CONTAINERD_PROCESS_NAME,
    command: binary,
    args: ['--config', configPath],
    env: {},
  };
}

/** Writes a managed containerd's config and its process spec for the node supervisor. */
export function writeManagedContainerd(
  manifestsDir: string,
  managed: NonNullable<ContainerRuntimeChoice['managed']>,
): void {
  mkdirSync(dirname(managed.configPath), { recursive: true, mode: 0o755 });
  const tmp = `${managed.configPath}.tmp`;
  writeFileSync(tmp, managed.configText, { mode: 0o644 });
  renameSync(tmp, managed.configPath);
  writeProcessSpec(manifestsDir, containerdSpec(managed.configPath));
}
