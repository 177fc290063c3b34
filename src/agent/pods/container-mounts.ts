/**
 * A container's mounts, as kubelet's makeMounts: each volumeMount on its volume's host path
 * (with subPath or subPathExpr, the latter expanded from the container's env), read-only when
 * the mount says so or the volume must be (configMap, secret, projected, downwardAPI), then the
 * managed /etc/hosts and the termination-log file. A subPath is resolved component by component
 * and must stay inside its volume: a symlink a container planted that points out of the volume
 * is refused (upstream's CVE-2017-1002101 guard), and missing directories are created only
 * under checked real paths. Not guarded: a container swapping a checked directory for a symlink
 * between this check and runc's mount (upstream closes that race by mounting through an fd).
 */
import { lstatSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Container, EnvVar, Pod, VolumeMount } from 'kubernetes-types/core/v1.d.ts';
import type { Mount } from '../cri/cri-types.ts';
import type { MountedVolume } from '../volumes/volume-manager.ts';
import { ContainerConfigError, expand } from './container-env.ts';

export interface MountsInput {
  readonly pod: Pod;
  readonly container: Container;
  readonly restartCount: number;
  readonly podIps: readonly string[];
  readonly volumes: ReadonlyMap<string, MountedVolume>;
  /** The container's resolved environment (for subPathExpr). */
  readonly env: readonly EnvVar[];
  /** `/var/lib/kubelet/pods`. */
  readonly podsDir: string;
}

const PROPAGATION = {
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
} as const;

export function makeMounts(input: MountsInput): Mount[] {
  const { pod, container: c } = input;
  const mounts: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = input.volumes.get(m.name);
    if (v === undefined)
      throw new ContainerConfigError(
        `cannot find volume "${m.name}" to mount into container "${c.name}"`,
      );
    const sub = subPathOf(m, input.env);
    mounts.push({
      container_path: m.mountPath,
      host_path: sub === '' ? v.hostPath : resolveSubPath(v.hostPath, sub, m.name, c.name),
      readonly: m.readOnly === true || v.readOnly,
      propagation:
        m.mountPropagation === 'HostToContainer' || m.mountPropagation === 'Bidirectional'
          ? PROPAGATION[m.mountPropagation]
          : 'PROPAGATION_PRIVATE',
    });
  }
  const podDir = join(input.podsDir, pod.metadata?.uid ?? '');
  if (pod.spec?.hostNetwork !== true && !mounts.some((m) => m.container_path === '/etc/hosts')) {
    const hosts = join(podDir, 'etc-hosts');
    mkdirSync(podDir, { recursive: true });
    writeFileSync(hosts, hostsFile(pod, input.podIps[0] ?? ''));
    mounts.push({ container_path: '/etc/hosts', host_path: hosts });
  }
  const termPath = c.terminationMessagePath ?? '/dev/termination-log';
  if (termPath !== '') {
    const dir = join(podDir, 'containers', c.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${String(input.restartCount)}-termination-log`);
    writeFileSync(file, '', { mode: 0o666 });
    mounts.push({ container_path: termPath, host_path: file });
  }
  return mounts;
}

/** subPath, or subPathExpr with `$(VAR)` expanded; must be relative and without `..`. */
function subPathOf(m: VolumeMount, env: readonly EnvVar[]): string {
  const expr = m.subPathExpr ?? '';
  const sub =
    expr === ''
      ? (m.subPath ?? '')
      : expand(expr, new Map(env.map((e): [string, string] => [e.name, e.value ?? ''])));
  if (sub.startsWith('/') || sub.split('/').includes('..'))
    throw new ContainerConfigError(
      `invalid subpath "${sub}" of volumeMount "${m.name}": must be a relative path without '..'`,
    );
  return sub;
}

/**
 * The real path of `sub` inside the volume at `root`, creating missing directories (with the
 * root's mode, as upstream's SafeMakeDir). Each existing component is checked: a symlink must
 * resolve inside the volume.
 */
export function resolveSubPath(
  root: string,
  sub: string,
  volume: string,
  container: string,
): string {
  const fail = (why: string): never => {
    throw new ContainerConfigError(
      `failed to prepare subPath for volumeMount "${volume}" of container "${container}": ${why}`,
    );
  };
  let rootReal = root;
  try {
    rootReal = realpathSync(root);
  } catch {
    fail(`volume path ${root} does not exist`);
  }
  const inside = (p: string): boolean => p === rootReal || p.startsWith(`${rootReal}${sep}`);
  const mode = statSync(rootReal).mode & 0o7777;
  let cur = rootReal;
  for (const part of sub.split('/').filter((p) => p !== '' && p !== '.')) {
    const next = join(cur, part);
    let isLink = false;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      mkdirSync(next, { mode });
      cur = next;
      continue;
    }
    if (!isLink) {
      cur = next;
      continue;
    }
    let real = '';
    try {
      real = realpathSync(next);
    } catch {
      fail(`${sub} is a dangling symlink`);
    }
    if (!inside(real)) fail(`${sub} resolves outside of the volume`);
    cur = real;
  }
  return cur;
}

/** kubelet's managed /etc/hosts. */
export function hostsFile(pod: Pod, podIp: string): string {
  const spec = pod.spec;
  const hostname = spec?.hostname ?? pod.metadata?.name ?? '';
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (podIp !== '') {
    const sub = spec?.subdomain;
    lines.push(
      sub === undefined || sub === ''
        ? `${podIp}\t${hostname}`
        : `${podIp}\t${hostname}.${sub}.${pod.metadata?.namespace ?? 'default'}.svc.cluster.local\t${hostname}`,
    );
  }
  const aliases = spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}
