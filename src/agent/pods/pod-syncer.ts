/**
 * One pod's sync (kubelet's syncPod / syncTerminatingPod / syncTerminatedPod with kuberuntime's
 * SyncPod): read the pod from the runtime, compute the actions, kill what must go, create the
 * sandbox, start init containers in order and app containers (crash-loop backoff: 10 s doubling
 * to 5 min, reported as CrashLoopBackOff), drop old exited instances (the last one stays for
 * `kubectl logs --previous`), then write the status. A deleted pod is terminated: preStop hooks
 * and SIGTERM within its grace period, SIGKILL after, a terminal status, then every trace is
 * removed (containers, sandboxes, volumes and mounts, cgroups, logs) before the pod object is
 * deleted with grace period 0. Idempotent: any step may be repeated after a failure or restart.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { EventRecorder } from '../../client/index.ts';
import type { JsonLineLogFn } from '../../util/json-line-log.ts';
import type { AgentPaths } from '../agent-paths.ts';
import type { ContainerRuntime } from '../cri/runtime-service.ts';
import type { ProbeManager } from '../probes/probe-manager.ts';
import { VolumeSetupError } from '../volumes/volume-manager.ts';
import type { VolumeManager } from '../volumes/volume-manager.ts';
import type { ContainerRunner } from './container-runner.ts';
import { podRef } from './container-runner.ts';
import type { ImagePuller } from './image-puller.ts';
import { grpcErrorText } from './image-puller.ts';
import type { PodCgroups } from './pod-cgroups.ts';
import { computePodActions } from './pod-actions.ts';
import { generatePodStatus, reasonKey } from './pod-status.ts';
import type { WaitingReason } from './pod-status.ts';
import type { PodStatusWriter } from './pod-status-writer.ts';
import type { RestartBackoff } from './restart-backoff.ts';
import { goDurationText } from './restart-backoff.ts';
import { podDescription } from './runtime-labels.ts';
import type { ContainerKind } from './runtime-labels.ts';
import { buildSandboxConfig, podLogDirectory } from './sandbox-config.ts';
import type { ClusterDns } from './sandbox-config.ts';
import type { RuntimeContainer, RuntimePod, RuntimeState } from './runtime-state.ts';
import { latestContainer } from './runtime-state.ts';

export interface PodSyncerOptions {
  readonly runtime: ContainerRuntime;
  readonly state: RuntimeState;
  readonly runner: ContainerRunner;
  readonly volumes: VolumeManager;
  readonly cgroups: PodCgroups;
  readonly probes: ProbeManager;
  readonly puller: ImagePuller;
  readonly crashBackoff: RestartBackoff;
  readonly statusWriter: PodStatusWriter;
  readonly events: EventRecorder;
  readonly paths: AgentPaths;
  readonly dns: ClusterDns;
  readonly hostIp: string;
  /** The runtime reports NetworkReady. */
  readonly networkReady: () => boolean;
  readonly log: JsonLineLogFn;
  readonly now?: (() => number) | undefined;
}

export interface SyncOutcome {
  /** Sync again after this long (a backoff ends, a retry is due). */
  readonly requeueAfterMs?: number | undefined;
}

/** How long to wait before retrying a pod whose last sync hit an error. */
const RETRY_MS = 2_000;
const NETWORK_RETRY_MS = 1_000;
/**
 * After a failed pull (ErrImagePull) the pod syncs again this soon, and that sync, within the
 * pull back-off, reports ImagePullBackOff until the back-off ends. Upstream gets the same
 * sequence from its PLEG, which reports the sandbox the failing sync created about one relist
 * period (1 s) later; k8ts's relist does not report the agent's own changes, and a status-only
 * change (the ErrImagePull write coming back) does not sync, so the sync is queued explicitly.
 */
const PULL_FAILED_RESYNC_MS = 1_000;
const MAX_TERMINATION_MESSAGE = 4096;

export class PodSyncer {
  readonly #o: PodSyncerOptions;
  readonly #reasons = new Map<string, Map<string, WaitingReason>>();
  readonly #now: () => number;

  constructor(options: PodSyncerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  #reasonsOf(uid: string): Map<string, WaitingReason> {
    let r = this.#reasons.get(uid);
    if (r === undefined) {
      r = new Map();
      this.#reasons.set(uid, r);
    }
    return r;
  }

