/**
 * What a pod sync must do, computed from the pod spec and what the runtime holds (kubelet's
 * kuberuntime computePodActions, v1.33, for regular and restartable "sidecar" init containers):
 * whether to (re)create the sandbox and kill what runs in the old one, the next init container
 * to start, which app containers to start and which to kill (liveness/startup failure, changed
 * spec). Pure: no I/O, so every rule has a table test.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { RuntimeContainer, RuntimePod } from './runtime-state.ts';
import { latestContainer } from './runtime-state.ts';

export interface ContainerToKill {
  readonly container: RuntimeContainer;
  readonly message: string;
  /** `LivenessProbe`, `StartupProbe`, `Unknown` or empty. */
  readonly reason: string;
  /**
   * The failed probe's terminationGracePeriodSeconds, when set (upstream's
   * setTerminationGracePeriod); otherwise the pod's grace period applies.
   */
  readonly graceSeconds?: number | undefined;
}

export interface PodActions {
  /** Stop every container and the sandbox (a new sandbox, or nothing left to run). */
  readonly killPod: boolean;
  readonly createSandbox: boolean;
  /** The attempt number of the sandbox to create. */
  readonly sandboxAttempt: number;
  /** The sandbox to keep using (undefined when one must be created). */
  readonly sandboxId: string | undefined;
  /** Init containers to start, by index, in order (at most one regular one). */
  readonly initContainersToStart: readonly number[];
  /** App containers to start, by index. */
  readonly containersToStart: readonly number[];
  readonly containersToKill: readonly ContainerToKill[];
}

export interface ProbeVerdicts {
  /** Container ids whose liveness probe failed. */
  readonly livenessFailed: ReadonlySet<string>;
  /** Container ids whose startup probe failed. */
  readonly startupFailed: ReadonlySet<string>;
  /** Container ids whose startup probe succeeded (or have none). */
  readonly started: ReadonlySet<string>;
}

export const NO_PROBE_VERDICTS: ProbeVerdicts = {
  livenessFailed: new Set(),
  startupFailed: new Set(),
  started: new Set(),
};

