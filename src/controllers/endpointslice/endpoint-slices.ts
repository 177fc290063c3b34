/**
 * The EndpointSlices a Service with a selector should have (upstream's endpointslice reconciler,
 * simplified), as pure functions. Every selected pod with an IP of the slice's family that is
 * not terminal becomes an endpoint with conditions ready (Ready and not terminating, or
 * publishNotReadyAddresses), serving (Ready) and terminating (deletionTimestamp set), plus its
 * nodeName, zone (the node's `topology.kubernetes.io/zone` label, when the node is known),
 * targetRef and (subdomain match) hostname. Endpoints are grouped by address type and
 * resolved port set, sorted, and cut into slices of at most `maxEndpointsPerSlice` (100). A
 * Service with no endpoints keeps one empty placeholder slice, as upstream. Reconciling against
 * existing slices reuses them in name order (update only when different), creates what is
 * missing and deletes the rest. Not upstream's churn-minimising packing: a change can rewrite
 * later slices of the same group.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import {
  compareStrings,
  findPort,
  isHeadless,
  isPodReady,
  podIPsOfFamily,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../util/service-pods.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const MAX_ENDPOINTS_PER_SLICE = 100;
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** One slice's content, before it has a name. */
export interface SliceContent {
  readonly addressType: 'IPv4' | 'IPv6';
  readonly ports: EndpointPort[];
  readonly endpoints: Endpoint[];
}

function slicePorts(pod: Pod, svc: Service): EndpointPort[] | undefined {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({
      name: sp.name ?? '',
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol === undefined ? {} : { appProtocol: sp.appProtocol }),
    });
  }
  out.sort((a, b) => compareStrings(a.name ?? '', b.name ?? '') || (a.port ?? 0) - (b.port ?? 0));
  return out;
}

const groupKey = (c: Pick<SliceContent, 'addressType' | 'ports'>): string =>
  JSON.stringify([c.addressType, c.ports]);

/**
 * `zoneOf` answers a node's zone label (upstream's podToEndpoint reads it from the node lister);
 * default: no zones.
 */
export function desiredSlices(
  svc: Service,
  pods: readonly Pod[],
  maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE,
  zoneOf: (nodeName: string) => string | undefined = () => undefined,
): SliceContent[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const families = (svc.spec?.ipFamilies ?? ['IPv4']).filter(
    (f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6',
  );
  const groups = new Map<string, SliceContent>();
  for (const addressType of families) {
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ip = podIPsOfFamily(pod, addressType)[0];
      if (ip === undefined) continue;
      const ports = slicePorts(pod, svc);
      if (ports === undefined) continue;
      const serving = isPodReady(pod);
      const terminating = pod.metadata?.deletionTimestamp != null;
      const nodeName = pod.spec?.nodeName ?? '';
      const zone = nodeName === '' ? undefined : zoneOf(nodeName);
      const endpoint: Endpoint = {
        addresses: [ip],
        conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
        ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec?.hostname ?? '' } : {}),
        ...(nodeName === '' ? {} : { nodeName }),
        ...(zone === undefined || zone === '' ? {} : { zone }),
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata?.namespace ?? '',
          name: pod.metadata?.name ?? '',
          uid: pod.metadata?.uid ?? '',
        },
      };
      const key = groupKey({ addressType, ports });
      let g = groups.get(key);
      if (g === undefined) {
        g = { addressType, ports, endpoints: [] };
        groups.set(key, g);
      }
      g.endpoints.push(endpoint);
    }
  }
  const out: SliceContent[] = [];
  for (const [, g] of [...groups.entries()].sort(([a], [b]) => compareStrings(a, b))) {
    g.endpoints.sort(
      (a, b) =>
        compareStrings(a.targetRef?.name ?? '', b.targetRef?.name ?? '') ||
        compareStrings(a.addresses[0] ?? '', b.addresses[0] ?? ''),
    );
    for (let i = 0; i < g.endpoints.length; i += maxEndpointsPerSlice)
      out.push({ ...g, endpoints: g.endpoints.slice(i, i + maxEndpointsPerSlice) });
  }
  if (out.length === 0) out.push({ addressType: families[0] ?? 'IPv4', ports: [], endpoints: [] });
  return out;
}

export function sliceLabels(svc: Service): Record<string, string> {
  const labels = Object.fromEntries(
    Object.entries(svc.metadata?.labels ?? {}).filter(([k]) => k !== HEADLESS_LABEL),
  );
  labels[SERVICE_NAME_LABEL] = svc.metadata?.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

export interface SlicePlan {
  readonly create: EndpointSlice[];
  readonly update: EndpointSlice[];
  readonly delete: EndpointSlice[];
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What to write so `existing` (this Service's managed slices) becomes `desired`. Pure. */
export function planSlices(
  svc: Service,
  desired: readonly SliceContent[],
  existing: readonly EndpointSlice[],
): SlicePlan {
  const labels = sliceLabels(svc);
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const pool = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) =>
    compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''),
  )) {
    const key = groupKey({
      addressType: s.addressType === 'IPv6' ? 'IPv6' : 'IPv4',
      ports: s.ports ?? [],
    });
    pool.set(key, [...(pool.get(key) ?? []), s]);
  }
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  for (const want of desired) {
    const reuse = pool.get(groupKey(want))?.shift();
    if (reuse === undefined) {
      plan.create.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: `${name.slice(0, 57)}-`,
          namespace,
          labels,
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              name,
              uid: svc.metadata?.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        addressType: want.addressType,
        endpoints: want.endpoints,
        ports: want.ports,
      });
      continue;
    }
    if (sameJson(reuse.endpoints, want.endpoints) && sameJson(reuse.metadata?.labels ?? {}, labels))
      continue;
    plan.update.push({
      ...reuse,
      metadata: { ...reuse.metadata, labels },
      endpoints: want.endpoints,
      ports: want.ports,
    });
  }
  for (const rest of pool.values()) plan.delete.push(...rest);
  return plan;
}
