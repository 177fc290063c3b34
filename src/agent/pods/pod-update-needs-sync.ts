/**
 * Which pod updates from the API start a pod sync (kubelet's pod config, v1.33:
 * `podsDifferSemantically` / `checkAndUpdatePod` in pkg/kubelet/config/config.go, and
 * `HandlePodReconcile` with `status.NeedToReconcilePodReadiness`). A change of spec, labels,
 * annotations, deletionTimestamp or deletionGracePeriodSeconds is an update and syncs the pod. A
 * change of status only (the agent's own `pods/status` writes coming back through its watch, or
 * another component's condition) is a "reconcile": the informer's copy is refreshed, and the pod
 * syncs only when its Ready condition no longer matches its readiness gates. Exits, crashes and
 * outside changes still reach the pod through the runtime relist (PLEG), probes and the periodic
 * resync. Pure.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { JsonValue } from '../../api/json.ts';
import { semanticEqual } from '../../api/strategies/semantic-equal.ts';
import { readiness } from './pod-status.ts';

const json = (v: unknown): JsonValue | undefined => v as JsonValue | undefined;

/**
 * True when `next` changes what the pod worker acts on. Upstream compares with
 * reflect.DeepEqual; here a missing and an empty map or list (and a field at its zero value) are
 * equal, as they decode the same, so a re-encoded but unchanged pod does not sync again.
 */
export function podsDifferSemantically(old: Pod, next: Pod): boolean {
  const a = old.metadata ?? {};
  const b = next.metadata ?? {};
  return (
    !semanticEqual(json(old.spec), json(next.spec)) ||
    !semanticEqual(json(a.labels), json(b.labels)) ||
    !semanticEqual(json(a.annotations), json(b.annotations)) ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds
  );
}

/**
 * Upstream's NeedToReconcilePodReadiness: the pod has readiness gates and its Ready condition
 * (when present) disagrees in status or message with what its containers and gate conditions
 * imply, typically because a controller has just set a gate's condition.
 */
export function needToReconcilePodReadiness(pod: Pod): boolean {
  if ((pod.spec?.readinessGates ?? []).length === 0) return false;
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  const current = conditions.find((c) => c.type === 'Ready');
  if (current === undefined) return false;
  const expected = readiness(
    pod,
    status.containerStatuses ?? [],
    status.initContainerStatuses ?? [],
    status.phase ?? '',
    conditions,
  ).pod;
  return (
    current.status !== (expected.ready ? 'True' : 'False') ||
    (current.message ?? '') !== (expected.message ?? '')
  );
}

/** Whether an update of a pod seen through the watch (or a relist) starts a pod sync. */
export function podUpdateNeedsSync(old: Pod, next: Pod): boolean {
  if (old.metadata?.uid !== next.metadata?.uid) return true;
  return podsDifferSemantically(old, next) || needToReconcilePodReadiness(next);
}
