/**
 * A pod's volumes under `/var/lib/kubelet/pods/<uid>/volumes/<plugin>/<name>` (kubelet's
 * layout and plugin names): emptyDir (a tmpfs for medium Memory), hostPath with its type
 * checks, configMap, secret, projected (configMap, secret, downwardAPI and a bound service
 * account token from TokenRequest) and downwardAPI, written atomically on every sync, so that a
 * changed ConfigMap or Secret (the agent watches each one a pod uses) reaches the files within
 * a sync. Secret, projected and downwardAPI volumes live on a tmpfs, as upstream keeps them off
 * the disk; configMap volumes are on the disk, as upstream. `tearDown` unmounts and removes
 * everything of a pod and is idempotent. A missing object, a missing key or an unsupported
 * volume fails `setUp` with upstream's message (the pod stays ContainerCreating and a
 * FailedMount event says why); an optional one that is missing gives an empty volume or no file.
 * With the pod's fsGroup, emptyDir and the API volumes belong to that group (volume-ownership.ts,
 * the API volumes read-only for it); hostPath volumes are never changed.
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ConfigMap,
  Pod,
  Secret,
  Volume,
  VolumeProjection,
} from 'kubernetes-types/core/v1.d.ts';
import type { ConfigObjects } from '../pods/container-env.ts';
import { writeAtomically } from './atomic-writer.ts';
import type { FileProjection } from './atomic-writer.ts';
import { downwardApiFiles } from './downward-api.ts';
import type { DownwardContext } from './downward-api.ts';
import { checkHostPath } from './host-path.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';
import { ensureTmpfs, unmountAll } from './tmpfs-mounts.ts';
import { ownedFileMode, setVolumeOwnership } from './volume-ownership.ts';
import { DEFAULT_VOLUME_MODE, configMapPayload, secretPayload } from './volume-payloads.ts';
import type { ObjectRefKey } from './watched-objects.ts';

export class VolumeSetupError extends Error {
  readonly code = 'AGENT_VOLUME_SETUP';
  readonly volume: string;
  constructor(volume: string, message: string, options?: ErrorOptions) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${message}`, options);
    this.name = 'VolumeSetupError';
    this.volume = volume;
  }
}

export class VolumeTearDownError extends Error {
  readonly code = 'AGENT_VOLUME_TEARDOWN';
  constructor(message: string) {
    super(message);
    this.name = 'VolumeTearDownError';
  }
}

export interface MountedVolume {
  readonly hostPath: string;
  /**
   * The plugin requires a read-only mount (configMap, secret, projected, downwardAPI: upstream's
   * ReadOnlyAPIDataVolumes), whatever the volumeMount says.
   */
  readonly readOnly: boolean;
}

export interface VolumeManagerOptions {
  /** `/var/lib/kubelet/pods`. */
  readonly podsDir: string;
  readonly objects: ConfigObjects;
  readonly tokens: ServiceAccountTokens;
  /** For downwardAPI items. */
  readonly hostIp: string;
  readonly allocatable: () => Readonly<Record<string, string>>;
  /** Default: real tmpfs mounts (`mount -t tmpfs`, `umount`); tests pass a fake. */
  readonly mounter?: TmpfsMounter | undefined;
}

/** What the manager mounts and unmounts (tmpfs-mounts.ts does it for real). */
export interface TmpfsMounter {
  /** Mounts a tmpfs on `dir` unless one is there; true when it mounted one now. */
  ensureTmpfs(dir: string, sizeLimit?: string): Promise<boolean>;
  /** Unmounts everything at or under `dir`; answers what is still mounted. */
  unmountAll(dir: string): Promise<string[]>;
}

const REAL_MOUNTER: TmpfsMounter = { ensureTmpfs, unmountAll };

/**
 * Volumes as plain directories, no tmpfs: for simulated nodes, whose containers never run, so
 * a mount per pod (every pod has its service-account token volume) would only cost memory and
 * leave mounts behind whoever stops the agent.
 */
export const PLAIN_DIRECTORY_MOUNTER: TmpfsMounter = {
  ensureTmpfs: () => Promise.resolve(false),
  unmountAll: () => Promise.resolve([]),
};

