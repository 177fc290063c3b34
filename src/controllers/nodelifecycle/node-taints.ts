/**
 * The taints the node lifecycle controller owns (upstream's nodeConditionToTaintKeyStatusMap,
 * doNoScheduleTaintingPass and SwapNodeControllerTaint): NoSchedule taints mirror the node's
 * conditions (Ready False -> not-ready, Unknown -> unreachable, pressure conditions,
 * spec.unschedulable) so the scheduler keeps new pods away at once; the NoExecute not-ready /
 * unreachable taints (which evict) are added by the rate-limited tainting pass, mutually
 * exclusive as the Ready condition is. Taints of others are never touched. Pure functions.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.d.ts';
import { rfc3339 } from '../util/rfc3339.ts';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

/** condition type -> condition status -> taint key. */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const CONDITION_TAINT_KEYS = new Set(
  Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)),
);

const sameTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

export const taintExists = (taints: readonly Taint[] | undefined, t: Taint): boolean =>
  (taints ?? []).some((x) => sameTaint(x, t));

/** The NoSchedule taints the node's conditions call for. */
export function conditionTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key !== undefined) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable === true)
    out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

/** doNoScheduleTaintingPass: the controller-owned NoSchedule taints to add and to remove. */
export function noScheduleTaintDiff(node: Node): { add: Taint[]; remove: Taint[] } {
  const wanted = conditionTaints(node);
  const owned = (node.spec?.taints ?? []).filter(
    (t) =>
      t.effect === 'NoSchedule' &&
      (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)),
  );
  return {
    add: wanted.filter((t) => !taintExists(owned, t)),
    remove: owned.filter((t) => !taintExists(wanted, t)),
  };
}

/**
 * The node's taints with `add` added (timeAdded now, for NoExecute ones) and `remove` removed;
 * undefined when that changes nothing.
 */
export function swapTaints(
  taints: readonly Taint[] | undefined,
  add: readonly Taint[],
  remove: readonly Taint[],
  nowMs: number,
): Taint[] | undefined {
  const current = [...(taints ?? [])];
  let next = current.filter((t) => !remove.some((r) => sameTaint(r, t)));
  for (const t of add) {
    if (taintExists(next, t)) continue;
    next = [...next, t.effect === 'NoExecute' ? { ...t, timeAdded: rfc3339(nowMs) } : { ...t }];
  }
  const unchanged = next.length === current.length && next.every((t) => taintExists(current, t));
  return unchanged ? undefined : next;
}

/** The NoExecute taint the Ready condition calls for, and the opposite one it replaces. */
export function noExecuteTaintFor(
  readyStatus: string | undefined,
): { add: Taint; remove: Taint } | undefined {
  if (readyStatus === 'False') return { add: NOT_READY_NO_EXECUTE, remove: UNREACHABLE_NO_EXECUTE };
  if (readyStatus === 'Unknown')
    return { add: UNREACHABLE_NO_EXECUTE, remove: NOT_READY_NO_EXECUTE };
  return undefined;
}
