/**
 * A pod with what the scheduler derives from it computed once (upstream's framework.PodInfo):
 * requests, host ports, its controller owner and whether it carries required (anti-)affinity.
 * Immutable; a new PodInfo is built whenever the pod object changes.
 */
import type { Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.d.ts';
import { podRequests } from './resources.ts';
import type { Resources } from './resources.ts';

export interface HostPort {
  readonly hostIP: string;
  readonly protocol: string;
  readonly port: number;
}

export interface PodInfo {
  readonly pod: Pod;
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: Resources;
  /** Requests with the scoring defaults (100m / 200Mi) for unset cpu/memory. */
  readonly nonZeroRequests: Resources;
  readonly hostPorts: readonly HostPort[];
  /** The controller ownerReference's UID (the workload the pod is a replica of), if any. */
  readonly ownerUid: string | undefined;
  readonly requiredAffinityTerms: readonly PodAffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly PodAffinityTerm[];
  readonly priority: number;
  /** Being deleted (deletionTimestamp set): spreading does not count it (upstream). */
  readonly terminating: boolean;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/**
 * True for a pod this scheduler should place: not bound yet, asking for `schedulerName`
 * (unset means `default-scheduler`), not finished and not being deleted. Pods for another
 * scheduler are left alone, as upstream leaves them to theirs.
 */
export function needsScheduling(pod: Pod, schedulerName: string): boolean {
  if ((pod.spec?.nodeName ?? '') !== '') return false;
  if ((pod.spec?.schedulerName ?? 'default-scheduler') !== schedulerName) return false;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  return pod.metadata?.deletionTimestamp === undefined;
}

export function newPodInfo(pod: Pod): PodInfo {
  const hostPorts: HostPort[] = [];
  // Upstream counts the app containers' host ports; sidecars (restartable init containers) run
  // beside them, so theirs count too. A regular init container is gone before they start.
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...sidecars, ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort === undefined || p.hostPort <= 0) continue;
      hostPorts.push({
        hostIP: p.hostIP ?? '0.0.0.0',
        protocol: p.protocol ?? 'TCP',
        port: p.hostPort,
      });
    }
  }
  const owner =
    pod.metadata?.ownerReferences?.find((r) => r.controller === true) ??
    pod.metadata?.ownerReferences?.[0];
  return {
    pod,
    key: podKey(pod),
    namespace: pod.metadata?.namespace ?? '',
    labels: pod.metadata?.labels ?? {},
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    hostPorts,
    ownerUid: owner?.uid,
    requiredAffinityTerms:
      pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    requiredAntiAffinityTerms:
      pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    priority: pod.spec?.priority ?? 0,
    terminating: pod.metadata?.deletionTimestamp !== undefined,
  };
}
