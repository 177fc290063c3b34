/**
 * A pod's API status from its spec and what the runtime holds (kubelet's generateAPIPodStatus,
 * convertToAPIContainerStatuses and the status package's condition generators (the phase is
 * pod-phase.ts's getPhase),
 * v1.33). Pure. Container states come from the newest runtime container of each name, the last
 * state from the one before; a container that will be restarted shows as Waiting with the reason
 * the last sync recorded (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError, ...).
 * Conditions the agent does not own are kept; a terminal phase never changes again.
 */
import type {
  Container,
  ContainerState,
  ContainerStatus,
  Pod,
  PodCondition,
  PodStatus,
} from 'kubernetes-types/core/v1.d.ts';
import { computePodQOS } from '../../api/strategies/pod-qos.ts';
import type { JsonObject } from '../../api/json.ts';
import { isRestartableInitContainer, shouldContainerBeRestarted } from './pod-actions.ts';
import { podPhase } from './pod-phase.ts';
import type { ContainerKind } from './runtime-labels.ts';
import type { RuntimeContainer, RuntimePod } from './runtime-state.ts';

/** Why a container waits, as the last sync recorded it (kubelet's reasonCache). */
export interface WaitingReason {
  readonly reason: string;
  readonly message: string;
}

export interface PodStatusInput {
  readonly pod: Pod;
  readonly runtime: RuntimePod | undefined;
  /** Keyed `init/<name>` or `app/<name>`. */
  readonly reasons: ReadonlyMap<string, WaitingReason>;
  /** Container ids whose readiness probe passes (or that have none and run). */
  readonly ready: ReadonlySet<string>;
  /** Container ids whose startup probe passed (or that have none and run). */
  readonly started: ReadonlySet<string>;
  readonly hostIp: string;
  readonly now: Date;
  /** The pod is being deleted and its containers stopped: the phase becomes terminal. */
  readonly podIsTerminal: boolean;
}

export const metaTime = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const reasonKey = (kind: ContainerKind, name: string): string => `${kind}/${name}`;

/** Conditions the kubelet owns; the rest of `status.conditions` is kept as the API has it. */
export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set([
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
]);

function runtimeState(c: RuntimeContainer): ContainerState {
  switch (c.state) {
    case 'running':
      return { running: { startedAt: metaTime(c.startedAtMs) } };
    case 'exited':
      return {
        terminated: {
          exitCode: c.exitCode,
          ...(c.reason === '' ? {} : { reason: c.reason }),
          ...(c.message === '' ? {} : { message: c.message }),
          ...(c.startedAtMs > 0 ? { startedAt: metaTime(c.startedAtMs) } : {}),
          finishedAt: metaTime(c.finishedAtMs),
          containerID: `containerd://${c.id}`,
        },
      };
    case 'created':
    case 'unknown':
      return { waiting: {} };
  }
}

function containerStatuses(
  input: PodStatusInput,
  containers: readonly Container[],
  kind: ContainerKind,
  previous: readonly ContainerStatus[],
): ContainerStatus[] {
  const { pod, runtime } = input;
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const defaultWaiting = hasInit && kind === 'app' ? 'PodInitializing' : 'ContainerCreating';
  return containers.map((c) => {
    const old = previous.find((p) => p.name === c.name);
    const instances = (runtime?.containers ?? []).filter(
      (r) => r.name === c.name && r.kind === kind,
    );
    const [latest, before] = instances;
    const volumeMounts = (c.volumeMounts ?? []).map((m) => ({
      name: m.name,
      mountPath: m.mountPath,
      ...(m.readOnly === true ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
    }));
    let status: ContainerStatus;
    if (latest === undefined) {
      // Never ran, or its record is gone (kept: an old terminated state or the restart count).
      status =
        old?.state?.terminated !== undefined
          ? { ...old }
          : {
              name: c.name,
              image: c.image ?? '',
              imageID: '',
              ready: false,
              restartCount: old?.restartCount ?? 0,
              started: false,
              state: { waiting: { reason: defaultWaiting } },
              ...(old?.lastState === undefined ? {} : { lastState: old.lastState }),
            };
    } else {
      const running = latest.state === 'running';
      status = {
        name: c.name,
        image: c.image ?? latest.image,
        imageID: latest.imageRef,
        containerID: `containerd://${latest.id}`,
        // upstream's UpdatePodStatus: a regular init container is ready once it succeeded.
        ready:
          kind === 'init' && !isRestartableInitContainer(c)
            ? latest.state === 'exited' && latest.exitCode === 0
            : running && input.ready.has(latest.id),
        restartCount: latest.restartCount,
        started: running && input.started.has(latest.id),
        state: runtimeState(latest),
        lastState: before === undefined ? (old?.lastState ?? {}) : runtimeState(before),
      };
    }
    // A container the next sync restarts waits, with the reason the last sync recorded.
    const restartable = !(kind === 'init' && latest?.state === 'exited' && latest.exitCode === 0);
    if (restartable && shouldContainerBeRestarted(pod, c, latest)) {
      const why = input.reasons.get(reasonKey(kind, c.name));
      if (why !== undefined) {
        if (status.state?.terminated !== undefined) status.lastState = status.state;
        status.state = {
          waiting: { reason: why.reason, ...(why.message === '' ? {} : { message: why.message }) },
        };
        status.ready = false;
        status.started = false;
      }
    }
    if (volumeMounts.length > 0) status.volumeMounts = volumeMounts;
    if (status.lastState !== undefined && Object.keys(status.lastState).length === 0)
      delete status.lastState;
    return status;
  });
}

function condition(
  previous: readonly PodCondition[],
  now: string,
  type: string,
  status: 'True' | 'False',
  reason?: string,
  message?: string,
): PodCondition {
  const old = previous.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime:
      old?.status === status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now,
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined ? {} : { message }),
  };
}

