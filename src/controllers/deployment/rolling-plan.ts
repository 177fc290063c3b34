/**
 * The decisions of a rolling update and of proportional scaling (rolling.go, sync.go), as pure
 * functions from ReplicaSets to target sizes; the controller only applies them. Each returns
 * the ReplicaSets to resize, in the order upstream resizes them.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import {
  byCreation,
  bySizeNewer,
  bySizeOlder,
  filterActive,
  maxSurge,
  maxUnavailable,
  proportion,
  specReplicas,
  sumAvailableReplicas,
  sumReplicas,
} from './deployment-util.ts';

export interface ScaleStep {
  readonly rs: ReplicaSet;
  readonly replicas: number;
}

/**
 * How many old pods reconcileOldReplicaSets may remove now: all pods minus the minimum that
 * must stay available minus the new RS's not-yet-available pods (which may never come up).
 */
export function maxScaledDown(
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): number {
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable =
    newRS === undefined ? 0 : specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  return sumReplicas(allRSs) - minAvailable - newUnavailable;
}

/** cleanupUnhealthyReplicas: first shrink old RSs by their unavailable pods, oldest first. */
export function planCleanupUnhealthy(
  oldRSs: readonly ReplicaSet[],
  maxCleanup: number,
): ScaleStep[] {
  const steps: ScaleStep[] = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= maxCleanup) break;
    const replicas = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const down = Math.min(maxCleanup - total, replicas - available);
    steps.push({ rs, replicas: replicas - down });
    total += down;
  }
  return steps;
}

/** scaleDownOldReplicaSetsForRollingUpdate: remove available old pods above minAvailable. */
export function planScaleDownOld(
  allRSs: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
  d: Deployment,
): ScaleStep[] {
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const available = sumAvailableReplicas(allRSs);
  if (available <= minAvailable) return [];
  const totalDown = available - minAvailable;
  const steps: ScaleStep[] = [];
  let done = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (done >= totalDown) break;
    const replicas = specReplicas(rs);
    if (replicas === 0) continue;
    const down = Math.min(replicas, totalDown - done);
    steps.push({ rs, replicas: replicas - down });
    done += down;
  }
  return steps;
}

/**
 * The rolling-update branch of `scale` (sync.go): a Deployment resized mid-rollout spreads the
 * change over its active ReplicaSets in proportion to their size (bigger first; newer first
 * when growing, older first when shrinking), the rounding leftover going to the first.
 */
export function planProportionalScale(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ScaleStep[] {
  const all = filterActive([...oldRSs, newRS]);
  const allowed = specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumReplicas(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  return all.map((rs, i) => {
    let replicas = sizes[i] ?? specReplicas(rs);
    if (i === 0 && toAdd !== 0) replicas = Math.max(0, replicas + toAdd - added);
    return { rs, replicas };
  });
}
