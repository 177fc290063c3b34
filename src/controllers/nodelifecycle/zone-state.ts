/**
 * Disruption handling (upstream's ComputeZoneState, handleDisruption, HealthyQPSFunc and
 * ReducedQPSFunc): nodes are grouped by zone; a zone with no Ready node is in full disruption,
 * one with more than two and at least `unhealthyZoneThreshold` of its nodes not Ready in
 * partial disruption. The rate at which NoExecute taints (and so evictions) are added follows:
 * normal rate, a reduced one (0 below `largeClusterSizeThreshold` nodes) in partial disruption,
 * and none at all when every zone is fully disrupted, since then the control plane, not the
 * nodes, is the likely failure. Pure functions.
 */
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.d.ts';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface EvictionRates {
  /** `--node-eviction-rate`: nodes tainted per second per zone. */
  readonly evictionRate: number;
  /** `--secondary-node-eviction-rate`: the rate in a partially disrupted large zone. */
  readonly secondaryEvictionRate: number;
  /** `--large-cluster-size-threshold`: zones up to this size stop evicting when partly down. */
  readonly largeClusterSizeThreshold: number;
  /** `--unhealthy-zone-threshold`: fraction of not-Ready nodes that marks partial disruption. */
  readonly unhealthyZoneThreshold: number;
}

/** topology.GetZoneKey: region and zone labels (or the beta ones), '' when unlabelled. */
export function zoneKey(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region =
    l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone =
    l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

/** ComputeZoneState: the zone's state and its count of not-Ready nodes. */
export function computeZoneState(
  readyConditions: readonly (NodeCondition | undefined)[],
  unhealthyZoneThreshold: number,
): { state: ZoneState; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === 'True') ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return { state: 'FullDisruption', notReady };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyZoneThreshold)
    return { state: 'PartialDisruption', notReady };
  return { state: 'Normal', notReady };
}

/** setLimiterInZone: the tainting rate (per second) for a zone of `size` nodes in `state`. */
export function zoneEvictionRate(state: ZoneState, size: number, r: EvictionRates): number {
  switch (state) {
    case 'PartialDisruption':
      return size > r.largeClusterSizeThreshold ? r.secondaryEvictionRate : 0;
    case 'Initial':
    case 'Normal':
    case 'FullDisruption':
      return r.evictionRate;
  }
}

/**
 * handleDisruption's decision: each zone's new tainting rate, and whether every zone is fully
 * disrupted (then nothing is tainted and the controller's NoExecute taints are lifted).
 */
export function disruptionDecision(
  zones: ReadonlyMap<string, readonly (NodeCondition | undefined)[]>,
  r: EvictionRates,
): { allFullyDisrupted: boolean; states: Map<string, ZoneState>; rates: Map<string, number> } {
  const states = new Map<string, ZoneState>();
  const rates = new Map<string, number>();
  let allFullyDisrupted = zones.size > 0;
  for (const [zone, conditions] of zones) {
    const { state } = computeZoneState(conditions, r.unhealthyZoneThreshold);
    if (state !== 'FullDisruption') allFullyDisrupted = false;
    states.set(zone, state);
    rates.set(zone, zoneEvictionRate(state, conditions.length, r));
  }
  if (allFullyDisrupted) for (const zone of zones.keys()) rates.set(zone, 0);
  return { allFullyDisrupted, states, rates };
}
