/**
 * Stopping and removing what the runtime and the node hold for a pod (kubelet's kuberuntime
 * killContainersWithSyncResult / killPodWithSyncResult, the pod's cleanup once terminated, and
 * the container GC that keeps the newest exited instance and the one before it for
 * `kubectl logs --previous`). Stopping goes through the ContainerRunner (preStop, then SIGTERM,
 * SIGKILL when the grace period is over); removal is idempotent: what is already gone is fine.
 */
import { rmSync } from 'node:fs';
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { ContainerRuntime } from '../cri/runtime-service.ts';
import type { VolumeManager } from '../volumes/volume-manager.ts';
import type { ContainerRunner } from './container-runner.ts';
import type { ContainerToKill } from './pod-actions.ts';
import type { PodCgroups } from './pod-cgroups.ts';
import type { RuntimeContainer, RuntimePod } from './runtime-state.ts';
import { podLogDirectory } from './sandbox-config.ts';

export interface PodTeardownOptions {
  readonly runtime: ContainerRuntime;
  readonly runner: ContainerRunner;
  readonly volumes: VolumeManager;
  readonly cgroups: PodCgroups;
  /** `/var/log/pods`. */
  readonly podLogsDir: string;
}

export class PodTeardown {
  readonly #o: PodTeardownOptions;

  constructor(options: PodTeardownOptions) {
    this.#o = options;
  }

  /** Kills the containers a sync chose (each with its own grace period, else `graceSeconds`). */
  async killContainers(
    pod: Pod,
    toKill: readonly ContainerToKill[],
    graceSeconds: number,
  ): Promise<void> {
    await Promise.all(
      toKill.map((k) =>
        this.#o.runner.kill(
          pod,
          specOf(pod, k.container),
          k.container,
          k.graceSeconds ?? graceSeconds,
          k.message,
        ),
      ),
    );
  }

  /**
   * Stops every container that may run, then the ready sandboxes. Without a pod (an orphan) each
   * container gets the grace period it was started with, at most 30 s; `verb` (e.g. `Stopping
   * container`) names the Killing event, none when empty.
   */
  async stopAll(
    pod: Pod | undefined,
    runtime: RuntimePod | undefined,
    graceSeconds: number,
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
          pod === undefined ? Math.min(c.gracePeriodSeconds ?? 30, 30) : graceSeconds,
          verb === '' ? '' : `${verb} ${c.name}`,
        ),
      ),
    );
    for (const s of runtime.sandboxes) if (s.ready) await this.#o.runtime.stopPodSandbox(s.id);
  }

  /**
   * Removes every trace of a stopped pod: containers, sandboxes, volumes and mounts, its cgroup
   * (throws while the cgroup is still in use, so the sync is retried) and its log directory.
   */
  async removeAll(
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
    const logDir = pod !== undefined ? podLogDirectory(o.podLogsDir, pod) : undefined;
    if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
    else if (runtime !== undefined)
      rmSync(
        podLogDirectory(o.podLogsDir, {
          metadata: { uid, name: runtime.name, namespace: runtime.namespace },
        }),
        {
          recursive: true,
          force: true,
        },
      );
  }

  /** Keeps the newest instance of each container and the one before it; removes older ones. */
  async pruneExited(runtime: RuntimePod | undefined): Promise<void> {
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
}

function specOf(pod: Pod, c: RuntimeContainer): Container | undefined {
  const list = c.kind === 'init' ? pod.spec?.initContainers : pod.spec?.containers;
  return list?.find((x) => x.name === c.name);
}

function ignoreNotFound(err: unknown): void {
  if ((err as { code?: string } | undefined)?.code !== 'CRI_NOT_FOUND') throw err;
}
