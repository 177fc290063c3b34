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
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportion,
  specReplicas,
  sumAvailableReplicas,
  sumReplicas,
} from './deployment-util.ts';

export interface ScaleStep {
  readonly rs: ReplicaSet;
  readonly replicas: number;
}

/** `rs` with spec.replicas set to `replicas` (a copy). */
function resized(rs: ReplicaSet, replicas: number): ReplicaSet {
  return { ...rs, spec: { ...rs.spec, selector: rs.spec?.selector ?? {}, replicas } };
}

/**
 * reconcileNewReplicaSet: the new ReplicaSet's next size during a rolling update, or undefined
 * when it stays as it is (too big: down to spec.replicas; else up within maxSurge).
 */
export function newReplicaSetTarget(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): number | undefined {
  const replicas = specReplicas(d);
  if (specReplicas(newRS) === replicas) return undefined;
  const target = specReplicas(newRS) > replicas ? replicas : newRSNewReplicas(d, allRSs, newRS);
  return target === specReplicas(newRS) ? undefined : target;
}

/**
 * reconcileOldReplicaSets: first the old ReplicaSets' unavailable pods go (they cannot lower
 * availability), then available old pods above minAvailable, never more in all than
 * `maxScaledDown`. Steps are in upstream's order; a ReplicaSet may appear in both phases.
 */
export function planReconcileOld(
  allRSs: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): ScaleStep[] {
  if (sumReplicas(oldRSs) === 0) return [];
  const limit = maxScaledDown(allRSs, newRS, d);
  if (limit <= 0) return [];
  const cleanup = planCleanupUnhealthy(oldRSs, limit);
  const afterCleanup = oldRSs.map((rs) => {
    const step = cleanup.find((s) => s.rs === rs);
    return step === undefined ? rs : resized(rs, step.replicas);
  });
  const all = [...afterCleanup, ...(newRS === undefined ? [] : [newRS])];
  const scaleDown = planScaleDownOld(all, afterCleanup, d).map((step) => ({
    rs: oldRSs[afterCleanup.indexOf(step.rs)] ?? step.rs,
    replicas: step.replicas,
  }));
  return [...cleanup, ...scaleDown];
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

/**
 * A ReplicaSet reports more available pods than its size: its status predates a scale-down
 * the cache already shows (the ReplicaSet controller has not written status since). Acting on
 * it would scale the ReplicaSet *up*; the sync fails and is retried, as upstream's
 * cleanupUnhealthyReplicas returns an error ("got invalid request to scale down").
 */
export class StaleReplicaSetStatusError extends Error {
  readonly code = 'K8TS_STALE_REPLICASET_STATUS';
  constructor(rs: ReplicaSet, to: number) {
    const name = `${rs.metadata?.namespace ?? ''}/${rs.metadata?.name ?? ''}`;
    super(
      `when cleaning up unhealthy replicas, got invalid request to scale down ${name} ${String(specReplicas(rs))} -> ${String(to)}`,
    );
    this.name = 'StaleReplicaSetStatusError';
  }
}

/**
 * cleanupUnhealthyReplicas: first shrink old RSs by their unavailable pods, oldest first.
 * Throws StaleReplicaSetStatusError where a status shows more available pods than replicas.
 */
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
    if (down < 0) throw new StaleReplicaSetStatusError(rs, replicas - down);
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
 * scale (sync.go), for a paused Deployment or a replicas change: a lone active (or else the
 * newest) ReplicaSet takes spec.replicas; a saturated new ReplicaSet leaves the old ones at 0;
 * otherwise a rolling Deployment scales every active ReplicaSet proportionally.
 */
export function planScale(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ScaleStep[] {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest !== undefined) {
    return specReplicas(activeOrLatest) === specReplicas(d)
      ? []
      : [{ rs: activeOrLatest, replicas: specReplicas(d) }];
  }
  if (isSaturated(d, newRS)) return filterActive(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];
  return planProportionalScale(d, newRS, oldRSs);
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
