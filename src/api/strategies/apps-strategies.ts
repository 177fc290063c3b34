/**
 * The apps/v1 strategies (pkg/registry/apps/*, v1.33): defaults, a cleared status on create (as
 * Go serializes the empty status: its non-omitempty counters at 0), validation, and on update
 * the selector's immutability (StatefulSets: the whole fixed part of the spec).
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import {
  defaultDaemonSet,
  defaultDeployment,
  defaultReplicaSet,
  defaultStatefulSet,
} from './apps-defaults.ts';
import {
  validateDaemonSet,
  validateDeployment,
  validateReplicaSet,
  validateSelectorUnchanged,
  validateStatefulSet,
  validateStatefulSetSpecUpdate,
} from './apps-validation.ts';

/** A PrepareForCreate that resets status to the given empty form. */
function freshStatus(status: JsonObject): (obj: JsonObject) => void {
  return (obj) => {
    obj['status'] = structuredClone(status);
  };
}

export const deploymentStrategy: ResourceStrategy = {
  defaults: defaultDeployment,
  prepareForCreate: freshStatus({}),
  validate: validateDeployment,
  validateUpdate: (d, old) => [...validateDeployment(d), ...validateSelectorUnchanged(d, old)],
};

export const replicaSetStrategy: ResourceStrategy = {
  defaults: defaultReplicaSet,
  prepareForCreate: freshStatus({ replicas: 0 }),
  validate: validateReplicaSet,
  validateUpdate: (rs, old) => [...validateReplicaSet(rs), ...validateSelectorUnchanged(rs, old)],
};

export const daemonSetStrategy: ResourceStrategy = {
  defaults: defaultDaemonSet,
  prepareForCreate: freshStatus({
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  }),
  validate: validateDaemonSet,
  validateUpdate: (ds, old) => [...validateDaemonSet(ds), ...validateSelectorUnchanged(ds, old)],
};

export const statefulSetStrategy: ResourceStrategy = {
  defaults: defaultStatefulSet,
  prepareForCreate: freshStatus({ replicas: 0, availableReplicas: 0 }),
  validate: validateStatefulSet,
  validateUpdate: (sts, old) => [
    ...validateStatefulSet(sts),
    ...validateStatefulSetSpecUpdate(sts, old),
  ],
};
