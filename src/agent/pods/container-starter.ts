/**
 * The start step of a pod sync (kubelet's kuberuntime SyncPod steps 5-7): starts the init
 * containers the sync chose, in order (a regular one at a time, restartable sidecars at once),
 * then the app containers, each through the ContainerRunner. A container whose last instance
 * exited restarts only after its crash-loop backoff (10 s doubling to 5 min), reported as
 * CrashLoopBackOff with upstream's BackOff event. Records each container's waiting reason for
 * the pod status and answers when the pod should sync again (a backoff ends, a retry is due).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { EventRecorder } from '../../client/index.ts';
import type { PodSandboxConfig } from '../cri/cri-types.ts';
import type { MountedVolume } from '../volumes/volume-manager.ts';
import type { ContainerRunner } from './container-runner.ts';
import { containerRef } from './event-refs.ts';
import type { ImagePuller } from './image-puller.ts';
import type { PodActions } from './pod-actions.ts';
import { reasonKey } from './pod-status.ts';
import type { WaitingReason } from './pod-status.ts';
import type { RestartBackoff } from './restart-backoff.ts';
import { goDurationText } from './restart-backoff.ts';
import { podDescription } from './runtime-labels.ts';
import type { ContainerKind } from './runtime-labels.ts';
import type { RuntimePod } from './runtime-state.ts';
import { latestContainer } from './runtime-state.ts';

export interface ContainerStarterOptions {
  readonly runner: ContainerRunner;
  readonly puller: ImagePuller;
  /** Keyed `<pod uid>/<init|app>/<name>`. */
  readonly crashBackoff: RestartBackoff;
  readonly events: EventRecorder;
  /** How soon a container that failed to start is tried again. Default: 2,000 ms. */
  readonly retryMs?: number | undefined;
}

export interface StartContainersInput {
  readonly pod: Pod;
  readonly runtime: RuntimePod | undefined;
  readonly actions: Pick<PodActions, 'initContainersToStart' | 'containersToStart'>;
  readonly sandboxId: string;
  readonly sandboxConfig: PodSandboxConfig;
  readonly podIps: readonly string[];
  readonly volumes: ReadonlyMap<string, MountedVolume>;
  /** The pod's waiting reasons, keyed `init/<name>` or `app/<name>`: updated here. */
  readonly reasons: Map<string, WaitingReason>;
  readonly signal: AbortSignal;
}

/**
 * After a failed pull (ErrImagePull) the pod syncs again this soon, and that sync, within the
 * pull back-off, reports ImagePullBackOff until the back-off ends. Upstream gets the same
 * sequence from its PLEG, which reports the sandbox the failing sync created about one relist
 * period (1 s) later; k8ts's relist does not report the agent's own changes, and a status-only
 * change (the ErrImagePull write coming back) does not sync, so the sync is queued explicitly.
 */
const PULL_FAILED_RESYNC_MS = 1_000;

export class ContainerStarter {
  readonly #o: ContainerStarterOptions;
  readonly #retryMs: number;

  constructor(options: ContainerStarterOptions) {
    this.#o = options;
    this.#retryMs = options.retryMs ?? 2_000;
  }

  /** Starts what `actions` names; answers when to sync again (undefined: no need). */
  async start(input: StartContainersInput): Promise<number | undefined> {
    const o = this.#o;
    const { pod, runtime, actions, reasons } = input;
    const uid = pod.metadata?.uid ?? '';
    let requeueAfterMs: number | undefined;
    const requeue = (ms: number): void => {
      requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms);
    };
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
            containerRef(pod, c.name),
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
        sandboxId: input.sandboxId,
        sandboxConfig: input.sandboxConfig,
        podIps: input.podIps,
        volumes: input.volumes,
        signal: input.signal,
      });
      if (result === undefined) reasons.delete(key);
      else {
        reasons.set(key, result);
        requeue(
          result.reason === 'ErrImagePull'
            ? PULL_FAILED_RESYNC_MS
            : result.reason === 'ImagePullBackOff'
              ? Math.max(100, o.puller.retryInMs(uid, c.image ?? ''))
              : this.#retryMs,
        );
      }
      // Regular init containers run one at a time, in order.
      if (kind === 'init' && c.restartPolicy !== 'Always') break;
    }
    return requeueAfterMs;
  }
}

function identity(pod: Pod): { uid: string; name: string; namespace: string } {
  return {
    uid: pod.metadata?.uid ?? '',
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? 'default',
  };
}
