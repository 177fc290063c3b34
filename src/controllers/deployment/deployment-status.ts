/**
 * A Deployment's status from its ReplicaSets (sync.go calculateStatus, progress.go
 * syncRolloutStatus, deployment_util.go's condition helpers), with upstream's reasons and
 * messages, which `kubectl rollout status` reads:
 * - `Available`: True/MinimumReplicasAvailable once available >= replicas - maxUnavailable.
 * - `Progressing`: NewReplicaSetCreated / FoundNewReplicaSet / ReplicaSetUpdated while moving,
 *   NewReplicaSetAvailable when complete, False/ProgressDeadlineExceeded when stuck past
 *   progressDeadlineSeconds; DeploymentPaused/DeploymentResumed as Unknown.
 * Conditions keep their lastTransitionTime while their status holds, and are left untouched
 * (same times) when status and reason are unchanged, so an idle sync writes nothing.
 */
import type {
  Deployment,
  DeploymentCondition,
  DeploymentStatus,
  ReplicaSet,
  ReplicaSetCondition,
} from 'kubernetes-types/apps/v1.d.ts';
import { rfc3339 } from '../util/rfc3339.ts';
import { canonicalJson } from './pod-template-hash.ts';
import { timeMs } from '../util/pod-readiness.ts';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  hasProgressDeadline,
  maxUnavailable,
  specReplicas,
  sumActualReplicas,
  sumAvailableReplicas,
  sumReadyReplicas,
  sumReplicas,
} from './deployment-util.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export function newCondition(
  type: string,
  status: ConditionStatus,
  reason: string,
  message: string,
  nowMs: number,
): DeploymentCondition {
  const t = rfc3339(nowMs);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export function getCondition(
  s: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition (mutates `s`): no-op when status and reason are unchanged. */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur !== undefined && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur?.status === c.status && cur.lastTransitionTime !== undefined)
    next.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (s.conditions === undefined) return;
  s.conditions = s.conditions.filter((c) => c.type !== type);
}

/**
 * checkPausedConditions: the Progressing condition a pause or resume calls for (Unknown,
 * DeploymentPaused / DeploymentResumed), or undefined when none is due: no progress deadline,
 * already timed out, or already recorded.
 */
export function pausedCondition(d: Deployment, nowMs: number): DeploymentCondition | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === 'ProgressDeadlineExceeded') return undefined;
  const pausedCond = cond?.reason === 'DeploymentPaused';
  const paused = d.spec?.paused === true;
  if (paused && !pausedCond)
    return newCondition(
      'Progressing',
      'Unknown',
      'DeploymentPaused',
      'Deployment is paused',
      nowMs,
    );
  if (!paused && pausedCond)
    return newCondition(
      'Progressing',
      'Unknown',
      'DeploymentResumed',
      'Deployment is resumed',
      nowMs,
    );
  return undefined;
}

/** calculateStatus: counts over all ReplicaSets plus the Available condition. */
export function calculateStatus(
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  nowMs: number,
): DeploymentStatus {
  const available = sumAvailableReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sumActualReplicas(allRSs),
    updatedReplicas: sumActualReplicas([newRS]),
    readyReplicas: sumReadyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumReplicas(allRSs) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  for (const c of d.status?.conditions ?? []) setCondition(status, { ...c });
  if (available >= specReplicas(d) - maxUnavailable(d))
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        'MinimumReplicasAvailable',
        'Deployment has minimum availability.',
        nowMs,
      ),
    );
  else
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        nowMs,
      ),
    );
  return status;
}

/** The first ReplicaFailure of the new RS, else of the old ones (getReplicaFailures). */
function replicaFailure(
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
): ReplicaSetCondition | undefined {
  const failureOf = (rs: ReplicaSet): ReplicaSetCondition | undefined =>
    rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (newRS !== undefined) {
    const c = failureOf(newRS);
    if (c !== undefined) return c;
  }
  for (const rs of allRSs) {
    const c = failureOf(rs);
    if (c !== undefined) return c;
  }
  return undefined;
}

/** The status syncRolloutStatus writes: calculateStatus plus Progressing and ReplicaFailure. */
export function rolloutStatus(
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  nowMs: number,
): DeploymentStatus {
  const s = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const cur = getCondition(d.status, 'Progressing');
  const isComplete = s.replicas === s.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
  const name = d.metadata?.name ?? '';
  const rsName = newRS?.metadata?.name;
  if (hasProgressDeadline(d) && !isComplete) {
    if (deploymentComplete(d, s)) {
      const msg =
        rsName === undefined
          ? `Deployment "${name}" has successfully progressed.`
          : `ReplicaSet "${rsName}" has successfully progressed.`;
      setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', msg, nowMs));
    } else if (deploymentProgressing(d, s)) {
      const msg =
        rsName === undefined
          ? `Deployment "${name}" is progressing.`
          : `ReplicaSet "${rsName}" is progressing.`;
      const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', msg, nowMs);
      if (cur !== undefined) {
        if (cur.status === 'True' && cur.lastTransitionTime !== undefined)
          c.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(s, 'Progressing');
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, nowMs)) {
      const msg =
        rsName === undefined
          ? `Deployment "${name}" has timed out progressing.`
          : `ReplicaSet "${rsName}" has timed out progressing.`;
      setCondition(s, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', msg, nowMs));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure !== undefined) {
    const c: DeploymentCondition = { type: 'ReplicaFailure', status: failure.status };
    if (failure.reason !== undefined) c.reason = failure.reason;
    if (failure.message !== undefined) c.message = failure.message;
    if (failure.lastTransitionTime !== undefined) {
      c.lastTransitionTime = failure.lastTransitionTime;
      c.lastUpdateTime = failure.lastTransitionTime;
    }
    setCondition(s, c);
  } else removeCondition(s, 'ReplicaFailure');
  return s;
}

/**
 * requeueStuckDeployment: when to look at a rollout still in progress again so that the sync
 * that marks it ProgressDeadlineExceeded happens: undefined when nothing is due (no deadline, no
 * Progressing condition yet, complete, or already timed out), 0 when the deadline is less than a
 * second away or past (upstream then requeues rate-limited), else one second past the deadline.
 */
export function msUntilProgressDeadline(
  d: Deployment,
  s: DeploymentStatus,
  nowMs: number,
): number | undefined {
  const c = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || c === undefined) return undefined;
  if (deploymentComplete(d, s) || c.reason === 'ProgressDeadlineExceeded') return undefined;
  const after = timeMs(c.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - nowMs;
  return after < 1000 ? 0 : after + 1000;
}

/** Status equality as reflect.DeepEqual sees our JSON. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined): string =>
    canonicalJson({
      observedGeneration: s?.observedGeneration ?? 0,
      replicas: s?.replicas ?? 0,
      updatedReplicas: s?.updatedReplicas ?? 0,
      readyReplicas: s?.readyReplicas ?? 0,
      availableReplicas: s?.availableReplicas ?? 0,
      unavailableReplicas: s?.unavailableReplicas ?? 0,
      collisionCount: s?.collisionCount,
      conditions: s?.conditions ?? [],
    });
  return norm(a) === norm(b);
}
