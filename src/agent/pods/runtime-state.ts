/**
 * What the container runtime holds, per pod (kubelet's PLEG + runtime cache): sandboxes and
 * containers grouped by the pod uid label, newest first, with each container's full CRI status.
 * `podStatus(uid)` asks the runtime about one pod now (the pod worker does before every sync);
 * `relist()` lists everything and answers the uids whose sandboxes or containers changed since
 * the previous relist, so the agent notices exits, crashes and outside changes: the runtime
 * always wins over what the agent believed. Exited containers' statuses never change again and
 * are read once; a sandbox's IP is read once.
 */
import type { Container, ContainerStatus, PodSandbox } from '../cri/cri-types.ts';
import { CriNotFoundError } from '../cri/cri-errors.ts';
import type { RuntimeService } from '../cri/runtime-service.ts';
import {
  ANNOTATION_CONTAINER_HASH,
  ANNOTATION_GRACE_PERIOD,
  ANNOTATION_RESTART_COUNT,
  ANNOTATION_TERMINATION_MESSAGE_PATH,
  ANNOTATION_TERMINATION_MESSAGE_POLICY,
  LABEL_CONTAINER_KIND,
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
} from './runtime-labels.ts';
import type { ContainerKind } from './runtime-labels.ts';

export type RuntimeContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface RuntimeSandbox {
  readonly id: string;
  readonly attempt: number;
  readonly ready: boolean;
  readonly createdAtMs: number;
  /** Pod IPs, primary first (empty for a sandbox without network). */
  readonly ips: readonly string[];
}

export interface RuntimeContainer {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly kind: ContainerKind;
  readonly state: RuntimeContainerState;
  readonly restartCount: number;
  readonly hash: string;
  readonly createdAtMs: number;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly exitCode: number;
  /** The runtime's reason for an exit: `Completed`, `Error`, `OOMKilled`, `StartError`, ... */
  readonly reason: string;
  readonly message: string;
  readonly image: string;
  readonly imageRef: string;
  readonly logPath: string;
  readonly terminationMessagePath: string;
  readonly terminationMessagePolicy: string;
  readonly gracePeriodSeconds: number | undefined;
}

export interface RuntimePod {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  /** Newest first. */
  readonly sandboxes: readonly RuntimeSandbox[];
  /** Newest first. */
  readonly containers: readonly RuntimeContainer[];
}

const nsToMs = (ns: string): number =>
  ns === '' || ns === '0' ? 0 : Number(BigInt(ns) / 1_000_000n);

const STATES: Readonly<Record<string, RuntimeContainerState>> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};

function toContainer(c: Container, status: ContainerStatus | undefined): RuntimeContainer {
  const a = status?.annotations ?? c.annotations;
  const grace = a[ANNOTATION_GRACE_PERIOD];
  return {
    id: c.id,
    sandboxId: c.pod_sandbox_id,
    name: c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name,
    kind: c.labels[LABEL_CONTAINER_KIND] === 'init' ? 'init' : 'app',
    state: STATES[status?.state ?? c.state] ?? 'unknown',
    restartCount: Number(a[ANNOTATION_RESTART_COUNT] ?? c.metadata.attempt),
    hash: a[ANNOTATION_CONTAINER_HASH] ?? '',
    createdAtMs: nsToMs(c.created_at),
    startedAtMs: nsToMs(status?.started_at ?? '0'),
    finishedAtMs: nsToMs(status?.finished_at ?? '0'),
    exitCode: status?.exit_code ?? 0,
    reason: status?.reason ?? '',
    message: status?.message ?? '',
    image: c.image.image,
    imageRef: status?.image_ref ?? c.image_ref,
    logPath: status?.log_path ?? '',
    terminationMessagePath: a[ANNOTATION_TERMINATION_MESSAGE_PATH] ?? '',
    terminationMessagePolicy: a[ANNOTATION_TERMINATION_MESSAGE_POLICY] ?? '',
    gracePeriodSeconds: grace === undefined ? undefined : Number(grace),
  };
}

function fingerprint(pod: RuntimePod | undefined): string {
  if (pod === undefined) return '';
  return [
    ...pod.sandboxes.map((s) => `s:${s.id}:${String(s.ready)}:${s.ips.join('/')}`),
    ...pod.containers.map((c) => `c:${c.id}:${c.state}`),
  ].join(',');
}

export class RuntimeState {
  readonly #runtime: RuntimeService;
  /** Statuses of containers by id, with the list state they were read at. */
  readonly #statuses = new Map<string, { state: string; status: ContainerStatus }>();
  readonly #sandboxIps = new Map<string, readonly string[]>();
  #pods = new Map<string, RuntimePod>();

  constructor(runtime: RuntimeService) {
    this.#runtime = runtime;
  }

  /** The pod as the last relist or `podStatus` saw it. */
  cached(uid: string): RuntimePod | undefined {
    return this.#pods.get(uid);
  }

