/**
 * The CRI PodSandboxConfig of a pod (kubelet's generatePodSandboxConfig, v1.33): metadata with
 * the attempt, hostname, log directory (`/var/log/pods/<ns>_<name>_<uid>`), DNS per dnsPolicy
 * (ClusterFirst with the cluster DNS servers and search path, Default from the host's
 * resolv.conf, None from dnsConfig only, dnsConfig merged last), port mappings, namespace modes
 * (hostNetwork/hostPID/hostIPC/shareProcessNamespace), sysctls, the pod security context and
 * the cgroup parent. Pure given its inputs.
 */
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type {
  DNSConfig,
  NamespaceOption,
  PodSandboxConfig,
  PortMapping,
  Protocol,
} from '../cri/cri-types.ts';
import { sandboxLabels } from './runtime-labels.ts';

export interface ClusterDns {
  /** kubelet's --cluster-dns. Empty: ClusterFirst falls back to the host's resolv.conf. */
  readonly servers: readonly string[];
  /** kubelet's --cluster-domain. Default: cluster.local. */
  readonly domain: string;
  /** The host's resolv.conf (kubelet's --resolv-conf), as text. */
  readonly hostResolvConf: string;
}

export interface SandboxConfigInput {
  readonly pod: Pod;
  readonly attempt: number;
  readonly podLogsDir: string;
  readonly cgroupParent: string;
  readonly dns: ClusterDns;
}

export function podLogDirectory(podLogsDir: string, pod: Pod): string {
  const m = pod.metadata;
  return join(podLogsDir, `${m?.namespace ?? 'default'}_${m?.name ?? ''}_${m?.uid ?? ''}`);
}

export function parseResolvConf(text: string): Required<DNSConfig> {
  const out: Required<DNSConfig> = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [word, ...rest] = line.split(/\s+/);
    if (word === 'nameserver' && rest[0] !== undefined) out.servers.push(rest[0]);
    else if (word === 'search') out.searches = rest;
    else if (word === 'options') out.options.push(...rest);
  }
  return out;
}

/** kubelet's DNS configurer: the resolv.conf a pod gets. */
export function podDnsConfig(pod: Pod, dns: ClusterDns): DNSConfig {
  const spec = pod.spec;
  const policy = spec?.dnsPolicy ?? 'ClusterFirst';
  const host = parseResolvConf(dns.hostResolvConf);
  let base: Required<DNSConfig>;
  const clusterFirst =
    (policy === 'ClusterFirst' && spec?.hostNetwork !== true) ||
    policy === 'ClusterFirstWithHostNet';
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (clusterFirst && dns.servers.length > 0) {
    const ns = pod.metadata?.namespace ?? 'default';
    base = {
      servers: [...dns.servers],
      searches: [
        `${ns}.svc.${dns.domain}`,
        `svc.${dns.domain}`,
        dns.domain,
        ...host.searches,
      ].slice(0, 32),
      options: ['ndots:5'],
    };
  } else base = host;
  const extra = spec?.dnsConfig;
  if (extra !== undefined) {
    base.servers = [...base.servers, ...(extra.nameservers ?? [])];
    base.searches = [...base.searches, ...(extra.searches ?? [])];
    const options = new Map<string, string>();
    for (const o of base.options) {
      const [k = '', v] = o.split(':');
      options.set(k, o.includes(':') ? `${k}:${v ?? ''}` : k);
    }
    for (const o of extra.options ?? [])
      options.set(
        o.name ?? '',
        o.value === undefined ? (o.name ?? '') : `${o.name ?? ''}:${o.value}`,
      );
    base.options = [...options.values()];
  }
  return base;
}

export function namespaceOptions(pod: Pod): NamespaceOption {
  const spec = pod.spec;
  return {
    network: spec?.hostNetwork === true ? 'NODE' : 'POD',
    pid:
      spec?.hostPID === true ? 'NODE' : spec?.shareProcessNamespace === true ? 'POD' : 'CONTAINER',
    ipc: spec?.hostIPC === true ? 'NODE' : 'POD',
  };
}

export function buildSandboxConfig(input: SandboxConfigInput): PodSandboxConfig {
  const { pod } = input;
  const meta = pod.metadata;
  const spec = pod.spec;
  const identity = {
    uid: meta?.uid ?? '',
    name: meta?.name ?? '',
    namespace: meta?.namespace ?? 'default',
  };
  const ports: PortMapping[] = [];
  for (const c of spec?.containers ?? [])
    for (const p of c.ports ?? [])
      ports.push({
        protocol: (p.protocol ?? 'TCP') as Protocol,
        container_port: p.containerPort,
        host_port: p.hostPort ?? 0,
        host_ip: p.hostIP ?? '',
      });
  const sc = spec?.securityContext;
  const sysctls: Record<string, string> = {};
  for (const s of sc?.sysctls ?? []) sysctls[s.name] = s.value;
  const hostname = (spec?.hostname ?? meta?.name ?? '').slice(0, 63).replace(/[-.]+$/, '');
  return {
    metadata: { ...identity, attempt: input.attempt },
    hostname: spec?.hostNetwork === true ? '' : hostname,
    log_directory: podLogDirectory(input.podLogsDir, pod),
    dns_config: podDnsConfig(pod, input.dns),
    port_mappings: ports,
    labels: sandboxLabels(identity, meta?.labels ?? {}),
    annotations: { ...meta?.annotations },
    linux: {
      cgroup_parent: input.cgroupParent,
      security_context: {
        namespace_options: namespaceOptions(pod),
        ...(sc?.runAsUser === undefined ? {} : { run_as_user: { value: sc.runAsUser } }),
        ...(sc?.runAsGroup === undefined ? {} : { run_as_group: { value: sc.runAsGroup } }),
        ...(sc?.supplementalGroups === undefined
          ? {}
          : { supplemental_groups: sc.supplementalGroups }),
        ...(sc?.fsGroup === undefined
          ? {}
          : { supplemental_groups: [...(sc.supplementalGroups ?? []), sc.fsGroup] }),
      },
      sysctls,
    },
  };
}
