/**
 * A pod's volumes under `/var/lib/kubelet/pods/<uid>/volumes/<plugin>/<name>` (kubelet's
 * layout and plugin names): emptyDir (a tmpfs for medium Memory), hostPath with its type
 * checks, configMap, secret and projected (configMap, secret, downwardAPI and a bound service
 * account token from TokenRequest, refreshed at 80 % of its lifetime) and downwardAPI, written
 * atomically on every sync so that a changed ConfigMap or Secret reaches the files. Secrets and
 * projected volumes live on a tmpfs, as upstream keeps them off the disk. `tearDown` unmounts and
 * removes everything of a pod. A missing object or an unsupported volume fails `setUp` with
 * upstream's message (the pod stays ContainerCreating and a FailedMount event says why).
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod, Volume, VolumeProjection } from 'kubernetes-types/core/v1.d.ts';
import type { ConfigObjects } from '../pods/container-env.ts';
import { writeAtomically } from './atomic-writer.ts';
import type { FileProjection } from './atomic-writer.ts';
import type { ObjectRefKey } from './watched-objects.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';
import { downwardApiFiles } from './downward-api.ts';

const run = promisify(execFile);

export class VolumeSetupError extends Error {
  readonly code = 'AGENT_VOLUME_SETUP';
  readonly volume: string;
  constructor(volume: string, message: string) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${message}`);
    this.name = 'VolumeSetupError';
    this.volume = volume;
  }
}

export interface MountedVolume {
  readonly hostPath: string;
  readonly readOnly: boolean;
}

export interface VolumeManagerOptions {
  readonly podsDir: string;
  readonly objects: ConfigObjects;
  readonly tokens: ServiceAccountTokens;
  /** For downwardAPI items. */
  readonly hostIp: string;
  readonly allocatable: () => Readonly<Record<string, string>>;
}

const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  hostPath: 'kubernetes.io~host-path',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  projected: 'kubernetes.io~projected',
  downwardAPI: 'kubernetes.io~downward-api',
} as const;