const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  projected: 'kubernetes.io~projected',
  downwardAPI: 'kubernetes.io~downward-api',
} as const;

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
  readonly #mounter: TmpfsMounter;

  constructor(options: VolumeManagerOptions) {
    this.#o = options;
    this.#mounter = options.mounter ?? REAL_MOUNTER;
  }

  podDir(uid: string): string {
    return join(this.#o.podsDir, uid);
  }

  /**
   * Creates or refreshes every volume of the pod at once; answers host paths by volume name and
   * throws the first failure. The agent's pod syncs go through VolumeOperations instead, which
   * sets volumes up one by one with a backoff.
   */
  async setUp(pod: Pod, podIps: readonly string[]): Promise<Map<string, MountedVolume>> {
    const out = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? [])
      out.set(v.name, await this.setUpVolume(pod, v, podIps));
    return out;
  }

  /** Creates or refreshes one volume of the pod (upstream's SetUp); fails with VolumeSetupError. */
  async setUpVolume(pod: Pod, v: Volume, podIps: readonly string[]): Promise<MountedVolume> {
    try {
      return await this.#setUpOne(pod, pod.metadata?.uid ?? '', v, podIps);
    } catch (err: unknown) {
      if (err instanceof VolumeSetupError) throw err;
      throw new VolumeSetupError(v.name, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    }
  }

  async #setUpOne(
    pod: Pod,
    uid: string,
    v: Volume,
    podIps: readonly string[],
  ): Promise<MountedVolume> {
    const dirFor = (plugin: keyof typeof PLUGIN_DIRS): string =>
      join(this.podDir(uid), 'volumes', PLUGIN_DIRS[plugin], v.name);
    if (v.hostPath !== undefined)
      return { hostPath: checkHostPath(v.hostPath.path, v.hostPath.type ?? ''), readOnly: false };
    if (v.emptyDir !== undefined) {
      const dir = dirFor('emptyDir');
      const created =
        v.emptyDir.medium === 'Memory'
          ? await this.#mounter.ensureTmpfs(dir, v.emptyDir.sizeLimit)
          : mkdirSync(dir, { recursive: true }) !== undefined;
      // Any container user may write (upstream's 0777 whatever the umask); set once, so that a
      // container's own chmod of its emptyDir stays. So is its ownership, as upstream's
      // SetUpAt does it only while the volume is not ready yet.
      if (created) {
        chmodSync(dir, 0o777);
        setVolumeOwnership(dir, fsGroupOf(pod), { readOnly: false });
      }
      return { hostPath: dir, readOnly: false };
    }
    let files: Map<string, FileProjection>;
    let dir: string;
    if (v.configMap !== undefined) {
      const src = v.configMap;
      files = configMapPayload(
        await this.#configMap(pod, src.name ?? '', src.optional === true),
        src.items,
        src.defaultMode ?? DEFAULT_VOLUME_MODE,
        src.optional === true,
      );
      dir = dirFor('configMap');
    } else if (v.secret !== undefined) {
      const src = v.secret;
      files = secretPayload(
        await this.#secret(pod, src.secretName ?? '', src.optional === true),
        src.items,
        src.defaultMode ?? DEFAULT_VOLUME_MODE,
        src.optional === true,
      );
      dir = dirFor('secret');
    } else if (v.projected !== undefined) {
      files = new Map<string, FileProjection>();
      const mode = v.projected.defaultMode ?? DEFAULT_VOLUME_MODE;
      for (const source of v.projected.sources ?? [])
        for (const [k, f] of await this.#projection(pod, source, mode, podIps)) files.set(k, f);
      dir = dirFor('projected');
    } else if (v.downwardAPI !== undefined) {
      const mode = v.downwardAPI.defaultMode ?? DEFAULT_VOLUME_MODE;
      files = downwardApiFiles(pod, v.downwardAPI.items ?? [], mode, this.#downward(podIps));
      dir = dirFor('downwardAPI');
    } else
      throw new Error(
        'volume type not supported by k8ts (supported: emptyDir, hostPath, configMap, secret, projected, downwardAPI)',
      );
    // Everything is read before anything is mounted or written: a failure leaves no trace.
    if (v.configMap === undefined) await this.#mounter.ensureTmpfs(dir);
    else if (!existsSync(dir)) {
      // Upstream's configMap volume is set up inside a wrapped emptyDir: its root is 0777 (as a
      // tmpfs root is 1777), whatever the umask.
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
    }
    const fsGroup = fsGroupOf(pod);
    if (fsGroup === undefined) writeAtomically(dir, files);
    else {
      // The files are written with the modes ownership gives them, so that an unchanged payload
      // compares equal; the whole volume is then given to fsGroup before the new data is
      // swapped in (upstream's setPerms hook of AtomicWriter.Write). Upstream passes no
      // fsGroupChangePolicy for these volumes: the change is always made.
      const owned = new Map(
        [...files].map(([k, f]) => [k, { data: f.data, mode: ownedFileMode(f.mode, true) }]),
      );
      writeAtomically(dir, owned, new Date(), () => {
        setVolumeOwnership(dir, fsGroup, { readOnly: true });
      });
    }
    return { hostPath: dir, readOnly: true };
  }

  #downward(podIps: readonly string[]): DownwardContext {
    return { hostIp: this.#o.hostIp, podIps, allocatable: this.#o.allocatable() };
  }

  /** The ConfigMap, or undefined when it is missing and optional; missing otherwise fails. */
  async #configMap(pod: Pod, name: string, optional: boolean): Promise<ConfigMap | undefined> {
    const cm = await this.#o.objects.configMap(pod.metadata?.namespace ?? 'default', name);
    if (cm === undefined && !optional) throw new Error(`configmap "${name}" not found`);
    return cm;
  }

  /** The Secret, or undefined when it is missing and optional; missing otherwise fails. */
  async #secret(pod: Pod, name: string, optional: boolean): Promise<Secret | undefined> {
    const s = await this.#o.objects.secret(pod.metadata?.namespace ?? 'default', name);
    if (s === undefined && !optional) throw new Error(`secret "${name}" not found`);
    return s;
  }

  async #projection(
    pod: Pod,
    source: VolumeProjection,
    defaultMode: number,
    podIps: readonly string[],
  ): Promise<Map<string, FileProjection>> {
    if (source.configMap !== undefined) {
      const src = source.configMap;
      const optional = src.optional === true;
      const cm = await this.#configMap(pod, src.name ?? '', optional);
      return configMapPayload(cm, src.items, defaultMode, optional);
    }
    if (source.secret !== undefined) {
      const src = source.secret;
      const optional = src.optional === true;
      const s = await this.#secret(pod, src.name ?? '', optional);
      return secretPayload(s, src.items, defaultMode, optional);
    }
    if (source.downwardAPI !== undefined)
      return downwardApiFiles(
        pod,
        source.downwardAPI.items ?? [],
        defaultMode,
        this.#downward(podIps),
      );
    if (source.serviceAccountToken !== undefined) {
      const t = source.serviceAccountToken;
      const token = await this.#o.tokens.token(pod, t.audience ?? '', t.expirationSeconds ?? 3600);
      // Upstream writes the token with the volume's defaultMode, or 0600 when the pod has an
      // fsGroup (ownership then makes it 0640: the group reads it, others do not). Upstream's
      // other case, fsUser (every container runs as the same user), is not done by k8ts.
      const mode = fsGroupOf(pod) === undefined ? defaultMode : 0o600;
      return new Map([[t.path, { data: Buffer.from(token), mode }]]);
    }
    return new Map();
  }

  /**
   * Unmounts and removes every volume and the pod directory; a pod without one is a no-op. A
   * mount that cannot be removed fails the call and keeps the directory (never delete through
   * a mount).
   */
  async tearDown(uid: string): Promise<void> {
    this.#o.tokens.forget(uid);
    const dir = this.podDir(uid);
    if (!existsSync(dir)) return;
    const left = await this.#mounter.unmountAll(dir);
    if (left.length > 0)
      throw new VolumeTearDownError(
        `pod ${uid}: ${String(left.length)} volume mount(s) could not be unmounted: ${left.join(', ')}`,
      );
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The pod's fsGroup (upstream's mounterArgs.FsGroup for every volume of the pod). */
function fsGroupOf(pod: Pod): number | undefined {
  return pod.spec?.securityContext?.fsGroup;
}