export function isRestartableInitContainer(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

function restartPolicy(pod: Pod): string {
  return pod.spec?.restartPolicy ?? 'Always';
}

/** upstream's ShouldContainerBeRestarted. */
export function shouldContainerBeRestarted(
  pod: Pod,
  container: Container,
  status: RuntimeContainer | undefined,
): boolean {
  if (pod.metadata?.deletionTimestamp !== undefined) return false;
  if (status === undefined) return true;
  if (status.state === 'running') return false;
  if (status.state === 'unknown' || status.state === 'created') return true;
  if (isRestartableInitContainer(container)) return true;
  const policy = restartPolicy(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && status.exitCode === 0) return false;
  return true;
}

function isInitContainerFailed(status: RuntimeContainer): boolean {
  return (status.state === 'exited' && status.exitCode !== 0) || status.state === 'unknown';
}

export interface InitProgress {
  /** All regular init containers succeeded (and sidecars started). */
  readonly done: boolean;
  /** The last regular init container failed. */
  readonly failed: boolean;
  /** Index of the init container to start next, if any. */
  readonly next: number | undefined;
}

/** Where initialization stands (upstream's findNextInitContainerToRun, with sidecars). */
export function initProgress(
  pod: Pod,
  runtime: RuntimePod | undefined,
  verdicts: ProbeVerdicts,
): InitProgress {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { done: true, failed: false, next: undefined };
  // Once an app container ran, initialization is over.
  for (const c of pod.spec?.containers ?? [])
    if (latestContainer(runtime, c.name, 'app') !== undefined)
      return { done: true, failed: false, next: undefined };
  for (const [i, c] of inits.entries()) {
    const status = latestContainer(runtime, c.name, 'init');
    if (isRestartableInitContainer(c)) {
      if (status === undefined) return { done: false, failed: false, next: i };
      if (status.state === 'running' && verdicts.started.has(status.id)) continue;
      if (status.state === 'running') return { done: false, failed: false, next: undefined };
      return { done: false, failed: false, next: i };
    }
    if (status === undefined) return { done: false, failed: false, next: i };
    if (status.state === 'running' || status.state === 'created')
      return { done: false, failed: false, next: status.state === 'created' ? i : undefined };
    if (isInitContainerFailed(status)) return { done: false, failed: true, next: i };
  }
  return { done: true, failed: false, next: undefined };
}

export function computePodActions(
  pod: Pod,
  runtime: RuntimePod | undefined,
  verdicts: ProbeVerdicts = NO_PROBE_VERDICTS,
): PodActions {
  const spec = pod.spec;
  const containers = spec?.containers ?? [];
  const sandboxes = runtime?.sandboxes ?? [];
  const latest = sandboxes[0];
  const readyCount = sandboxes.filter((s) => s.ready).length;
  const hostNetwork = spec?.hostNetwork === true;
  const sandboxChanged =
    latest === undefined ||
    readyCount > 1 ||
    !latest.ready ||
    (!hostNetwork && latest.ips.length === 0);
  const attempt = latest === undefined ? 0 : latest.attempt + 1;
  const kill: ContainerToKill[] = [];
  const base = {
    killPod: false,
    createSandbox: false,
    sandboxAttempt: attempt,
    sandboxId: latest?.id,
    initContainersToStart: [] as number[],
    containersToStart: [] as number[],
    containersToKill: kill,
  };

  if (sandboxChanged) {
    const anyContainerRan = (runtime?.containers.length ?? 0) > 0;
    if (restartPolicy(pod) === 'Never' && latest !== undefined && anyContainerRan)
      return { ...base, killPod: true }; // done: never restart on a new sandbox
    const toStart = containers
      .map((c, i) => ({ c, i }))
      .filter(
        ({ c }) =>
          !(
            restartPolicy(pod) === 'OnFailure' &&
            latestContainer(runtime, c.name, 'app')?.state === 'exited' &&
            latestContainer(runtime, c.name, 'app')?.exitCode === 0
          ),
      )
      .map(({ i }) => i);
    if (toStart.length === 0 && initProgress(pod, runtime, verdicts).done)
      return { ...base, killPod: true };
    const base2 = {
      ...base,
      killPod: latest !== undefined,
      createSandbox: true,
      sandboxId: undefined,
    };
    if ((spec?.initContainers ?? []).length > 0) return { ...base2, initContainersToStart: [0] };
    return { ...base2, containersToStart: toStart };
  }

  const progress = initProgress(pod, runtime, verdicts);
  const initToStart: number[] = [];
  // Restart exited sidecars that already started once, at any time.
  (spec?.initContainers ?? []).forEach((c, i) => {
    if (!isRestartableInitContainer(c) || i === progress.next) return;
    const status = latestContainer(runtime, c.name, 'init');
    if (status !== undefined && status.state !== 'running') initToStart.push(i);
  });
  if (!progress.done) {
    if (progress.failed && restartPolicy(pod) === 'Never') return { ...base, killPod: true };
    if (progress.next !== undefined) {
      const c = spec?.initContainers?.[progress.next];
      const status = c === undefined ? undefined : latestContainer(runtime, c.name, 'init');
      if (status?.state === 'unknown')
        kill.push({
          container: status,
          message: `Init container is in "unknown" state, try killing it before restart`,
          reason: 'Unknown',
        });
      initToStart.push(progress.next);
    }
    return { ...base, initContainersToStart: initToStart };
  }

  const toStart: number[] = [];
  let keep = 0;
  containers.forEach((c, i) => {
    const status = latestContainer(runtime, c.name, 'app');
    if (status === undefined || status.state !== 'running') {
      if (shouldContainerBeRestarted(pod, c, status)) {
        toStart.push(i);
        if (status?.state === 'unknown')
          kill.push({
            container: status,
            message: `Container is in "unknown" state, try killing it before restart`,
            reason: 'Unknown',
          });
      }
      return;
    }
    let message: string;
    let reason = '';
    let graceSeconds: number | undefined;
    let restart = restartPolicy(pod) !== 'Never';
    if (status.hash !== '' && status.hash !== containerHash(c)) {
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (verdicts.livenessFailed.has(status.id)) {
      message = `Container ${c.name} failed liveness probe`;
      reason = 'LivenessProbe';
      graceSeconds = c.livenessProbe?.terminationGracePeriodSeconds;
    } else if (verdicts.startupFailed.has(status.id)) {
      message = `Container ${c.name} failed startup probe`;
      reason = 'StartupProbe';
      graceSeconds = c.startupProbe?.terminationGracePeriodSeconds;
    } else {
      keep++;
      return;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      toStart.push(i);
    }
    kill.push({
      container: status,
      message,
      reason,
      ...(graceSeconds === undefined ? {} : { graceSeconds }),
    });
  });
  if (keep === 0 && toStart.length === 0) {
    // Nothing runs and nothing will: stop the sandbox (sidecars too).
    return { ...base, killPod: true, containersToKill: kill };
  }
  return { ...base, initContainersToStart: initToStart, containersToStart: toStart };
}

/**
 * A hash of the container spec fields that, when changed, require a restart (upstream hashes
 * the whole v1.Container; the only field a pod update may change is the image). FNV-1a over
 * the JSON, as a decimal string like upstream's annotation.
 */
export function containerHash(c: Container): string {
  const text = JSON.stringify({
    name: c.name,
    image: c.image,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    ports: c.ports,
    env: c.env,
    envFrom: c.envFrom,
    volumeMounts: c.volumeMounts,
  });
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(h);
}
