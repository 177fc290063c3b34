/**
 * Starting and stopping one container, as kubelet's kuberuntime startContainer/killContainer
 * (v1.33): make the image present, resolve the environment and mounts, CreateContainer,
 * StartContainer, then the postStart hook (a failed hook kills the container). Each failure is
 * answered as the waiting reason upstream shows (ErrImagePull, ImagePullBackOff,
 * CreateContainerConfigError, CreateContainerError, RunContainerError) with an event. Stopping
 * runs the preStop hook within the grace period, then StopContainer (the runtime sends SIGTERM,
 * then SIGKILL when the rest of the grace period is over). Every event names the container
 * (`involvedObject.fieldPath`), as upstream's recordContainerEvent.
 */
import type { Container, LifecycleHandler, Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { EventRecorder } from '../../client/index.ts';
import type { PodSandboxConfig } from '../cri/cri-types.ts';
import type { ContainerRuntime } from '../cri/runtime-service.ts';
import type { Prober } from '../probes/prober.ts';
import type { MountedVolume } from '../volumes/volume-manager.ts';
import { buildContainerConfig } from './container-config.ts';
import { makeMounts } from './container-mounts.ts';
import { ContainerConfigError, containerEnv } from './container-env.ts';
import { containerRef } from './event-refs.ts';
import type { ConfigObjects } from './container-env.ts';
import type { ImagePuller } from './image-puller.ts';
import { grpcErrorText } from './image-puller.ts';
import type { WaitingReason } from './pod-status.ts';
import type { ContainerKind } from './runtime-labels.ts';
import type { RuntimeContainer } from './runtime-state.ts';

export interface ContainerRunnerOptions {
  readonly runtime: ContainerRuntime;
  readonly puller: ImagePuller;
  readonly objects: ConfigObjects;
  readonly services: () => readonly Service[];
  readonly events: EventRecorder;
  readonly prober: Prober;
  readonly hostIp: string;
  readonly allocatable: () => Readonly<Record<string, string>>;
  readonly nodeMemoryBytes: number;
  /** `/var/lib/kubelet/pods`. */
  readonly podsDir: string;
}

export interface StartInput {
  readonly pod: Pod;
  readonly container: Container;
  readonly kind: ContainerKind;
  readonly restartCount: number;
  readonly sandboxId: string;
  readonly sandboxConfig: PodSandboxConfig;
  readonly podIps: readonly string[];
  readonly volumes: ReadonlyMap<string, MountedVolume>;
  readonly signal: AbortSignal;
}

/** undefined: started; otherwise why it waits. */
export type StartResult = WaitingReason | undefined;

function errText(err: unknown): string {
  return grpcErrorText(err);
}

export class ContainerRunner {
  readonly #o: ContainerRunnerOptions;

  constructor(options: ContainerRunnerOptions) {
    this.#o = options;
  }

  async start(input: StartInput): Promise<StartResult> {
    const { pod, container: c, signal } = input;
    const ev = this.#o.events;
    const ref = containerRef(pod, c.name);
    const uid = pod.metadata?.uid ?? '';
    const pull = await this.#o.puller.ensure(
      uid,
      c,
      input.sandboxConfig,
      {
        pulling: (image) => {
          ev.event(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
        },
        pulled: (image, ms, present) => {
          if (present)
            ev.event(
              ref,
              'Normal',
              'Pulled',
              `Container image "${image}" already present on machine`,
            );
          else
            ev.event(
              ref,
              'Normal',
              'Pulled',
              `Successfully pulled image "${image}" in ${(ms / 1000).toFixed(3)}s`,
            );
        },
        failed: (_image, message) => {
          ev.event(ref, 'Warning', 'Failed', message);
        },
        backOff: (image) => {
          ev.event(ref, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
        },
      },
      signal,
    );
    if (!pull.ok) {
      if (pull.reason === 'ErrImagePull')
        ev.event(ref, 'Warning', 'Failed', `Error: ${pull.reason}`);
      return { reason: pull.reason, message: pull.message };
    }
    let config;
    try {
      const env = await containerEnv({
        pod,
        container: c,
        objects: this.#o.objects,
        services: this.#o.services(),
        hostIp: this.#o.hostIp,
        podIps: input.podIps,
        allocatable: this.#o.allocatable(),
      });
      config = buildContainerConfig({
        pod,
        container: c,
        kind: input.kind,
        restartCount: input.restartCount,
        imageRef: pull.imageRef,
        env,
        mounts: makeMounts({ ...input, env, podsDir: this.#o.podsDir }),
        nodeMemoryBytes: this.#o.nodeMemoryBytes,
      });
    } catch (err: unknown) {
      const message = err instanceof Error ? err.message : String(err);
      ev.event(ref, 'Warning', 'Failed', `Error: ${message}`);
      if (err instanceof ContainerConfigError)
        return { reason: 'CreateContainerConfigError', message };
      return { reason: 'CreateContainerConfigError', message };
    }
    let id: string;
    try {
      id = await this.#o.runtime.createContainer(input.sandboxId, config, input.sandboxConfig, {
        signal,
      });
    } catch (err: unknown) {
      const message = errText(err);
      ev.event(ref, 'Warning', 'Failed', `Error: ${message}`);
      return { reason: 'CreateContainerError', message };
    }
    ev.event(ref, 'Normal', 'Created', `Created container: ${c.name}`);
    try {
      await this.#o.runtime.startContainer(id, { signal });
    } catch (err: unknown) {
      const message = errText(err);
      ev.event(ref, 'Warning', 'Failed', `Error: ${message}`);
      return { reason: 'RunContainerError', message };
    }
    ev.event(ref, 'Normal', 'Started', `Started container ${c.name}`);
    const postStart = c.lifecycle?.postStart;
    if (postStart !== undefined) {
      const r = await this.#hook(postStart, id, input.podIps[0] ?? this.#o.hostIp, c, 30);
      if (!r.success) {
        ev.event(ref, 'Warning', 'FailedPostStartHook', r.output);
        await this.#o.runtime.stopContainer(id, 0).catch(() => undefined);
        return { reason: 'PostStartHookError', message: r.output };
      }
    }
    return undefined;
  }

  /** Runs a lifecycle handler (exec, httpGet, tcpSocket; sleep as upstream's PodLifecycleSleepAction). */
  async #hook(
    h: LifecycleHandler,
    containerId: string,
    ip: string,
    c: Container,
    timeoutSeconds: number,
  ): Promise<{ success: boolean; output: string }> {
    if (h.sleep !== undefined) {
      await new Promise((r) =>
        setTimeout(r, h.sleep?.seconds === undefined ? 0 : h.sleep.seconds * 1000),
      );
      return { success: true, output: '' };
    }
    const r = await this.#o.prober.run(
      h,
      { containerId, ip, namedPort: (n) => c.ports?.find((p) => p.name === n)?.containerPort },
      timeoutSeconds,
    );
    return r;
  }

  /**
   * Stops a running container: preStop (bounded by the grace period), then StopContainer with
   * what is left of it (at least 2 s, kubelet's minimum).
   */
  async kill(
    pod: Pod | undefined,
    spec: Container | undefined,
    container: RuntimeContainer,
    graceSeconds: number,
    message: string,
  ): Promise<void> {
    const start = Date.now();
    // upstream's recordContainerEvent: about the container, not the pod.
    const ref = pod === undefined ? undefined : containerRef(pod, container.name);
    if (ref !== undefined && message !== '')
      this.#o.events.event(ref, 'Normal', 'Killing', message);
    const preStop = spec?.lifecycle?.preStop;
    if (preStop !== undefined && container.state === 'running' && graceSeconds > 0) {
      const r = await Promise.race([
        this.#hook(
          preStop,
          container.id,
          pod?.status?.podIP ?? this.#o.hostIp,
          spec ?? { name: container.name },
          graceSeconds,
        ),
        new Promise<{ success: boolean; output: string }>((resolve) =>
          setTimeout(() => {
            resolve({ success: true, output: '' });
          }, graceSeconds * 1000),
        ),
      ]);
      if (!r.success && ref !== undefined)
        this.#o.events.event(ref, 'Warning', 'FailedPreStopHook', r.output);
    }
    const left = Math.max(2, graceSeconds - Math.floor((Date.now() - start) / 1000));
    await this.#o.runtime.stopContainer(container.id, left);
  }
}
