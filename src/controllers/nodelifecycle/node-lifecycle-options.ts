/**
 * The node lifecycle controller's options (kube-controller-manager's flags of the same names)
 * with k8ts's defaults and, next to each, the upstream value and why k8ts may differ. The safety
 * argument for the faster defaults is the comment on each field: a node is declared silent only
 * after several missed lease renewals plus any API-server or etcd failover could have
 * completed, so the faster default costs extra evictions only on a partition that outlives it.
 * `UPSTREAM_NODE_LIFECYCLE` is upstream's set, one flag each away.
 */
import type { EvictionRates } from './zone-state.ts';

export interface NodeLifecycleOptions extends EvictionRates {
  /**
   * `--node-monitor-period`: how often node health is checked. Default 1 s (upstream 5 s).
   * Safe: a sampling period, not a decision threshold; it only bounds how late after the grace
   * period a silent node is noticed. Costs one pass over the cached nodes per period.
   */
  readonly nodeMonitorPeriodMs: number;
  /**
   * `--node-monitor-grace-period`: silence (no lease renewal, no new Ready heartbeat) after
   * which a node's conditions become Unknown. Default 20 s (upstream 40 s up to v1.31, 50 s
   * since v1.32). Safe as long as the node agent renews its Lease at least every 5 s (k8ts's
   * agent default; upstream's kubelet renews every 10 s and should be paired with the upstream
   * value): 20 s then covers three missed renewals plus an API-server failover (client-side
   * failover and haproxy's ~1.5 s health check) and an etcd leader election (~1 s with k8ts's
   * etcd timings). Must exceed the agent's renew interval plus its request deadline.
   */
  readonly nodeMonitorGracePeriodMs: number;
  /**
   * `--node-startup-grace-period`: the same for a node that never posted a Ready condition.
   * Default 60 s (upstream's 1 m).
   */
  readonly nodeStartupGracePeriodMs: number;
}

/** Upstream's values (v1.33), for `--node-monitor-grace-period=50s` style comparisons. */
export const UPSTREAM_NODE_LIFECYCLE: NodeLifecycleOptions = {
  nodeMonitorPeriodMs: 5_000,
  nodeMonitorGracePeriodMs: 50_000,
  nodeStartupGracePeriodMs: 60_000,
  evictionRate: 0.1,
  secondaryEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

export const NODE_LIFECYCLE_DEFAULTS: NodeLifecycleOptions = {
  nodeMonitorPeriodMs: 1_000,
  nodeMonitorGracePeriodMs: 20_000,
  nodeStartupGracePeriodMs: 60_000,
  // Upstream's: one node per zone tainted every 10 s, so a zone-wide failure is paced; the
  // first silent node is tainted at once (burst 1), which is what single-node failover needs.
  evictionRate: 0.1,
  secondaryEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

export class NodeLifecycleOptionsError extends Error {
  readonly code = 'K8TS_NODE_LIFECYCLE_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = 'NodeLifecycleOptionsError';
  }
}

/** Defaults filled in; throws a NodeLifecycleOptionsError for an inconsistent set. */
export function resolveNodeLifecycleOptions(
  o: Partial<NodeLifecycleOptions> = {},
): NodeLifecycleOptions {
  const r = { ...NODE_LIFECYCLE_DEFAULTS, ...o };
  if (!(r.nodeMonitorPeriodMs > 0))
    throw new NodeLifecycleOptionsError('node-monitor-period must be positive');
  if (!(r.nodeMonitorGracePeriodMs > r.nodeMonitorPeriodMs))
    throw new NodeLifecycleOptionsError(
      'node-monitor-grace-period must be longer than node-monitor-period',
    );
  if (!(r.nodeStartupGracePeriodMs > 0))
    throw new NodeLifecycleOptionsError('node-startup-grace-period must be positive');
  if (!(r.evictionRate >= 0) || !(r.secondaryEvictionRate >= 0))
    throw new NodeLifecycleOptionsError('eviction rates must be 0 or more');
  if (!(r.unhealthyZoneThreshold > 0 && r.unhealthyZoneThreshold <= 1))
    throw new NodeLifecycleOptionsError('unhealthy-zone-threshold must be in (0, 1]');
  return r;
}
