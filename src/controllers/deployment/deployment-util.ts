/**
 * The pure arithmetic of deployment_util.go (v1.33): maxSurge/maxUnavailable from ints or
 * percents (surge rounds up, unavailable down, never both 0), how far the new ReplicaSet may
 * grow, replica sums over ReplicaSets, which ReplicaSet is new and which are old, saturation,
 * proportional scaling shares, and the rollout predicates (complete, progressing, timed out).
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { equalIgnoreHash } from './pod-template-hash.ts';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  revisionOf,
} from './revision-annotations.ts';
import { timeMs } from '../util/pod-readiness.ts';

/** A ReplicaSet's spec.replicas (defaulted to 1 as the API server defaults it). */
export const specReplicas = (rs: { spec?: { replicas?: number } } | undefined): number =>
  rs?.spec?.replicas ?? 1;

export const isRollingUpdate = (d: Deployment): boolean =>
  (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** intstr.GetScaledValueFromIntOrPercent; undefined for a malformed value. */
export function scaledValue(
  v: number | string,
  total: number,
  roundUp: boolean,
): number | undefined {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (m === null) return undefined;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export class InvalidIntOrPercentError extends Error {
  readonly code = 'K8TS_INVALID_INT_OR_PERCENT';
  constructor(value: string) {
    super(`invalid value for IntOrString: invalid value ${JSON.stringify(value)}`);
    this.name = 'InvalidIntOrPercentError';
  }
}

/**
 * ResolveFenceposts: [surge, unavailable] for `desired` replicas; surge rounds up, unavailable
 * down, and unavailable is 1 when both would be 0. Unset counts as 0 (the API server defaults
 * both to 25 %); a malformed value throws (validation refuses it, so a sync that meets one is
 * retried with backoff, as upstream's error return).
 */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): [number, number] {
  const resolve = (v: number | string | undefined, roundUp: boolean): number => {
    if (v === undefined) return 0;
    const n = scaledValue(v, desired, roundUp);
    if (n === undefined) throw new InvalidIntOrPercentError(String(v));
    return n;
  };
  const surge = resolve(maxSurge, true);
  let unavailable = resolve(maxUnavailable, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

function fenceposts(d: Deployment): [number, number] {
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, specReplicas(d));
}

/** MaxUnavailable: 0 for Recreate or 0 replicas, capped at replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d)[1], replicas);
}

/** MaxSurge: 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
}

export const sumReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs === undefined ? 0 : specReplicas(rs)), 0);
export const sumActualReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReadyReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailableReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/** NewRSNewReplicas: the new ReplicaSet's next size. */
export function newRSNewReplicas(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = sumReplicas(allRSs);
  const maxTotal = replicas + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = timeMs(a.metadata?.creationTimestamp);
  const tb = timeMs(b.metadata?.creationTimestamp);
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** ReplicaSetsByRevision: lowest revision first, then oldest. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  return ra === rb ? byCreation(a, b) : ra - rb;
}

/** ReplicaSetsBySizeOlder (larger first, then older) / BySizeNewer (larger first, then newer). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(a) === specReplicas(b) ? byCreation(a, b) : specReplicas(b) - specReplicas(a);
}
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(a) === specReplicas(b) ? byCreation(b, a) : specReplicas(b) - specReplicas(a);
}

/**
 * cleanupDeployment's choice: of the old ReplicaSets not already being deleted, the lowest
 * revisions beyond `revisionHistoryLimit` (none when unset), skipping any that still has pods
 * or whose status lags its spec.
 */
export function replicaSetsToCleanUp(
  oldRSs: readonly ReplicaSet[],
  revisionHistoryLimit: number | undefined,
): ReplicaSet[] {
  if (revisionHistoryLimit === undefined) return [];
  const alive = oldRSs.filter((rs) => rs.metadata?.deletionTimestamp == null).sort(byRevision);
  const diff = alive.length - revisionHistoryLimit;
  return alive
    .slice(0, Math.max(0, diff))
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        specReplicas(rs) === 0 &&
        (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}

export const filterActive = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] =>
  rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(
  d: Deployment,
  rsList: readonly ReplicaSet[],
): ReplicaSet | undefined {
  return [...rsList]
    .sort(byCreation)
    .find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets (all of them, the second result upstream). */
export function findOldReplicaSets(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => newRS === undefined || rs.metadata?.uid !== newRS.metadata?.uid);
}

/** FindActiveOrLatest: the one active ReplicaSet, else the newest when none is active. */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ReplicaSet | undefined {
  if (newRS === undefined && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined =>
  intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);

/** IsSaturated: the new RS runs exactly the desired replicas, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (rs === undefined) return false;
  const replicas = specReplicas(d);
  return (
    specReplicas(rs) === replicas &&
    desiredReplicasAnnotation(rs) === replicas &&
    (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** GetProportion: this RS's share of `toAdd` when a rollout is scaled proportionally. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = specReplicas(d) + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
  // Go divides float64s: by 0 gives +Inf, which RoundToInt32 saturates.
  const size = (specReplicas(rs) * deploymentReplicas) / annotated;
  const rounded = Number.isFinite(size) ? roundHalfAway(size) : 2 ** 31 - 1;
  return rounded - specReplicas(rs);
}

export const hasProgressDeadline = (d: Deployment): boolean =>
  d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2 ** 31 - 1;

/** DeploymentComplete. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = specReplicas(d);
  return (
    (s.updatedReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === replicas &&
    (s.availableReplicas ?? 0) === replicas &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/** DeploymentProgressing: some measure moved forward since `d.status`. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: no progress for progressDeadlineSeconds since the last update. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = s.conditions?.find((x) => x.type === 'Progressing');
  if (c === undefined || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  return timeMs(c.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}
