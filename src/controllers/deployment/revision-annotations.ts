/**
 * The annotations a Deployment keeps on its ReplicaSets (deployment_util.go): the revision
 * (`deployment.kubernetes.io/revision`, what `kubectl rollout history/undo` read), the revisions
 * an RS served before being reused (`revision-history`), and the Deployment's desired and
 * maximum replicas at the RS's last scale (what proportional scaling divides by). The
 * Deployment's own annotations are copied onto its new RS, except these and kubectl's
 * last-applied-configuration.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
const SKIPPED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);
/** Upstream's default --max-revision-history-length-in-chars... kept as its constant 2000. */
const MAX_REVISION_HISTORY_CHARS = 2000;

/** The RS's revision; 0 when absent or unparsable (upstream's Revision). */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata?.annotations?.[REVISION_ANNOTATION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function annotationsOf(rs: ReplicaSet): Record<string, string> {
  rs.metadata ??= {};
  rs.metadata.annotations ??= {};
  return rs.metadata.annotations;
}

/** ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(
  rs: ReplicaSet,
  desired: number,
  max: number,
): boolean {
  const a = rs.metadata?.annotations ?? {};
  return (
    a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

/** SetReplicasAnnotations (mutates `rs`); true when something changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  const a = annotationsOf(rs);
  a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  a[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}

/**
 * SetNewReplicaSetAnnotations (mutates `rs`): copies the Deployment's annotations, raises the
 * revision to `newRevision` (recording the old one in revision-history), and for a new RS sets
 * the replicas annotations. True when something changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
  maxSurgeReplicas: number,
): boolean {
  let changed = false;
  const a = annotationsOf(rs);
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (SKIPPED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldRevision = a[REVISION_ANNOTATION];
  if (oldRevision !== undefined && oldRevision !== '' && !/^\d+$/.test(oldRevision)) return false;
  const oldRevisionInt = oldRevision === undefined || oldRevision === '' ? 0 : Number(oldRevision);
  if (oldRevisionInt < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined && oldRevision !== '') {
      const history = a[REVISION_HISTORY_ANNOTATION];
      let list = history === undefined || history === '' ? [] : history.split(',');
      list.push(oldRevision);
      while (list.length > 1 && list.join(',').length > MAX_REVISION_HISTORY_CHARS)
        list = list.slice(1);
      a[REVISION_HISTORY_ANNOTATION] = list.join(',');
    }
  }
  const replicas = d.spec?.replicas ?? 1;
  if (!exists && setReplicasAnnotations(rs, replicas, replicas + maxSurgeReplicas)) changed = true;
  return changed;
}