function readyConditions(
  pod: Pod,
  app: readonly ContainerStatus[],
  init: readonly ContainerStatus[],
  phase: string,
): { reason?: string; message?: string; ready: boolean } {
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (c: Container, list: readonly ContainerStatus[]): void => {
    const s = list.find((x) => x.name === c.name);
    if (s === undefined) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  };
  for (const c of pod.spec?.initContainers ?? []) if (isRestartableInitContainer(c)) check(c, init);
  for (const c of pod.spec?.containers ?? []) check(c, app);
  if (phase === 'Succeeded' && unknown.length === 0)
    return { ready: false, reason: 'PodCompleted' };
  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: [${unknown.join(' ')}]`);
  if (unready.length > 0) messages.push(`containers with unready status: [${unready.join(' ')}]`);
  if (messages.length > 0)
    return { ready: false, reason: 'ContainersNotReady', message: messages.join(', ') };
  return { ready: true };
}

export interface ReadyVerdict {
  readonly ready: boolean;
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
}

/**
 * The Ready and ContainersReady verdicts from container statuses, phase and the pod's other
 * conditions (upstream's GeneratePodReadyCondition / GenerateContainersReadyCondition): Ready
 * also needs every readiness gate's condition True.
 */
export function readiness(
  pod: Pod,
  app: readonly ContainerStatus[],
  init: readonly ContainerStatus[],
  phase: string,
  conditions: readonly PodCondition[],
): { readonly pod: ReadyVerdict; readonly containers: ReadyVerdict } {
  const containers = readyConditions(pod, app, init, phase);
  if (!containers.ready) return { pod: containers, containers };
  const unready = (pod.spec?.readinessGates ?? []).flatMap((g) => {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (c === undefined)
      return [`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`];
    if (c.status !== 'True')
      return [
        `the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`,
      ];
    return [];
  });
  if (unready.length === 0) return { pod: containers, containers };
  const message = unready.join(', ');
  return { pod: { ready: false, reason: 'ReadinessGatesNotReady', message }, containers };
}

export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const previous = pod.status ?? {};
  const now = metaTime(input.now.getTime());
  const app = containerStatuses(
    input,
    pod.spec?.containers ?? [],
    'app',
    previous.containerStatuses ?? [],
  );
  const init = containerStatuses(
    input,
    pod.spec?.initContainers ?? [],
    'init',
    previous.initContainerStatuses ?? [],
  );
  let phase = podPhase(pod, [...app, ...init], input.podIsTerminal);
  const oldPhase = previous.phase ?? '';
  if (oldPhase === 'Succeeded' || oldPhase === 'Failed') phase = oldPhase;
  const conditions = (previous.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const prev = previous.conditions ?? [];
  const sandbox = input.runtime?.sandboxes[0];
  conditions.push(
    condition(
      prev,
      now,
      'PodReadyToStartContainers',
      sandbox?.ready === true && (sandbox.ips.length > 0 || pod.spec?.hostNetwork === true)
        ? 'True'
        : 'False',
    ),
  );
  // Initialized
  const incomplete = (pod.spec?.initContainers ?? [])
    .filter((c) => {
      const s = init.find((x) => x.name === c.name);
      if (isRestartableInitContainer(c)) return s?.started !== true;
      return s?.state?.terminated?.exitCode !== 0;
    })
    .map((c) => c.name);
  const appRan = app.some(
    (s) =>
      s.state?.running !== undefined ||
      s.state?.terminated !== undefined ||
      s.lastState?.terminated !== undefined,
  );
  conditions.push(
    incomplete.length === 0 || appRan
      ? condition(
          prev,
          now,
          'Initialized',
          'True',
          phase === 'Succeeded' && incomplete.length > 0 ? 'PodCompleted' : undefined,
        )
      : condition(
          prev,
          now,
          'Initialized',
          'False',
          'ContainersNotInitialized',
          `containers with incomplete status: [${incomplete.join(' ')}]`,
        ),
  );
  const ready = readiness(pod, app, init, phase, conditions);
  conditions.push(
    condition(
      prev,
      now,
      'Ready',
      ready.pod.ready ? 'True' : 'False',
      ready.pod.reason,
      ready.pod.message,
    ),
  );
  const c = ready.containers;
  conditions.push(
    condition(prev, now, 'ContainersReady', c.ready ? 'True' : 'False', c.reason, c.message),
  );
  conditions.push(condition(prev, now, 'PodScheduled', 'True'));
  const ips = sandbox?.ips ?? [];
  const podIps =
    pod.spec?.hostNetwork === true
      ? [input.hostIp]
      : ips.length > 0
        ? ips
        : (previous.podIPs ?? []).flatMap((p) => (p.ip === undefined ? [] : [p.ip]));
  return {
    phase,
    conditions,
    hostIP: input.hostIp,
    hostIPs: [{ ip: input.hostIp }],
    ...(podIps.length > 0 ? { podIP: podIps[0], podIPs: podIps.map((ip) => ({ ip })) } : {}),
    startTime: previous.startTime ?? now,
    qosClass: computePodQOS(pod.spec as JsonObject | undefined),
    containerStatuses: app,
    ...(init.length > 0 ? { initContainerStatuses: init } : {}),
    ...(phase === oldPhase && previous.reason !== undefined ? { reason: previous.reason } : {}),
    ...(phase === oldPhase && previous.message !== undefined ? { message: previous.message } : {}),
  };
}