  /** Every pod uid the runtime has sandboxes or containers for, as last seen. */
  cachedUids(): string[] {
    return [...this.#pods.keys()];
  }

  /** Reads one pod from the runtime now and updates the cache. */
  async podStatus(uid: string, signal?: AbortSignal): Promise<RuntimePod | undefined> {
    const selector = { [LABEL_POD_UID]: uid };
    const [sandboxes, containers] = await Promise.all([
      this.#runtime.listPodSandbox({ label_selector: selector }, { signal }),
      this.#runtime.listContainers({ label_selector: selector }, { signal }),
    ]);
    const pod = await this.#build(uid, sandboxes, containers, signal);
    if (pod === undefined) this.#pods.delete(uid);
    else this.#pods.set(uid, pod);
    return pod;
  }

  /** Lists the whole runtime; answers the uids whose pods changed (appeared, changed or gone). */
  async relist(signal?: AbortSignal): Promise<string[]> {
    const [sandboxes, containers] = await Promise.all([
      this.#runtime.listPodSandbox(undefined, { signal }),
      this.#runtime.listContainers(undefined, { signal }),
    ]);
    const uids = new Set<string>();
    for (const s of sandboxes) {
      const uid = s.labels[LABEL_POD_UID];
      if (uid !== undefined) uids.add(uid);
    }
    for (const c of containers) {
      const uid = c.labels[LABEL_POD_UID];
      if (uid !== undefined) uids.add(uid);
    }
    const next = new Map<string, RuntimePod>();
    const changed: string[] = [];
    for (const uid of uids) {
      const pod = await this.#build(
        uid,
        sandboxes.filter((s) => s.labels[LABEL_POD_UID] === uid),
        containers.filter((c) => c.labels[LABEL_POD_UID] === uid),
        signal,
      );
      if (pod === undefined) continue;
      next.set(uid, pod);
      if (fingerprint(pod) !== fingerprint(this.#pods.get(uid))) changed.push(uid);
    }
    for (const uid of this.#pods.keys()) if (!next.has(uid)) changed.push(uid);
    this.#pods = next;
    // Forget what the runtime no longer has.
    const ids = new Set(containers.map((c) => c.id));
    for (const id of this.#statuses.keys()) if (!ids.has(id)) this.#statuses.delete(id);
    const sandboxIds = new Set(sandboxes.map((s) => s.id));
    for (const id of this.#sandboxIps.keys()) if (!sandboxIds.has(id)) this.#sandboxIps.delete(id);
    return changed;
  }

  async #build(
    uid: string,
    sandboxes: readonly PodSandbox[],
    containers: readonly Container[],
    signal: AbortSignal | undefined,
  ): Promise<RuntimePod | undefined> {
    if (sandboxes.length === 0 && containers.length === 0) return undefined;
    const first = sandboxes[0]?.labels ?? containers[0]?.labels ?? {};
    const runtimeSandboxes: RuntimeSandbox[] = [];
    for (const s of sandboxes) {
      const ready = s.state === 'SANDBOX_READY';
      let ips = this.#sandboxIps.get(s.id);
      if (ips === undefined && ready) {
        try {
          const st = await this.#runtime.podSandboxStatus(s.id, { signal });
          ips = [
            st.network?.ip ?? '',
            ...(st.network?.additional_ips ?? []).map((i) => i.ip),
          ].filter((ip) => ip !== '');
          this.#sandboxIps.set(s.id, ips);
        } catch (err: unknown) {
          if (!(err instanceof CriNotFoundError)) throw err;
        }
      }
      runtimeSandboxes.push({
        id: s.id,
        attempt: s.metadata.attempt,
        ready,
        createdAtMs: nsToMs(s.created_at),
        ips: ips ?? [],
      });
    }
    const runtimeContainers: RuntimeContainer[] = [];
    for (const c of containers) {
      let cached = this.#statuses.get(c.id);
      if (cached?.state !== c.state) {
        try {
          const status = await this.#runtime.containerStatus(c.id, { signal });
          cached = { state: c.state, status };
          this.#statuses.set(c.id, cached);
        } catch (err: unknown) {
          if (!(err instanceof CriNotFoundError)) throw err;
          continue; // removed meanwhile
        }
      }
      runtimeContainers.push(toContainer(c, cached.status));
    }
    runtimeSandboxes.sort((a, b) => b.createdAtMs - a.createdAtMs || b.attempt - a.attempt);
    runtimeContainers.sort(
      (a, b) => b.createdAtMs - a.createdAtMs || b.restartCount - a.restartCount,
    );
    return {
      uid,
      name: first[LABEL_POD_NAME] ?? '',
      namespace: first[LABEL_POD_NAMESPACE] ?? '',
      sandboxes: runtimeSandboxes,
      containers: runtimeContainers,
    };
  }
}

/** The newest container of `name` (of the given kind), or undefined. */
export function latestContainer(
  pod: RuntimePod | undefined,
  name: string,
  kind: ContainerKind,
): RuntimeContainer | undefined {
  return pod?.containers.find((c) => c.name === name && c.kind === kind);
}