  /** Drives a live pod (no deletionTimestamp) toward its spec. */
  async sync(pod: Pod, signal: AbortSignal): Promise<SyncOutcome> {
    const o = this.#o;
    const uid = pod.metadata?.uid ?? '';
    let runtime = await o.state.podStatus(uid, signal);
    // The phase this agent last wrote counts as much as the API's: a status-only change does
    // not sync the pod again (podUpdateNeedsSync), so the informer's copy may still lag.
    if (isTerminal(o.statusWriter.lastWritten(uid)?.phase) || isTerminal(pod.status?.phase)) {
      // Terminal: nothing runs again; the sandbox is stopped, containers kept for logs.
      await this.#stopAll(pod, runtime, 0, '');
      o.probes.removePod(uid);
      return {};
    }
    const reasons = this.#reasonsOf(uid);
    const hostNetwork = pod.spec?.hostNetwork === true;
    if (!hostNetwork && !o.networkReady() && runtime?.sandboxes[0]?.ready !== true) {
      o.events.event(
        podRef(pod),
        'Warning',
        'NetworkNotReady',
        'network is not ready: container runtime network not ready',
      );
      await this.#writeStatus(pod, runtime, false, signal);
      return { requeueAfterMs: NETWORK_RETRY_MS };
    }
    o.cgroups.ensure(pod);
    const latestSandbox = runtime?.sandboxes.find((s) => s.ready);
    let podIps = latestSandbox?.ips ?? [];
    let volumes;
    try {
      volumes = await o.volumes.setUp(pod, podIps);
    } catch (err: unknown) {
      if (!(err instanceof VolumeSetupError)) throw err;
      o.events.event(podRef(pod), 'Warning', 'FailedMount', err.message);
      await this.#writeStatus(pod, runtime, false, signal);
      return { requeueAfterMs: RETRY_MS };
    }
    const actions = computePodActions(pod, runtime, o.probes.verdicts(pod, runtime));
    const grace = gracePeriod(pod);
    if (actions.killPod) {
      await this.#stopAll(pod, runtime, grace, 'Stopping container');
      if (actions.createSandbox && runtime !== undefined)
        for (const c of runtime.containers.filter((x) => x.kind === 'init'))
          await o.runtime.removeContainer(c.id).catch(() => undefined);
    }
    await Promise.all(
      actions.containersToKill.map((k) =>
        o.runner.kill(
          pod,
          specOf(pod, k.container),
          k.container,
          k.graceSeconds ?? grace,
          k.message,
        ),
      ),
    );
    let sandboxId = actions.sandboxId;
    const sandboxConfig = buildSandboxConfig({
      pod,
      attempt: actions.createSandbox
        ? actions.sandboxAttempt
        : (runtime?.sandboxes[0]?.attempt ?? 0),
      podLogsDir: o.paths.podLogsDir,
      cgroupParent: o.cgroups.cgroupParent(pod),
      dns: o.dns,
    });
    if (actions.createSandbox) {
      if (runtime !== undefined && runtime.sandboxes.length > 0)
        o.events.event(
          podRef(pod),
          'Normal',
          'SandboxChanged',
          'Pod sandbox changed, it will be killed and re-created.',
        );
      try {
        sandboxId = await o.runtime.runPodSandbox(sandboxConfig, { signal });
      } catch (err: unknown) {
        const message = `Failed to create pod sandbox: ${grpcErrorText(err)}`;
        o.events.event(podRef(pod), 'Warning', 'FailedCreatePodSandBox', message);
        await this.#writeStatus(pod, runtime, false, signal);
        return { requeueAfterMs: RETRY_MS };
      }
      runtime = await o.state.podStatus(uid, signal);
      podIps = runtime?.sandboxes.find((s) => s.id === sandboxId)?.ips ?? [];
      // Downward API files may name the pod IP: refresh them now that it is known.
      volumes = await o.volumes.setUp(pod, podIps);
    }
    let requeueAfterMs: number | undefined;
    const requeue = (ms: number): void => {
      requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms);
    };
    if (sandboxId !== undefined && (actions.createSandbox || !actions.killPod)) {
      const starts: { c: Container; kind: ContainerKind }[] = [
        ...actions.initContainersToStart.map((i) => ({
          c: pod.spec?.initContainers?.[i],
          kind: 'init' as const,
        })),
        ...actions.containersToStart.map((i) => ({
          c: pod.spec?.containers[i],
          kind: 'app' as const,
        })),
      ].filter((x): x is { c: Container; kind: ContainerKind } => x.c !== undefined);
      for (const { c, kind } of starts) {
        const key = reasonKey(kind, c.name);
        const latest = latestContainer(runtime, c.name, kind);
        const backoffKey = `${uid}/${key}`;
        if (latest?.state === 'exited') {
          if (o.crashBackoff.isInBackOffSince(backoffKey, latest.finishedAtMs)) {
            const delay = o.crashBackoff.get(backoffKey);
            reasons.set(key, {
              reason: 'CrashLoopBackOff',
              message: `back-off ${goDurationText(delay)} restarting failed container=${c.name} pod=${podDescription(identity(pod))}`,
            });
            o.events.event(
              podRef(pod),
              'Warning',
              'BackOff',
              `Back-off restarting failed container ${c.name} in pod ${podDescription(identity(pod))}`,
            );
            requeue(Math.max(100, o.crashBackoff.remainingMs(backoffKey, latest.finishedAtMs)));
            continue;
          }
          o.crashBackoff.next(backoffKey, latest.finishedAtMs);
        }
        const result = await o.runner.start({
          pod,
          container: c,
          kind,
          restartCount: latest === undefined ? 0 : latest.restartCount + 1,
          sandboxId,
          sandboxConfig,
          podIps,
          volumes,
          signal,
        });
        if (result === undefined) reasons.delete(key);
        else {
          reasons.set(key, result);
          requeue(
            result.reason === 'ErrImagePull'
              ? PULL_FAILED_RESYNC_MS
              : result.reason === 'ImagePullBackOff'
                ? Math.max(100, o.puller.retryInMs(uid, c.image ?? ''))
                : RETRY_MS,
          );
        }
        // Regular init containers run one at a time, in order.
        if (kind === 'init' && c.restartPolicy !== 'Always') break;
      }
      runtime = await o.state.podStatus(uid, signal);
      await this.#pruneExited(runtime);
    }
    runtime = await o.state.podStatus(uid, signal);
    o.probes.sync(pod, runtime);
    await this.#writeStatus(pod, runtime, false, signal);
    // A phase written as Succeeded/Failed syncs again at once to stop the pod, as upstream's pod
    // worker does (completeWork with phaseTransition); the write's echo no longer would.
    const terminal = isTerminal(o.statusWriter.lastWritten(uid)?.phase);
    return { requeueAfterMs: terminal ? 0 : requeueAfterMs };
  }

  /** Stops a deleted pod within its grace period, reports it terminal, removes every trace. */
  async terminate(pod: Pod, apiGone: boolean, signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const uid = pod.metadata?.uid ?? '';
    o.probes.removePod(uid);
    let runtime = await o.state.podStatus(uid, signal);
    const grace = gracePeriod(pod);
    await this.#stopAll(pod, runtime, grace, 'Stopping container');
    runtime = await o.state.podStatus(uid, signal);
    if (!apiGone) await this.#writeStatus(pod, runtime, true, signal);
    await this.#removeAll(uid, runtime, pod);
    if (!apiGone) await o.statusWriter.deletePod(pod, signal);
    this.forget(uid);
  }

  /** Removes what the runtime and the node hold for a pod the agent knows nothing about. */
  async cleanupOrphan(uid: string, signal: AbortSignal): Promise<void> {
    const runtime = await this.#o.state.podStatus(uid, signal);
    if (runtime !== undefined) {
      this.#o.log('info', 'removing an orphaned pod', {
        uid,
        pod: `${runtime.namespace}/${runtime.name}`,
      });
      await this.#stopAll(undefined, runtime, 0, '');
    }
    await this.#removeAll(uid, runtime, undefined);
    this.forget(uid);
  }

  forget(uid: string): void {
    this.#reasons.delete(uid);
    this.#o.statusWriter.forget(uid);
    this.#o.puller.forgetPod(uid);
    this.#o.crashBackoff.retain((k) => !k.startsWith(`${uid}/`));
  }

  async #stopAll(
    pod: Pod | undefined,
    runtime: RuntimePod | undefined,
    grace: number,
    verb: string,
  ): Promise<void> {
    if (runtime === undefined) return;
    const running = runtime.containers.filter(
      (c) => c.state === 'running' || c.state === 'created' || c.state === 'unknown',
    );
    await Promise.all(
      running.map((c) =>
        this.#o.runner.kill(
          pod,
          pod === undefined ? undefined : specOf(pod, c),
          c,
          pod === undefined ? Math.min(c.gracePeriodSeconds ?? 30, 30) : grace,
          verb === '' ? '' : `${verb} ${c.name}`,
        ),
      ),
    );
    for (const s of runtime.sandboxes) if (s.ready) await this.#o.runtime.stopPodSandbox(s.id);
  }

  async #removeAll(
    uid: string,
    runtime: RuntimePod | undefined,
    pod: Pod | undefined,
  ): Promise<void> {
    const o = this.#o;
    for (const c of runtime?.containers ?? [])
      await o.runtime.removeContainer(c.id).catch(ignoreNotFound);
    for (const s of runtime?.sandboxes ?? []) {
      await o.runtime.stopPodSandbox(s.id).catch(ignoreNotFound);
      await o.runtime.removePodSandbox(s.id).catch(ignoreNotFound);
    }
    await o.volumes.tearDown(uid);
    if (!o.cgroups.remove(uid)) throw new Error(`pod ${uid}: its cgroup is still in use`);
    const logDir = pod !== undefined ? podLogDirectory(o.paths.podLogsDir, pod) : undefined;
    if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
    else if (runtime !== undefined)
      rmSync(
        podLogDirectory(o.paths.podLogsDir, {
          metadata: { uid, name: runtime.name, namespace: runtime.namespace },
        }),
        {
          recursive: true,
          force: true,
        },
      );
  }

  /** Keeps the newest instance of each container and the one before it; removes older ones. */
  async #pruneExited(runtime: RuntimePod | undefined): Promise<void> {
    const seen = new Map<string, number>();
    for (const c of runtime?.containers ?? []) {
      const key = `${c.kind}/${c.name}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > 2 && c.state === 'exited')
        await this.#o.runtime.removeContainer(c.id).catch(ignoreNotFound);
    }
    // Sandboxes other than the newest are stopped; remove them.
    for (const s of (runtime?.sandboxes ?? []).slice(1))
      if (!s.ready) await this.#o.runtime.removePodSandbox(s.id).catch(ignoreNotFound);
  }

  async #writeStatus(
    pod: Pod,
    runtime: RuntimePod | undefined,
    podIsTerminal: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const o = this.#o;
    const uid = pod.metadata?.uid ?? '';
    const previous = o.statusWriter.previous(pod);
    const withMessages = this.#withTerminationMessages(pod, runtime);
    const ready = new Set<string>();
    const started = new Set<string>();
    for (const c of withMessages?.containers ?? []) {
      if (c.state !== 'running') continue;
      if (o.probes.started(pod, c)) started.add(c.id);
      if (o.probes.ready(pod, c)) ready.add(c.id);
    }
    const status = generatePodStatus({
      pod: { ...pod, ...(previous === undefined ? {} : { status: previous }) },
      runtime: withMessages,
      reasons: this.#reasonsOf(uid),
      ready,
      started,
      hostIp: o.hostIp,
      now: new Date(this.#now()),
      podIsTerminal,
    });
    // The API's terminal phase wins over a later view (upstream forbids leaving it).
    await o.statusWriter.write(pod, status, signal);
  }

  /** Reads exited containers' termination messages (file, or log tail on error if asked). */
  #withTerminationMessages(pod: Pod, runtime: RuntimePod | undefined): RuntimePod | undefined {
    if (runtime === undefined) return undefined;
    const podDir = this.#o.volumes.podDir(pod.metadata?.uid ?? '');
    return {
      ...runtime,
      containers: runtime.containers.map((c): RuntimeContainer => {
        if (c.state !== 'exited' || c.message !== '') return c;
        let message = '';
        try {
          message = readFileSync(
            `${podDir}/containers/${c.name}/${String(c.restartCount)}-termination-log`,
            'utf8',
          ).slice(0, MAX_TERMINATION_MESSAGE);
        } catch {
          message = '';
        }
        if (
          message === '' &&
          c.terminationMessagePolicy === 'FallbackToLogsOnError' &&
          c.exitCode !== 0
        )
          message = logTail(c.logPath);
        return message === '' ? c : { ...c, message };
      }),
    };
  }
}

function identity(pod: Pod): { uid: string; name: string; namespace: string } {
  return {
    uid: pod.metadata?.uid ?? '',
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? 'default',
  };
}

function specOf(pod: Pod, c: RuntimeContainer): Container | undefined {
  const list = c.kind === 'init' ? pod.spec?.initContainers : pod.spec?.containers;
  return list?.find((x) => x.name === c.name);
}

/** The pod's grace period: deletionGracePeriodSeconds, else the spec's, else 30 s. */
function gracePeriod(pod: Pod): number {
  return Math.max(
    0,
    pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30,
  );
}

/** The last 80 lines (at most 2 KiB) of a CRI log file, without the CRI prefixes. */
function logTail(path: string): string {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  const lines = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').slice(3).join(' '))
    .slice(-80)
    .join('\n');
  return lines.slice(-2048);
}

function isTerminal(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

function ignoreNotFound(err: unknown): void {
  if ((err as { code?: string } | undefined)?.code !== 'CRI_NOT_FOUND') throw err;
}
