/**
 * The Job controller's pure core (pkg/controller/job/job_controller.go, indexed_job_utils.go,
 * v1.33): which pods are finished, how finished pods are accounted through
 * `status.uncountedTerminatedPods` and the `batch.kubernetes.io/job-tracking` finalizer, when a
 * Job has met its success criteria or a failure target, what to create or delete next
 * (NonIndexed and Indexed), and the conditions as 1.33 sets them (SuccessCriteriaMet then
 * Complete, FailureTarget then Failed, the terminal one only once no pod is left running). No I/O.
 */
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isPodReady } from '../util/pod-readiness.ts';
import { isPodTerminating } from '../util/owned-pods.ts';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';

export const isIndexed = (job: Job): boolean => job.spec?.completionMode === 'Indexed';

export const hasTrackingFinalizer = (pod: Pod): boolean =>
  pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) === true;

/** Only `Failed` pods are replaced (podReplacementPolicy: Failed, or a podFailurePolicy). */
const onlyReplaceFailed = (job: Job): boolean =>
  job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy !== undefined;

/** isPodFailed: Failed, or (unless only failed pods are replaced) deleted before succeeding. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailed(job)) return false;
  return isPodTerminating(pod) && pod.status?.phase !== 'Succeeded';
}

export const isPodSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';

/** The completion index of a pod (annotation, then label); undefined when absent or bad. */
export function completionIndexOf(pod: Pod): number | undefined {
  const raw =
    pod.metadata?.annotations?.[COMPLETION_INDEX_KEY] ??
    pod.metadata?.labels?.[COMPLETION_INDEX_KEY];
  if (raw === undefined || !/^(0|[1-9]\d*)$/.test(raw)) return undefined;
  return Number(raw);
}

