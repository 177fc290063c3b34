/**
 * The `job` controller (pkg/controller/job, v1.33): runs a Job's pods to its completions
 * (NonIndexed, or Indexed with `batch.kubernetes.io/job-completion-index`) at most `parallelism`
 * at a time, counts failures against `backoffLimit`, enforces `activeDeadlineSeconds`, honours
 * `suspend`, and writes the status. Finished pods are accounted as upstream does: every pod
 * carries the `batch.kubernetes.io/job-tracking` finalizer; a finished pod's UID is first
 * recorded in `status.uncountedTerminatedPods`, then its finalizer removed, then it is moved
 * into the counters, so a pod is counted exactly once even if it is deleted or the controller
 * restarts. Not done: podFailurePolicy rules, backoffLimitPerIndex, successPolicy, and the
 * exponential delay before recreating failed pods (replacements are created at once).
 * ttlSecondsAfterFinished is the ttl-after-finished controller's.
 */
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import {
  RateLimitingQueue,
  isNotFound,
  metaNamespaceKey,
  runControllerLoop,
  splitMetaNamespaceKey,
  tombstoneObject,
} from '../../client/index.ts';
import type { KubeObject, SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { ControllerExpectations } from '../util/controller-expectations.ts';
import { getControllerOf } from '../util/controller-ref.ts';
import { JobPodControl } from './job-pod-control.ts';
import { podsControlledBy, stableJson } from '../util/owned-pods.ts';
import {
  DEFAULT_POD_FAILURE_BACKOFF_MS,
  MAX_POD_FAILURE_BACKOFF_MS,
  nextBackoffRecord,
  remainingBackoffMs,
} from './pod-failure-backoff.ts';
import type { BackoffRecord } from './pod-failure-backoff.ts';
import {
  JOB_TRACKING_FINALIZER,
  censusOf,
  completionIndexOf,
  findCondition,
  finishTarget,
  formatIndexes,
  hasTrackingFinalizer,
  isIndexed,
  parseIndexes,
  planPods,
  setCondition,
} from './job-status.ts';

export interface JobControllerOptions {
  /** Concurrent syncs (`--concurrent-job-syncs`). Default: 5, upstream's. */
  readonly workers?: number | undefined;
  /** Delay before replacing a failed pod, doubling per failure. Default: 10 s, upstream's. */
  readonly podFailureBackoffMs?: number | undefined;
  /** Cap of that delay. Default: 6 min, upstream's. */
  readonly maxPodFailureBackoffMs?: number | undefined;
}

export class JobController implements Controller {
  readonly name = 'job';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #jobInformer: SharedInformer<Job>;
  readonly #podInformer: SharedInformer<Pod>;
  readonly #queue: RateLimitingQueue<string>;
  readonly #expectations: ControllerExpectations;
  readonly #pods: JobPodControl;
  readonly #backoff = new Map<string, BackoffRecord>();
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;

  constructor(ctx: ControllerContext, options: JobControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#backoffBaseMs = options.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
    this.#backoffMaxMs = options.maxPodFailureBackoffMs ?? MAX_POD_FAILURE_BACKOFF_MS;
    this.#jobInformer = ctx.informers.informerFor<Job>(RESOURCES.jobs);
    this.#podInformer = ctx.informers.informerFor<Pod>(RESOURCES.pods);
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
    this.#expectations = new ControllerExpectations(ctx.clock);
    this.#pods = new JobPodControl(ctx, this.#expectations);
  }

  async run(signal: AbortSignal): Promise<void> {
    const enqueue = (obj: KubeObject): void => {
      this.#queue.add(metaNamespaceKey(obj));
    };
    const ownerKey = (pod: Pod): string | undefined => {
      const ref = getControllerOf(pod);
      return ref?.kind === 'Job' ? `${pod.metadata?.namespace ?? ''}/${ref.name}` : undefined;
    };
    const regs = [
      this.#jobInformer.addEventHandler({
        onAdd: enqueue,
        onUpdate: (_o, n) => {
          enqueue(n);
        },
        onDelete: (obj) => {
          const key = metaNamespaceKey(tombstoneObject(obj));
          this.#expectations.delete(key);
          this.#backoff.delete(key);
        },
      }),
      this.#podInformer.addEventHandler({
        onAdd: (pod) => {
          const key = ownerKey(pod);
          if (key === undefined) return;
          this.#expectations.creationObserved(key);
          this.#queue.add(key);
        },
        onUpdate: (_o, pod) => {
          const key = ownerKey(pod);
          if (key !== undefined) this.#queue.add(key);
        },
        onDelete: (obj) => {
          const key = ownerKey(tombstoneObject(obj));
          if (key !== undefined) this.#queue.add(key);
        },
      }),
    ];
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#workers,
        informers: [this.#jobInformer, this.#podInformer],
        reconcile: (key, s) => this.sync(key, s),
        onError: (err, key) => {
          this.#ctx.log('warn', 'error syncing job; requeuing', { key, err: String(err) });
        },
        signal,
      });
    } finally {
      for (const r of regs) r.remove();
    }
  }

  async sync(key: string, signal: AbortSignal): Promise<void> {
    let job = this.#jobInformer.indexer.getByKey(key);
    if (job === undefined) {
      this.#expectations.delete(key);
      return;
    }
    const { namespace } = splitMetaNamespaceKey(key);
    const nowMs = this.#ctx.clock.now();
    const nowIso = new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z');
    const pods = podsControlledBy(this.#podInformer.indexer.list(), job);
    const census = censusOf(job, pods);
    const status: JobStatus = structuredClone(job.status ?? {});
    const uncounted = {
      succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])],
      failed: [...(status.uncountedTerminatedPods?.failed ?? [])],
    };
    const completed = new Set(parseIndexes(status.completedIndexes));

    // 1. Record newly finished pods as uncounted (with their completed index) before anything
    //    else, so removing their finalizers can never lose them.
    const recorded = new Set([...uncounted.succeeded, ...uncounted.failed]);
    let recordedNew = false;
    const newSucceeded: Pod[] = [];
    const newFailed: Pod[] = [];
    for (const { pod, succeeded } of census.finishedWithFinalizer) {
      const uid = pod.metadata?.uid ?? '';
      if (recorded.has(uid)) continue;
      recordedNew = true;
      (succeeded ? newSucceeded : newFailed).push(pod);
      (succeeded ? uncounted.succeeded : uncounted.failed).push(uid);
      const index = completionIndexOf(pod);
      if (
        succeeded &&
        isIndexed(job) &&
        index !== undefined &&
        index < (job.spec?.completions ?? 0)
      )
        completed.add(index);
    }
    if (recordedNew) {
      this.#backoff.set(
        key,
        nextBackoffRecord(this.#backoff.get(key), newSucceeded, newFailed, nowMs),
      );
      status.uncountedTerminatedPods = uncounted;
      if (isIndexed(job)) status.completedIndexes = formatIndexes(completed);
      job = await this.#putStatus(job, namespace, status, signal);
    }

    // 2. Remove the finalizers of finished pods (all recorded by now).
    const released = new Set<string>();
    const errors: unknown[] = [];
    await Promise.all(
      census.finishedWithFinalizer.map(async ({ pod }) => {
        try {
          await this.#removeFinalizer(pod, namespace, signal);
          released.add(pod.metadata?.uid ?? '');
        } catch (err: unknown) {
          if (isNotFound(err)) released.add(pod.metadata?.uid ?? '');
          else errors.push(err);
        }
      }),
    );

    // 3. Move uncounted pods whose finalizer is gone into the counters.
    const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
    const gone = (uid: string): boolean => {
      const pod = byUid.get(uid);
      return pod === undefined || !hasTrackingFinalizer(pod) || released.has(uid);
    };
    const moveSucceeded = uncounted.succeeded.filter(gone);
    const moveFailed = uncounted.failed.filter(gone);
    status.succeeded = (status.succeeded ?? 0) + moveSucceeded.length;
    status.failed = (status.failed ?? 0) + moveFailed.length;
    uncounted.succeeded = uncounted.succeeded.filter((u) => !gone(u));
    uncounted.failed = uncounted.failed.filter((u) => !gone(u));
    if (isIndexed(job)) {
      status.completedIndexes = formatIndexes(completed);
      if (uncounted.succeeded.length === 0) status.succeeded = completed.size;
    }
    status.uncountedTerminatedPods = uncounted;
    const succeeded = (status.succeeded ?? 0) + uncounted.succeeded.length;
    const failed = (status.failed ?? 0) + uncounted.failed.length;

    const isFinished =
      findCondition(status, 'Complete') !== undefined ||
      findCondition(status, 'Failed') !== undefined;
    let activeCount = census.active.length;
    if (!isFinished) {
      const target = finishTarget(
        { ...job, status },
        succeeded,
        failed,
        activeCount,
        nowMs,
        census.active,
      );
      if (target !== undefined) {
        if (target.kind === 'failure' && findCondition(status, 'FailureTarget') === undefined) {
          setCondition(status, 'FailureTarget', target.reason, target.message, nowIso);
          this.#ctx.events.event(job, 'Warning', target.reason, target.message);
        }
        if (target.kind === 'success' && findCondition(status, 'SuccessCriteriaMet') === undefined)
          setCondition(
            status,
            'SuccessCriteriaMet',
            'CompletionsReached',
            'Reached expected number of succeeded pods',
            nowIso,
          );
        activeCount -= await this.#pods.deletePods(job, namespace, census.active, errors, signal);
        const drained =
          census.active.length === 0 &&
          census.terminating === 0 &&
          uncounted.succeeded.length + uncounted.failed.length === 0;
        if (drained && target.kind === 'failure') {
          setCondition(status, 'Failed', target.reason, target.message, nowIso);
        } else if (drained) {
          setCondition(
            status,
            'Complete',
            'CompletionsReached',
            'Reached expected number of succeeded pods',
            nowIso,
          );
          status.completionTime = nowIso;
          this.#ctx.events.event(job, 'Normal', 'Completed', 'Job completed');
        }
      } else if (job.spec?.suspend === true) {
        activeCount -= await this.#pods.deletePods(job, namespace, census.active, errors, signal);
        if (findCondition(status, 'Suspended') === undefined) {
          setCondition(status, 'Suspended', 'JobSuspended', 'Job suspended', nowIso);
          this.#ctx.events.event(job, 'Normal', 'Suspended', 'Job suspended');
        }
      } else {
        if (findCondition(status, 'Suspended') !== undefined) {
          setCondition(status, 'Suspended', 'JobResumed', 'Job resumed', nowIso, 'False');
          status.startTime = nowIso; // upstream restarts the deadline clock on resume
          this.#ctx.events.event(job, 'Normal', 'Resumed', 'Job resumed');
        }
        status.startTime ??= nowIso;
        if (this.#expectations.satisfied(key)) {
          const plan = planPods({ ...job, status }, census.active, succeeded, census.terminating);
          activeCount -= await this.#pods.deletePods(
            job,
            namespace,
            plan.deletePods,
            errors,
            signal,
          );
          // Replacements of failed pods wait out the backoff (upstream's manageJob).
          const wait = remainingBackoffMs(
            this.#backoff.get(key),
            nowMs,
            this.#backoffBaseMs,
            this.#backoffMaxMs,
          );
          if (wait > 0 && (plan.createCount > 0 || plan.createIndexes.length > 0))
            this.#queue.addAfter(key, wait);
          else activeCount += await this.#pods.createPods(job, namespace, plan, errors, signal);
        }
        const deadline = job.spec?.activeDeadlineSeconds;
        if (deadline !== undefined)
          this.#queue.addAfter(key, Date.parse(status.startTime) + deadline * 1000 - nowMs);
      }
    }
    status.active = Math.max(0, activeCount);
    status.ready = census.ready;
    status.terminating = census.terminating;
    if (stableJson(status) !== stableJson(job.status ?? {}))
      await this.#putStatus(job, namespace, status, signal);
    if (errors.length > 0) throw errors[0];
  }

  async #putStatus(
    job: Job,
    namespace: string,
    status: JobStatus,
    signal: AbortSignal,
  ): Promise<Job> {
    return this.#ctx.client.update<Job>(
      { ...RESOURCES.jobs, namespace, name: job.metadata?.name ?? '', subresource: 'status' },
      { ...job, status },
      { signal },
    );
  }

  async #removeFinalizer(pod: Pod, namespace: string, signal: AbortSignal): Promise<void> {
    const finalizers = (pod.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    await this.#ctx.client.patch(
      { ...RESOURCES.pods, namespace, name: pod.metadata?.name ?? '' },
      { metadata: { finalizers, resourceVersion: pod.metadata?.resourceVersion } },
      { type: 'merge', signal },
    );
  }
}
