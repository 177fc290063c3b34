/**
 * How a pod sync mounts the pod's volumes, as upstream's volume manager does (its reconciler
 * and operation executor, with nestedpendingoperations' backoff per pod volume, v1.33): each
 * volume is set up on its own; one that failed is not tried again until its backoff ends (500 ms,
 * doubling to 2m2s, reset by a success), and every failed attempt is reported once (a
 * FailedMount event). A volume set up once stays mounted when a later refresh fails (its old
 * files stay, as upstream's actual state of the world keeps it mounted): the pod waits only for
 * volumes never set up. This state lives in memory; an agent restart starts it over.
 */
import type { Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import { OperationBackoff } from './operation-backoff.ts';
import type { OperationBackoffOptions } from './operation-backoff.ts';
import { VolumeSetupError } from './volume-manager.ts';
import type { MountedVolume } from './volume-manager.ts';

/** Sets one volume up (VolumeManager.setUpVolume); fails with VolumeSetupError. */
export type SetUpVolume = (
  pod: Pod,
  volume: Volume,
  podIps: readonly string[],
) => Promise<MountedVolume>;

export interface PodVolumes {
  /** Every volume mounted now or by an earlier sync, by name. */
  readonly mounted: ReadonlyMap<string, MountedVolume>;
  /** The attempts of this call that failed, in volume order (one FailedMount event each). */
  readonly failed: readonly VolumeSetupError[];
  /** Volumes never mounted yet: the pod's containers cannot start before they are. */
  readonly unmounted: readonly string[];
  /** When the first volume in backoff may be tried again; undefined when none waits. */
  readonly retryAfterMs: number | undefined;
}

export interface VolumeOperationsOptions extends OperationBackoffOptions {
  readonly setUp: SetUpVolume;
}

export class VolumeOperations {
  readonly #setUp: SetUpVolume;
  readonly #backoff: OperationBackoff;
  /** By pod uid, then volume name. */
  readonly #mounted = new Map<string, Map<string, MountedVolume>>();

  constructor(options: VolumeOperationsOptions) {
    this.#setUp = options.setUp;
    this.#backoff = new OperationBackoff(options);
  }

  /** Sets up (or refreshes) every volume of `pod` that is not in backoff. */
  async mountPod(pod: Pod, podIps: readonly string[]): Promise<PodVolumes> {
    const uid = pod.metadata?.uid ?? '';
    let mounted = this.#mounted.get(uid);
    if (mounted === undefined) {
      mounted = new Map();
      this.#mounted.set(uid, mounted);
    }
    const failed: VolumeSetupError[] = [];
    let retryAfterMs: number | undefined;
    const waitFor = (key: string): void => {
      const ms = this.#backoff.remainingMs(key);
      if (ms > 0) retryAfterMs = Math.min(retryAfterMs ?? ms, ms);
    };
    for (const v of pod.spec?.volumes ?? []) {
      const key = operationKey(uid, v.name);
      if (this.#backoff.remainingMs(key) > 0) {
        waitFor(key);
        continue;
      }
      try {
        mounted.set(v.name, await this.#setUp(pod, v, podIps));
        this.#backoff.succeeded(key);
      } catch (err: unknown) {
        // Anything else is a bug of the agent, not of the volume: the sync fails with it.
        if (!(err instanceof VolumeSetupError)) throw err;
        failed.push(err);
        this.#backoff.failed(key);
        waitFor(key);
      }
    }
    const unmounted = (pod.spec?.volumes ?? [])
      .filter((v) => !mounted.has(v.name))
      .map((v) => v.name);
    return { mounted, failed, unmounted, retryAfterMs };
  }

  /** The backoff a volume's last failure started (0: none), for logs and tests. */
  backoffMs(uid: string, volume: string): number {
    return this.#backoff.durationMs(operationKey(uid, volume));
  }

  /** Forgets a pod's mounts and backoffs (its volumes were torn down). */
  forgetPod(uid: string): void {
    this.#mounted.delete(uid);
    const prefix = operationKey(uid, '');
    this.#backoff.retain((key) => !key.startsWith(prefix));
  }
}

/** Upstream keys operations by volume and pod; a pod's volume names are unique. */
function operationKey(uid: string, volume: string): string {
  return `${uid}/${volume}`;
}