function decodeSecret(data: Readonly<Record<string, string>> | undefined): Map<string, Buffer> {
  return new Map(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/** Items (key → path, mode) or every key, as upstream's MakePayload. */
function keyFiles(
  what: string,
  data: ReadonlyMap<string, Buffer>,
  items: readonly { key: string; path: string; mode?: number }[] | undefined,
  defaultMode: number,
  optional: boolean,
): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  if (items === undefined || items.length === 0) {
    for (const [k, v] of data) out.set(k, { data: v, mode: defaultMode });
    return out;
  }
  for (const item of items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw new Error(
        `configmap references non-existent config key: ${item.key}`.replace('configmap', what),
      );
    }
    out.set(item.path, { data: v, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** The ConfigMaps and Secrets a pod references through volumes and env (for watches). */
export function podObjectReferences(pod: Pod): ObjectRefKey[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const refs = new Map<string, ObjectRefKey>();
  const add = (kind: ObjectRefKey['kind'], name: string | undefined): void => {
    if (name !== undefined && name !== '')
      refs.set(`${kind}/${name}`, { kind, namespace: ns, name });
  };
  for (const v of pod.spec?.volumes ?? []) {
    add('configmaps', v.configMap?.name);
    add('secrets', v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) {
      add('configmaps', s.configMap?.name);
      add('secrets', s.secret?.name);
    }
  }
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const f of c.envFrom ?? []) {
      add('configmaps', f.configMapRef?.name);
      add('secrets', f.secretRef?.name);
    }
    for (const e of c.env ?? []) {
      add('configmaps', e.valueFrom?.configMapKeyRef?.name);
      add('secrets', e.valueFrom?.secretKeyRef?.name);
    }
  }
  return [...refs.values()];
}

export class VolumeManager {
  readonly #o: VolumeManagerOptions;

  constructor(options: VolumeManagerOptions) {
    this.#o = options;
  }

  podDir(uid: string): string {
    return join(this.#o.podsDir, uid);
  }

  /** Creates or refreshes every volume of the pod; answers host paths by volume name. */
  async setUp(pod: Pod, podIps: readonly string[]): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata?.uid ?? '';
    const out = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.#setUpOne(pod, uid, v, podIps));
      } catch (err: unknown) {
        if (err instanceof VolumeSetupError) throw err;
        throw new VolumeSetupError(v.name, err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }

  async #setUpOne(
    pod: Pod,
    uid: string,
    v: Volume,
    podIps: readonly string[],
  ): Promise<MountedVolume> {
    const ns = pod.metadata?.namespace ?? 'default';
    const dirFor = (plugin: keyof typeof PLUGIN_DIRS): string =>
      join(this.podDir(uid), 'volumes', PLUGIN_DIRS[plugin], v.name);
    if (v.hostPath !== undefined)
      return { hostPath: checkHostPath(v.hostPath.path, v.hostPath.type ?? ''), readOnly: false };
    if (v.emptyDir !== undefined) {
      const dir = dirFor('emptyDir');
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        chmodSync(dir, 0o777);
      }
      if (v.emptyDir.medium === 'Memory') await ensureTmpfs(dir, v.emptyDir.sizeLimit);
      return { hostPath: dir, readOnly: false };
    }
    if (v.configMap !== undefined) {
      const name = v.configMap.name ?? '';
      const cm = await this.#o.objects.configMap(ns, name);
      const optional = v.configMap.optional === true;
      if (cm === undefined && !optional) throw new Error(`configmap "${name}" not found`);
      const data = new Map<string, Buffer>([
        ...Object.entries(cm?.data ?? {}).map(([k, s]): [string, Buffer] => [k, Buffer.from(s)]),
        ...decodeSecret(cm?.binaryData),
      ]);
      const dir = dirFor('configMap');
      writeAtomically(
        dir,
        keyFiles('configmap', data, v.configMap.items, v.configMap.defaultMode ?? 0o644, optional),
      );
      return { hostPath: dir, readOnly: true };
    }
    if (v.secret !== undefined) {
      const name = v.secret.secretName ?? '';
      const s = await this.#o.objects.secret(ns, name);
      const optional = v.secret.optional === true;
      if (s === undefined && !optional) throw new Error(`secret "${name}" not found`);
      const dir = dirFor('secret');
      await ensureTmpfs(dir);
      writeAtomically(
        dir,
        keyFiles(
          'secret',
          decodeSecret(s?.data),
          v.secret.items,
          v.secret.defaultMode ?? 0o644,
          optional,
        ),
      );
      return { hostPath: dir, readOnly: true };
    }
    if (v.projected !== undefined) {
      const dir = dirFor('projected');
      await ensureTmpfs(dir);
      const files = new Map<string, FileProjection>();
      const mode = v.projected.defaultMode ?? 0o644;
      for (const source of v.projected.sources ?? [])
        for (const [k, f] of await this.#projection(pod, source, mode, podIps)) files.set(k, f);
      writeAtomically(dir, files);
      return { hostPath: dir, readOnly: true };
    }
    if (v.downwardAPI !== undefined) {
      const dir = dirFor('downwardAPI');
      const files = downwardApiFiles(
        pod,
        v.downwardAPI.items ?? [],
        v.downwardAPI.defaultMode ?? 0o644,
        {
          hostIp: this.#o.hostIp,
          podIps,
          allocatable: this.#o.allocatable(),
        },
      );
      writeAtomically(dir, files);
      return { hostPath: dir, readOnly: true };
    }
    throw new Error(
      'volume type not supported by k8ts (supported: emptyDir, hostPath, configMap, secret, projected, downwardAPI)',
    );
  }

  async #projection(
    pod: Pod,
    source: VolumeProjection,
    defaultMode: number,
    podIps: readonly string[],
  ): Promise<Map<string, FileProjection>> {
    const ns = pod.metadata?.namespace ?? 'default';
    if (source.configMap !== undefined) {
      const name = source.configMap.name ?? '';
      const optional = source.configMap.optional === true;
      const cm = await this.#o.objects.configMap(ns, name);
      if (cm === undefined && !optional) throw new Error(`configmap "${name}" not found`);
      const data = new Map(
        Object.entries(cm?.data ?? {}).map(([k, s]): [string, Buffer] => [k, Buffer.from(s)]),
      );
      return keyFiles('configmap', data, source.configMap.items, defaultMode, optional);
    }
    if (source.secret !== undefined) {
      const name = source.secret.name ?? '';
      const optional = source.secret.optional === true;
      const s = await this.#o.objects.secret(ns, name);
      if (s === undefined && !optional) throw new Error(`secret "${name}" not found`);
      return keyFiles('secret', decodeSecret(s?.data), source.secret.items, defaultMode, optional);
    }
    if (source.downwardAPI !== undefined)
      return downwardApiFiles(pod, source.downwardAPI.items ?? [], defaultMode, {
        hostIp: this.#o.hostIp,
        podIps,
        allocatable: this.#o.allocatable(),
      });
    if (source.serviceAccountToken !== undefined) {
      const t = source.serviceAccountToken;
      const token = await this.#o.tokens.token(pod, t.audience ?? '', t.expirationSeconds ?? 3600);
      return new Map([
        [t.path, { data: Buffer.from(token), mode: defaultMode === 0o644 ? 0o600 : defaultMode }],
      ]);
    }
    return new Map();
  }

  /** Unmounts and removes every volume and the pod directory. */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    if (!existsSync(dir)) return;
    for (const m of mountsUnder(dir))
      await run('umount', [m]).catch(() => run('umount', ['-l', m]));
    rmSync(dir, { recursive: true, force: true });
    this.#o.tokens.forget(uid);
  }
}

function checkHostPath(path: string, type: string): string {
  const stat = (): ReturnType<typeof statSync> | undefined => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  };
  const st = stat();
  const fail = (what: string): never => {
    throw new Error(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (type) {
    case '':
      return path;
    case 'DirectoryOrCreate':
      if (st === undefined) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) fail('directory');
      return path;
    case 'Directory':
      if (st?.isDirectory() !== true) fail('directory');
      return path;
    case 'FileOrCreate':
      if (st === undefined) writeFileSync(path, '', { mode: 0o644 });
      else if (!st.isFile()) fail('file');
      return path;
    case 'File':
      if (st?.isFile() !== true) fail('file');
      return path;
    case 'Socket':
      if (st?.isSocket() !== true) fail('socket');
      return path;
    case 'CharDevice':
      if (st?.isCharacterDevice() !== true) fail('character device');
      return path;
    case 'BlockDevice':
      if (st?.isBlockDevice() !== true) fail('block device');
      return path;
    default:
      throw new Error(`invalid hostPath type ${JSON.stringify(type)}`);
  }
}

function isMountPoint(dir: string): boolean {
  return mountsUnder(dir).includes(dir);
}

async function ensureTmpfs(dir: string, sizeLimit?: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (isMountPoint(dir)) return;
  const options = sizeLimit === undefined ? [] : ['-o', `size=${sizeLimit.replace(/i$/, '')}`];
  await run('mount', ['-t', 'tmpfs', ...options, 'tmpfs', dir]);
}

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = text
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}
