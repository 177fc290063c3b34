/**
 * What the endpoints and endpointslice controllers share (upstream's `endpointslice/util` and
 * `podutil`): which pods a Service selects, whether a pod belongs in its endpoints, which
 * container port a service port targets (named ports resolved per pod), and when a pod's
 * hostname is published. Pure.
 */
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.d.ts';

/** The Service's selector, or undefined when it has none (such Services are left alone). */
export function serviceSelector(svc: Service): Readonly<Record<string, string>> | undefined {
  const sel = svc.spec?.selector;
  return sel === undefined || Object.keys(sel).length === 0 ? undefined : sel;
}

export function selects(selector: Readonly<Record<string, string>>, pod: Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The `namespace/name` keys of the Services (in the pod's namespace) that select `pod`. */
export function servicesSelecting(services: readonly Service[], pod: Pod): string[] {
  const out: string[] = [];
  for (const svc of services) {
    if (svc.metadata?.namespace !== pod.metadata?.namespace) continue;
    const sel = serviceSelector(svc);
    if (sel !== undefined && selects(sel, pod))
      out.push(`${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`);
  }
  return out;
}

export const isPodReady = (pod: Pod): boolean =>
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** upstream's ShouldPodBeInEndpoints: has an IP, not terminal, not terminating unless asked. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  if ((pod.status?.podIP ?? '') === '' && (pod.status?.podIPs ?? []).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp != null) return false;
  return true;
}

/** upstream's ShouldSetHostname: the pod's subdomain names this Service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (
    (pod.spec?.hostname ?? '') !== '' &&
    pod.spec?.subdomain === svc.metadata?.name &&
    pod.metadata?.namespace === svc.metadata?.namespace
  );
}

/**
 * upstream's podutil.FindPort: a numeric targetPort is used as is (none: the service port); a
 * named one is the container port of that name and protocol, or undefined when the pod has none.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort;
  if (target === undefined) return port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

/** The pod's IPs of one family (`IPv4`/`IPv6`). */
export function podIPsOfFamily(pod: Pod, family: string): string[] {
  const ips = (pod.status?.podIPs ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]));
  if (ips.length === 0 && pod.status?.podIP !== undefined) ips.push(pod.status.podIP);
  return ips.filter((ip) => (family === 'IPv6') === ip.includes(':'));
}

export const isHeadless = (svc: Service): boolean => svc.spec?.clusterIP === 'None';

export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