/** Parses `1,3-5,7` into a sorted set of indexes. */
export function parseIndexes(s: string | undefined): number[] {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (!Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let i = from; i <= to; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Formats sorted indexes as upstream does: runs of three or more become `a-b`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const from = sorted[i] ?? 0;
    const to = sorted[j] ?? 0;
    if (j - i >= 2) parts.push(`${from}-${to}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(',');
}

export function findCondition(
  status: JobStatus | undefined,
  type: string,
): JobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Adds or replaces a condition (transition time only changes when its status does). */
export function setCondition(
  status: JobStatus,
  type: string,
  reason: string,
  message: string,
  nowIso: string,
  conditionStatus: 'True' | 'False' = 'True',
): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  if (existing !== undefined) {
    if (existing.status !== conditionStatus) existing.lastTransitionTime = nowIso;
    existing.status = conditionStatus;
    existing.reason = reason;
    existing.message = message;
    existing.lastProbeTime = nowIso;
  } else {
    conditions.push({
      type,
      status: conditionStatus,
      reason,
      message,
      lastProbeTime: nowIso,
      lastTransitionTime: nowIso,
    });
  }
  status.conditions = conditions;
}

export interface PodCensus {
  /** Not finished and not being deleted. */
  readonly active: Pod[];
  /** Being deleted, not yet gone (and not counted as finished-succeeded). */
  readonly terminating: number;
  readonly ready: number;
  /** Finished pods still holding the tracking finalizer, by outcome. */
  readonly finishedWithFinalizer: { readonly pod: Pod; readonly succeeded: boolean }[];
}

export function censusOf(job: Job, pods: readonly Pod[]): PodCensus {
  const active: Pod[] = [];
  let terminating = 0;
  let ready = 0;
  const finishedWithFinalizer: { pod: Pod; succeeded: boolean }[] = [];
  for (const pod of pods) {
    const succeeded = isPodSucceeded(pod);
    const failed = !succeeded && isPodFailed(pod, job);
    if (isPodTerminating(pod) && !succeeded && pod.status?.phase !== 'Failed') terminating++;
    if (succeeded || failed) {
      if (hasTrackingFinalizer(pod)) finishedWithFinalizer.push({ pod, succeeded });
      continue;
    }
    if (isPodTerminating(pod)) continue;
    active.push(pod);
    if (isPodReady(pod)) ready++;
  }
  return { active, terminating, ready, finishedWithFinalizer };
}

export type FinishTarget =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly reason: string; readonly message: string };

/**
 * pastBackoffLimitOnFailure: with restartPolicy OnFailure the kubelet restarts containers in
 * place, so failures show as restarts of running or pending pods; their sum reaching
 * backoffLimit (any restart when it is 0) fails the Job.
 */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of pods) {
    if (pod.status?.phase !== 'Running' && pod.status?.phase !== 'Pending') continue;
    for (const s of [
      ...(pod.status.initContainerStatuses ?? []),
      ...(pod.status.containerStatuses ?? []),
    ])
      restarts += s.restartCount;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/**
 * Whether the Job has met its completions or a failure target, from its counters (and, for
 * restartPolicy OnFailure, the restarts of its `pods`).
 */
export function finishTarget(
  job: Job,
  succeeded: number,
  failed: number,
  activeCount: number,
  nowMs: number,
  pods: readonly Pod[] = [],
): FinishTarget | undefined {
  const status = job.status;
  if (
    findCondition(status, 'FailureTarget') !== undefined ||
    findCondition(status, 'Failed') !== undefined
  ) {
    const c = findCondition(status, 'FailureTarget') ?? findCondition(status, 'Failed');
    return { kind: 'failure', reason: c?.reason ?? '', message: c?.message ?? '' };
  }
  if (
    findCondition(status, 'SuccessCriteriaMet') !== undefined ||
    findCondition(status, 'Complete') !== undefined
  )
    return { kind: 'success' };
  const backoffLimit = job.spec?.backoffLimit ?? 6;
  if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods))
    return {
      kind: 'failure',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    };
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = Date.parse(status?.startTime ?? '');
  if (
    deadline !== undefined &&
    Number.isFinite(start) &&
    job.spec?.suspend !== true &&
    nowMs >= start + deadline * 1000
  )
    return {
      kind: 'failure',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    };
  const completions = job.spec?.completions;
  if (isIndexed(job)) {
    if (
      completions !== undefined &&
      parseIndexes(status?.completedIndexes).filter((i) => i < completions).length >= completions
    )
      return { kind: 'success' };
    return undefined;
  }
  if (completions === undefined) {
    // Work-queue Jobs: done once one pod succeeded and none is still running.
    return succeeded > 0 && activeCount === 0 ? { kind: 'success' } : undefined;
  }
  return succeeded >= completions ? { kind: 'success' } : undefined;
}

export interface PodChanges {
  /** NonIndexed: how many to create. */
  readonly createCount: number;
  /** Indexed: which indexes to create. */
  readonly createIndexes: number[];
  /** Active pods to delete (excess). */
  readonly deletePods: Pod[];
}

/** manageJob: creations up to parallelism and remaining completions; deletion of the excess. */
export function planPods(
  job: Job,
  active: readonly Pod[],
  succeeded: number,
  terminating: number,
): PodChanges {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  // podReplacementPolicy Failed: a replacement waits until the pod it replaces is fully gone.
  const busy = active.length + (onlyReplaceFailed(job) ? terminating : 0);
  if (isIndexed(job)) {
    const total = completions ?? 0;
    const done = new Set(parseIndexes(job.status?.completedIndexes));
    const activeIndexes = new Map<number, Pod[]>();
    const deletePods: Pod[] = [];
    for (const p of active) {
      const i = completionIndexOf(p);
      if (i === undefined || i >= total || done.has(i)) {
        deletePods.push(p);
        continue;
      }
      const list = activeIndexes.get(i) ?? [];
      list.push(p);
      activeIndexes.set(i, list);
    }
    for (const list of activeIndexes.values()) deletePods.push(...list.slice(1));
    const running = busy - deletePods.length;
    const missing: number[] = [];
    for (let i = 0; i < total && missing.length < parallelism - running; i++)
      if (!done.has(i) && !activeIndexes.has(i)) missing.push(i);
    return { createCount: 0, createIndexes: missing, deletePods };
  }
  let wantActive: number;
  if (completions === undefined) wantActive = succeeded > 0 ? active.length : parallelism;
  else wantActive = Math.max(0, Math.min(parallelism, completions - succeeded));
  if (active.length > wantActive) {
    // Delete the least progressed first: not ready, then newest.
    const ranked = [...active].sort(
      (a, b) =>
        Number(isPodReady(a)) - Number(isPodReady(b)) ||
        (Date.parse(b.metadata?.creationTimestamp ?? '') || 0) -
          (Date.parse(a.metadata?.creationTimestamp ?? '') || 0),
    );
    return {
      createCount: 0,
      createIndexes: [],
      deletePods: ranked.slice(0, active.length - wantActive),
    };
  }
  return { createCount: Math.max(0, wantActive - busy), createIndexes: [], deletePods: [] };
}
