/**
 * How the node lifecycle controller judges a node alive (upstream's tryUpdateNodeHealth,
 * node_lifecycle_controller.go v1.33): it keeps, per node, the local time it last saw a sign of
 * life (a new Ready heartbeat or a renewed `kube-node-lease/<node>` Lease), and once that is
 * older than the grace period it flips Ready, MemoryPressure, DiskPressure and PIDPressure to
 * Unknown ("Kubelet stopped posting node status."). Local times, not the timestamps the node
 * wrote, so clock skew between nodes does not matter (as upstream). Pure functions.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.d.ts';
import { rfc3339 } from '../util/rfc3339.ts';
import { timeMs } from '../util/pod-readiness.ts';

export interface NodeHealth {
  /** Local time of the last sign of life. */
  readonly probeMs: number;
  /** Local time the Ready condition was last seen to change. */
  readonly readyTransitionMs: number;
  /** The node status as last seen. */
  readonly status: NodeStatus;
  /** The lease renewTime as last seen (ms), if any. */
  readonly leaseRenewMs?: number | undefined;
}

export const readyCondition = (status: NodeStatus | undefined): NodeCondition | undefined =>
  status?.conditions?.find((c) => c.type === 'Ready');

/** Renew time of a Lease in ms (MicroTime), 0 when unset. */
export const leaseRenewMs = (lease: Lease | undefined): number =>
  timeMs(lease?.spec?.renewTime ?? undefined);

/**
 * The health record after looking at `node` and its `lease` at local time `nowMs`: the probe
 * time moves when the Ready heartbeat changed or the lease was renewed.
 */
export function observeNodeHealth(
  prev: NodeHealth | undefined,
  node: Node,
  lease: Lease | undefined,
  nowMs: number,
): NodeHealth {
  const status = node.status ?? {};
  const current = readyCondition(status);
  const saved = readyCondition(prev?.status);
  const createdMs = timeMs(node.metadata?.creationTimestamp);
  let health: NodeHealth;
  if (current === undefined) {
    // Never posted: counted from the node's creation (with the startup grace period).
    health = prev ?? { probeMs: createdMs, readyTransitionMs: createdMs, status };
    health = { ...health, status };
  } else if (prev === undefined || saved === undefined) {
    health = { probeMs: nowMs, readyTransitionMs: nowMs, status };
  } else if (saved.lastHeartbeatTime !== current.lastHeartbeatTime) {
    const transitioned = saved.lastTransitionTime !== current.lastTransitionTime;
    health = {
      probeMs: nowMs,
      readyTransitionMs: transitioned ? nowMs : prev.readyTransitionMs,
      status,
      leaseRenewMs: prev.leaseRenewMs,
    };
  } else {
    health = { ...prev, status };
  }
  const renew = leaseRenewMs(lease);
  if (lease !== undefined && (health.leaseRenewMs === undefined || health.leaseRenewMs < renew))
    health = { ...health, leaseRenewMs: renew, probeMs: nowMs };
  return health;
}

/** The grace period a node gets: longer while it has never posted a Ready condition. */
export function gracePeriodMs(
  node: Node,
  o: { readonly nodeMonitorGracePeriodMs: number; readonly nodeStartupGracePeriodMs: number },
): number {
  return readyCondition(node.status) === undefined
    ? o.nodeStartupGracePeriodMs
    : o.nodeMonitorGracePeriodMs;
}

const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/**
 * The node's conditions once its agent has been silent past the grace period: each monitored
 * condition Unknown (added as NodeStatusNeverUpdated when the agent never posted it). Returns
 * undefined when nothing changes (already Unknown).
 */
export function silentNodeConditions(node: Node, nowMs: number): NodeCondition[] | undefined {
  const now = rfc3339(nowMs);
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED) {
    const c = conditions.find((x) => x.type === type);
    if (c === undefined) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
