/**
 * A ReplicaSet's status from the pods it controls (upstream's calculateStatus in
 * replica_set_utils.go): replicas, fullyLabeledReplicas (pods carrying every template label),
 * readyReplicas, availableReplicas (ready for minReadySeconds), and the ReplicaFailure
 * condition set from the last manageReplicas error and cleared once it succeeds.
 */
import type {
  ReplicaSet,
  ReplicaSetCondition,
  ReplicaSetStatus,
} from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isPodAvailable, isPodReady } from '../util/pod-readiness.ts';
import { rfc3339 } from '../util/rfc3339.ts';

export function calculateReplicaSetStatus(
  rs: ReplicaSet,
  pods: readonly Pod[],
  manageReplicasError: unknown,
  nowMs: number,
): ReplicaSetStatus {
  const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    if (templateLabels.every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageReplicasError !== undefined && failure === undefined) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const cond: ReplicaSetCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: rfc3339(nowMs),
      message:
        manageReplicasError instanceof Error
          ? manageReplicasError.message
          : JSON.stringify(manageReplicasError),
    };
    if (diff < 0) cond.reason = 'FailedCreate';
    else if (diff > 0) cond.reason = 'FailedDelete';
    conditions = [...conditions, cond];
  } else if (manageReplicasError === undefined && failure !== undefined) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = {
    ...rs.status,
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/** True when `status` (with observedGeneration = generation) is what the RS already has. */
export function replicaSetStatusUnchanged(rs: ReplicaSet, status: ReplicaSetStatus): boolean {
  const cur = rs.status;
  return (
    cur?.replicas === status.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
    (cur.observedGeneration ?? 0) === (rs.metadata?.generation ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(status.conditions ?? [])
  );
}
