/**
 * The Endpoints object a Service with a selector should have (upstream's endpoints controller
 * syncService + RepackSubsets), as a pure function: ready pods under `addresses`, the rest under
 * `notReadyAddresses` (all ready with publishNotReadyAddresses), terminating pods left out,
 * each address with its nodeName, targetRef and (subdomain match) hostname; pods grouped into
 * subsets by the ports they resolve to, sorted so equal inputs give equal output. At most
 * `maxAddresses` (1000) addresses are kept; beyond that the object is marked over capacity.
 */
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Pod,
  Service,
} from 'kubernetes-types/core/v1.d.ts';
import {
  compareStrings,
  findPort,
  isHeadless,
  isPodReady,
  podIPsOfFamily,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../util/service-pods.ts';

export const MAX_ENDPOINT_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface DesiredEndpoints {
  readonly subsets: EndpointSubset[];
  readonly labels: Record<string, string>;
  readonly overCapacity: boolean;
}

function endpointPorts(pod: Pod, svc: Service): EndpointPort[] | undefined {
  const ports: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    ports.push({
      ...(sp.name === undefined ? {} : { name: sp.name }),
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol === undefined ? {} : { appProtocol: sp.appProtocol }),
    });
  }
  if ((svc.spec?.ports ?? []).length === 0) return isHeadless(svc) ? [] : undefined;
  return ports.length === 0 ? undefined : ports;
}

const byIpAndUid = (a: EndpointAddress, b: EndpointAddress): number =>
  compareStrings(a.ip, b.ip) || compareStrings(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');

export function desiredEndpoints(
  svc: Service,
  pods: readonly Pod[],
  maxAddresses = MAX_ENDPOINT_ADDRESSES,
): DesiredEndpoints {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const family = svc.spec?.ipFamilies?.[0] ?? 'IPv4';
  const groups = new Map<
    string,
    { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }
  >();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = podIPsOfFamily(pod, family)[0];
    if (ip === undefined) continue;
    const ports = endpointPorts(pod, svc);
    if (ports === undefined) continue;
    ports.sort((a, b) => compareStrings(a.name ?? '', b.name ?? '') || a.port - b.port);
    const address: EndpointAddress = {
      ip,
      ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec?.hostname ?? '' } : {}),
      ...(pod.spec?.nodeName === undefined || pod.spec.nodeName === ''
        ? {}
        : { nodeName: pod.spec.nodeName }),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        uid: pod.metadata?.uid ?? '',
      },
    };
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (g === undefined) {
      g = { ports, ready: [], notReady: [] };
      groups.set(key, g);
    }
    if (publishNotReady || isPodReady(pod)) g.ready.push(address);
    else g.notReady.push(address);
  }
  let budget = maxAddresses;
  let overCapacity = false;
  const subsets: EndpointSubset[] = [];
  const ordered = [...groups.entries()].sort(([a], [b]) => compareStrings(a, b));
  for (const [, g] of ordered) {
    g.ready.sort(byIpAndUid);
    g.notReady.sort(byIpAndUid);
    const ready = g.ready.slice(0, Math.max(0, budget));
    budget -= ready.length;
    const notReady = g.notReady.slice(0, Math.max(0, budget));
    budget -= notReady.length;
    if (ready.length < g.ready.length || notReady.length < g.notReady.length) overCapacity = true;
    if (ready.length === 0 && notReady.length === 0) continue;
    subsets.push({
      ...(ready.length === 0 ? {} : { addresses: ready }),
      ...(notReady.length === 0 ? {} : { notReadyAddresses: notReady }),
      ...(g.ports.length === 0 ? {} : { ports: g.ports }),
    });
  }
  const labels = Object.fromEntries(
    Object.entries(svc.metadata?.labels ?? {}).filter(([k]) => k !== HEADLESS_LABEL),
  );
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return { subsets, labels, overCapacity };
}
