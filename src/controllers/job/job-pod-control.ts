/**
 * A Job's pods (upstream's job pod template and PodControl): the pod for the next attempt
 * (Indexed pods carry their completion index as annotation, label, hostname and
 * JOB_COMPLETION_INDEX), created under create expectations and deleted, each recorded as
 * upstream's SuccessfulCreate / FailedCreate / SuccessfulDelete events. Failures are collected
 * into `errors`, never thrown, so one bad pod does not stop the others.
 */
import type { Job } from 'kubernetes-types/batch/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isNamespaceTerminating, isNotFound, metaNamespaceKey } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { ControllerContext } from '../controller.ts';
import type { ControllerExpectations } from '../util/controller-expectations.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import { podFromTemplate } from '../util/owned-pods.ts';
import { COMPLETION_INDEX_KEY, JOB_TRACKING_FINALIZER, isIndexed } from './job-status.ts';

/** The pod for the next attempt (at `index` when Indexed). */
export function newJobPod(job: Job, index?: number): Pod {
  const jobName = job.metadata?.name ?? '';
  const pod = podFromTemplate(
    job.spec?.template,
    job.metadata?.namespace ?? '',
    newControllerRef(job, 'batch/v1', 'Job'),
  );
  const meta = pod.metadata ?? {};
  meta.generateName = index === undefined ? `${jobName}-` : `${jobName}-${index}-`;
  meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (index !== undefined) {
    meta.annotations = { ...meta.annotations, [COMPLETION_INDEX_KEY]: String(index) };
    meta.labels = { ...meta.labels, [COMPLETION_INDEX_KEY]: String(index) };
    const spec = pod.spec ?? { containers: [] };
    if ((spec.hostname ?? '') === '') spec.hostname = `${jobName}-${index}`;
    const env = {
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: {
        fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_KEY}']` },
      },
    };
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])])
      if (!(c.env ?? []).some((e) => e.name === env.name)) c.env = [...(c.env ?? []), env];
  }
  pod.metadata = meta;
  return pod;
}

export class JobPodControl {
  readonly #ctx: ControllerContext;
  readonly #expectations: ControllerExpectations;

  constructor(ctx: ControllerContext, expectations: ControllerExpectations) {
    this.#ctx = ctx;
    this.#expectations = expectations;
  }

  /** Deletes pods; answers how many deletes were issued. */
  async deletePods(
    job: Job,
    namespace: string,
    pods: readonly Pod[],
    errors: unknown[],
    signal: AbortSignal,
  ): Promise<number> {
    let n = 0;
    await Promise.all(
      pods.map(async (pod) => {
        const name = pod.metadata?.name ?? '';
        try {
          await this.#ctx.client.delete({ ...RESOURCES.pods, namespace, name }, { signal });
          n++;
          this.#ctx.events.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (err: unknown) {
          if (isNotFound(err)) return;
          errors.push(err);
        }
      }),
    );
    return n;
  }

  /** Creates pods (under create expectations); answers how many were created. */
  async createPods(
    job: Job,
    namespace: string,
    plan: { readonly createCount: number; readonly createIndexes: readonly number[] },
    errors: unknown[],
    signal: AbortSignal,
  ): Promise<number> {
    const key = metaNamespaceKey(job);
    const pods = isIndexed(job)
      ? plan.createIndexes.map((i) => newJobPod(job, i))
      : Array.from({ length: plan.createCount }, () => newJobPod(job));
    if (pods.length === 0) return 0;
    this.#expectations.expectCreations(key, pods.length);
    let n = 0;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          const created = await this.#ctx.client.create<Pod>(
            { ...RESOURCES.pods, namespace },
            pod,
            { signal },
          );
          n++;
          this.#ctx.events.event(
            job,
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${created.metadata?.name ?? ''}`,
          );
        } catch (err: unknown) {
          this.#expectations.creationObserved(key);
          // The namespace is being deleted: every create fails alike; drop it quietly, as upstream.
          if (isNamespaceTerminating(err)) return;
          this.#ctx.events.event(job, 'Warning', 'FailedCreate', `Error creating: ${String(err)}`);
          errors.push(err);
        }
      }),
    );
    return n;
  }
}
