/**
 * Printers for the apps/v1 and batch/v1 workloads: Deployment ("ready/desired"), ReplicaSet,
 * DaemonSet, StatefulSet and Job (STATUS from conditions, COMPLETIONS, DURATION). The apps/v1
 * default of one replica applies when `spec.replicas` is absent, as it does for stored objects.
 */
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import { ageCell, timestampMs } from './age.ts';
import {
  AGE_COLUMN,
  column,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  wideColumn,
} from './columns.ts';
import { templateContainerCells } from './container-cells.ts';
import {
  isSet,
  nameOf,
  numberAt,
  objectAt,
  objectsAt,
  optionalNumberAt,
  stringAt,
  stringMapAt,
  valueAt,
} from './fields.ts';
import { humanDuration, saturatingDurationMs } from './human-duration.ts';
import { formatLabels, formatLabelSelector, labelSelectorString } from './label-format.ts';

/** `spec.replicas` with SetDefaults_{Deployment,ReplicaSet,StatefulSet} applied (nil -> 1). */
function desiredReplicas(obj: JsonObject): number {
  return optionalNumberAt(obj, 'spec', 'replicas') ?? 1;
}

function selectorOf(obj: JsonObject): JsonObject | undefined {
  return objectAt(obj, 'spec', 'selector');
}

export const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', { text: 'Number of the pod with ready state' }),
    column('Up-to-date', 'extensions/v1beta1 DeploymentStatus.updatedReplicas'),
    column('Available', 'extensions/v1beta1 DeploymentStatus.availableReplicas'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wideColumn('Selector', 'extensions/v1beta1 DeploymentSpec.selector'),
  ],
  cells: (d, now) => [
    nameOf(d),
    `${numberAt(d, 'status', 'readyReplicas')}/${desiredReplicas(d)}`,
    numberAt(d, 'status', 'updatedReplicas'),
    numberAt(d, 'status', 'availableReplicas'),
    ageCell(d, now),
    ...templateContainerCells(d),
    // Deployments print LabelSelectorAsSelector(..).String() directly: "" when empty.
    labelSelectorString(selectorOf(d)) ?? '<invalid>',
  ],
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'extensions/v1beta1 ReplicaSetSpec.replicas', { type: 'integer' }),
    column('Current', 'extensions/v1beta1 ReplicaSetStatus.replicas', { type: 'integer' }),
    column('Ready', 'extensions/v1beta1 ReplicaSetStatus.readyReplicas', { type: 'integer' }),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wideColumn('Selector', 'extensions/v1beta1 ReplicaSetSpec.selector'),
  ],
  cells: (rs, now) => [
    nameOf(rs),
    desiredReplicas(rs),
    numberAt(rs, 'status', 'replicas'),
    numberAt(rs, 'status', 'readyReplicas'),
    ageCell(rs, now),
    ...templateContainerCells(rs),
    formatLabelSelector(selectorOf(rs)),
  ],
};

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'extensions/v1beta1 DaemonSetStatus.desiredNumberScheduled', {
      type: 'integer',
    }),
    column('Current', 'extensions/v1beta1 DaemonSetStatus.currentNumberScheduled', {
      type: 'integer',
    }),
    column('Ready', 'extensions/v1beta1 DaemonSetStatus.numberReady', { type: 'integer' }),
    column('Up-to-date', 'extensions/v1beta1 DaemonSetStatus.updatedNumberScheduled', {
      type: 'integer',
    }),
    column('Available', 'extensions/v1beta1 DaemonSetStatus.numberAvailable', { type: 'integer' }),
    column('Node Selector', 'core/v1 PodSpec.nodeSelector'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wideColumn('Selector', 'extensions/v1beta1 DaemonSetSpec.selector'),
  ],
  cells: (ds, now) => [
    nameOf(ds),
    numberAt(ds, 'status', 'desiredNumberScheduled'),
    numberAt(ds, 'status', 'currentNumberScheduled'),
    numberAt(ds, 'status', 'numberReady'),
    numberAt(ds, 'status', 'updatedNumberScheduled'),
    numberAt(ds, 'status', 'numberAvailable'),
    formatLabels(stringMapAt(ds, 'spec', 'template', 'spec', 'nodeSelector')),
    ageCell(ds, now),
    ...templateContainerCells(ds),
    formatLabelSelector(selectorOf(ds)),
  ],
};

export const statefulSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', { text: 'Number of the pod with ready state' }),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
  ],
  cells: (sts, now) => [
    nameOf(sts),
    `${numberAt(sts, 'status', 'readyReplicas')}/${desiredReplicas(sts)}`,
    ageCell(sts, now),
    ...templateContainerCells(sts),
  ],
};

/** `hasJobCondition`: the status of the first condition of `type` is "True". */
function hasJobCondition(job: JsonObject, type: string): boolean {
  const cond = objectsAt(job, 'status', 'conditions').find((c) => stringAt(c, 'type') === type);
  return cond !== undefined && stringAt(cond, 'status') === 'True';
}

function jobStatus(job: JsonObject): string {
  if (hasJobCondition(job, 'Complete')) return 'Complete';
  if (hasJobCondition(job, 'Failed')) return 'Failed';
  if (isSet(job, 'metadata', 'deletionTimestamp')) return 'Terminating';
  if (hasJobCondition(job, 'Suspended')) return 'Suspended';
  if (hasJobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: JsonObject): string {
  const succeeded = numberAt(job, 'status', 'succeeded');
  const completions = optionalNumberAt(job, 'spec', 'completions');
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = optionalNumberAt(job, 'spec', 'parallelism') ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** "" before the job starts, time since start while running, else completion - start. */
function jobDuration(job: JsonObject, now: Date): string {
  if (!isSet(job, 'status', 'startTime')) return '';
  const start = timestampMs(valueAt(job, 'status', 'startTime'));
  if (!isSet(job, 'status', 'completionTime')) {
    return humanDuration(saturatingDurationMs(now.getTime() - start));
  }
  const completion = timestampMs(valueAt(job, 'status', 'completionTime'));
  return humanDuration(saturatingDurationMs(completion - start));
}

export const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', { text: 'Status of the job.' }),
    column('Completions', 'batch/v1 JobStatus.succeeded'),
    column('Duration', { text: 'Time required to complete the job.' }),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wideColumn('Selector', 'batch/v1 JobSpec.selector'),
  ],
  cells: (job, now) => [
    nameOf(job),
    jobStatus(job),
    jobCompletions(job),
    jobDuration(job, now),
    ageCell(job, now),
    ...templateContainerCells(job),
    formatLabelSelector(selectorOf(job)),
  ],
};
