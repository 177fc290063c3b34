/**
 * One pod's sync (kubelet's syncPod / syncTerminatingPod / syncTerminatedPod with kuberuntime's
 * SyncPod): read the pod from the runtime, mount its volumes (VolumeOperations: each volume
 * retried with upstream's backoff, ContainerCreating until all are mounted), compute the
 * actions, kill what must go, create the sandbox, start containers (ContainerStarter: init containers in order, then app containers,
 * with crash-loop backoff), drop old exited instances (the last one stays for
 * `kubectl logs --previous`), then write the status. A deleted pod is terminated: preStop hooks
 * and SIGTERM within its grace period, SIGKILL after, a terminal status, then every trace is
 * removed (PodTeardown) before the pod object is deleted with grace period 0. Idempotent: any
 * step may be repeated after a failure or restart.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { EventRecorder } from '../../client/index.ts';
import type { JsonLineLogFn } from '../../util/json-line-log.ts';
import type { AgentPaths } from '../agent-paths.ts';
import type { ContainerRuntime } from '../cri/runtime-service.ts';
import type { ProbeManager } from '../probes/probe-manager.ts';
import type { VolumeManager } from '../volumes/volume-manager.ts';
import { VolumeOperations } from '../volumes/volume-operations.ts';
import type { PodVolumes } from '../volumes/volume-operations.ts';
import type { ContainerRunner } from './container-runner.ts';
import { podRef } from './event-refs.ts';
import { ContainerStarter } from './container-starter.ts';
import type { ImagePuller } from './image-puller.ts';
import { grpcErrorText } from './image-puller.ts';
import type { PodCgroups } from './pod-cgroups.ts';
import { computePodActions } from './pod-actions.ts';
import { generatePodStatus } from './pod-status.ts';
import type { WaitingReason } from './pod-status.ts';
import type { PodStatusWriter } from './pod-status-writer.ts';
import { PodTeardown } from './pod-teardown.ts';
import type { RestartBackoff } from './restart-backoff.ts';
import { buildSandboxConfig } from './sandbox-config.ts';
import type { ClusterDns } from './sandbox-config.ts';
import type { RuntimePod, RuntimeState } from './runtime-state.ts';
import { withTerminationMessages } from './termination-messages.ts';

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

export class PodSyncer {
  readonly #o: PodSyncerOptions;
  readonly #reasons = new Map<string, Map<string, WaitingReason>>();
  readonly #now: () => number;
  readonly #starter: ContainerStarter;
  readonly #teardown: PodTeardown;
  readonly #volumeOps: VolumeOperations;

  constructor(options: PodSyncerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#volumeOps = new VolumeOperations({
      setUp: (pod, v, podIps) => options.volumes.setUpVolume(pod, v, podIps),
      now: this.#now,
    });
    this.#starter = new ContainerStarter({
      runner: options.runner,
      puller: options.puller,
      crashBackoff: options.crashBackoff,
      events: options.events,
      retryMs: RETRY_MS,
    });
    this.#teardown = new PodTeardown({
      runtime: options.runtime,
      runner: options.runner,
      volumes: options.volumes,
      cgroups: options.cgroups,
      podLogsDir: options.paths.podLogsDir,
    });
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
      await this.#teardown.stopAll(pod, runtime, 0, '');
      o.probes.removePod(uid);
      return {};
    }
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
    let mount = await this.#mountVolumes(pod, podIps);
    if (mount.unmounted.length > 0) {
      // ContainerCreating until every volume is mounted; retried when the first backoff ends.
      await this.#writeStatus(pod, runtime, false, signal);
      return { requeueAfterMs: mount.retryAfterMs ?? RETRY_MS };
    }
    const actions = computePodActions(pod, runtime, o.probes.verdicts(pod, runtime));
    const grace = gracePeriod(pod);
    if (actions.killPod) {
      await this.#teardown.stopAll(pod, runtime, grace, 'Stopping container');
      if (actions.createSandbox && runtime !== undefined)
        for (const c of runtime.containers.filter((x) => x.kind === 'init'))
          await o.runtime.removeContainer(c.id).catch(() => undefined);
    }
    await this.#teardown.killContainers(pod, actions.containersToKill, grace);
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
      mount = await this.#mountVolumes(pod, podIps);
    }
    let requeueAfterMs: number | undefined;
    if (sandboxId !== undefined && (actions.createSandbox || !actions.killPod)) {
      requeueAfterMs = await this.#starter.start({
        pod,
        runtime,
        actions,
        sandboxId,
        sandboxConfig,
        podIps,
        volumes: mount.mounted,
        reasons: this.#reasonsOf(uid),
        signal,
      });
      runtime = await o.state.podStatus(uid, signal);
      await this.#teardown.pruneExited(runtime);
    }
    runtime = await o.state.podStatus(uid, signal);
    o.probes.sync(pod, runtime);
    await this.#writeStatus(pod, runtime, false, signal);
    // A phase written as Succeeded/Failed syncs again at once to stop the pod, as upstream's pod
    // worker does (completeWork with phaseTransition); the write's echo no longer would.
    const terminal = isTerminal(o.statusWriter.lastWritten(uid)?.phase);
    // A mounted volume whose refresh failed is tried again when its backoff ends.
    return { requeueAfterMs: terminal ? 0 : earliest(requeueAfterMs, mount.retryAfterMs) };
  }

  /** Mounts the pod's volumes that are not in backoff; a FailedMount event per failure. */
  async #mountVolumes(pod: Pod, podIps: readonly string[]): Promise<PodVolumes> {
    const mount = await this.#volumeOps.mountPod(pod, podIps);
    for (const err of mount.failed) {
      this.#o.events.event(podRef(pod), 'Warning', 'FailedMount', err.message);
    }
    return mount;
  }

  /** Stops a deleted pod within its grace period, reports it terminal, removes every trace. */
  async terminate(pod: Pod, apiGone: boolean, signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const uid = pod.metadata?.uid ?? '';
    o.probes.removePod(uid);
    let runtime = await o.state.podStatus(uid, signal);
    const grace = gracePeriod(pod);
    await this.#teardown.stopAll(pod, runtime, grace, 'Stopping container');
    runtime = await o.state.podStatus(uid, signal);
    if (!apiGone) await this.#writeStatus(pod, runtime, true, signal);
    await this.#teardown.removeAll(uid, runtime, pod);
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
      await this.#teardown.stopAll(undefined, runtime, 0, '');
    }
    await this.#teardown.removeAll(uid, runtime, undefined);
    this.forget(uid);
  }

  forget(uid: string): void {
    this.#reasons.delete(uid);
    this.#volumeOps.forgetPod(uid);
    this.#o.statusWriter.forget(uid);
    this.#o.puller.forgetPod(uid);
    this.#o.crashBackoff.retain((k) => !k.startsWith(`${uid}/`));
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
    const withMessages = withTerminationMessages(runtime, o.volumes.podDir(uid));
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
}

/** The pod's grace period: deletionGracePeriodSeconds, else the spec's, else 30 s. */
function gracePeriod(pod: Pod): number {
  return Math.max(
    0,
    pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30,
  );
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function isTerminal(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}
