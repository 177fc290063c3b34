/**
 * Writes pods' statuses through `pods/status` (kubelet's status manager): only when the status
 * differs from what this agent last wrote for that pod, as an update of the pod it read; the
 * conditions other components own (DisruptionTarget, readiness gates' targets) are kept as the
 * API has them (upstream's mergePodStatus), reading the pod again on a conflict. The status last
 * written, with those conditions from the API, is what the next status is generated from (the
 * informer may lag behind the agent's own writes, which do not sync a pod again). Finished
 * pods are deleted with grace period 0 and a UID precondition, as kubelet does once their
 * containers stopped and their resources were reclaimed.
 */
import type { Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.d.ts';
import { isConflict, isNotFound } from '../../client/index.ts';
import type { RestClient } from '../../client/index.ts';
import { KUBELET_CONDITIONS } from './pod-status.ts';

const podRefOf = (
  pod: Pod,
): { group: string; version: string; plural: string; namespace: string; name: string } => ({
  group: '',
  version: 'v1',
  plural: 'pods',
  namespace: pod.metadata?.namespace ?? 'default',
  name: pod.metadata?.name ?? '',
});

export class PodStatusWriter {
  readonly #client: RestClient;
  readonly #written = new Map<string, { status: PodStatus; json: string }>();

  constructor(client: RestClient) {
    this.#client = client;
  }

  /** The status this agent last wrote for the pod, if any. */
  lastWritten(uid: string): PodStatus | undefined {
    return this.#written.get(uid)?.status;
  }

  /**
   * The status to generate the pod's next one from: the last written (the API's when none), with
   * the conditions the agent does not own as the API has them now.
   */
  previous(pod: Pod): PodStatus | undefined {
    const written = this.lastWritten(pod.metadata?.uid ?? '');
    if (written === undefined) return pod.status;
    return { ...written, conditions: mergeConditions(pod.status, written) };
  }

  /** Writes `status` unless it is what was written last; answers whether it wrote. */
  async write(pod: Pod, status: PodStatus, signal?: AbortSignal): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    const json = JSON.stringify(status);
    if (this.#written.get(uid)?.json === json) return false;
    let current = pod;
    for (let attempt = 0; attempt < 5; attempt++) {
      const merged: PodStatus = { ...status, conditions: mergeConditions(current.status, status) };
      try {
        await this.#client.update<Pod>(
          { ...podRefOf(pod), subresource: 'status' },
          { ...current, status: merged },
          { signal },
        );
        this.#written.set(uid, { status, json });
        return true;
      } catch (err: unknown) {
        if (isNotFound(err)) return false;
        if (!isConflict(err)) throw err;
        current = await this.#client.get<Pod>(podRefOf(pod), { signal });
        if (current.metadata?.uid !== uid) return false; // a new pod with the same name
      }
    }
    throw new Error(
      `pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}: status update kept conflicting`,
    );
  }

  /** Deletes the pod object (grace period 0, only this uid); a pod already gone is fine. */
  async deletePod(pod: Pod, signal?: AbortSignal): Promise<void> {
    try {
      await this.#client.delete(podRefOf(pod), {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata?.uid ?? '' },
        signal,
      });
    } catch (err: unknown) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  forget(uid: string): void {
    this.#written.delete(uid);
  }
}

/** The API's conditions other than the kubelet's, then the kubelet's from `ours`. */
function mergeConditions(api: PodStatus | undefined, ours: PodStatus): PodCondition[] {
  return [
    ...(api?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type)),
    ...(ours.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type)),
  ];
}
