/**
 * What `k8ts init` is asked to build: kubeadm's InitConfiguration/ClusterConfiguration fields
 * that k8ts uses, with kubeadm's defaults, resolved and validated once from the flags and shared
 * by every phase. Carries the bootstrap token (a secret: never log the object). Bad input throws
 * InitConfigError with the flag's name and what to give instead.
 */
import { hostname, networkInterfaces } from 'node:os';
import { isIP, isIPv4 } from 'node:net';
import { isDNS1123Subdomain } from '../../api/validation/names.ts';
// The light pki modules only: this runs in every `k8ts init`, before any certificate work.
import { BootstrapToken } from '../../pki/bootstrap-token.ts';
import { DEFAULT_TOKEN_TTL_MS } from '../../pki/bootstrap-token-secret.ts';
import { clusterPaths } from '../cluster-paths.ts';
import type { ClusterPaths } from '../cluster-paths.ts';
import { parseIpv4Cidr } from '../../util/ipv4-cidr.ts';
import { DEFAULT_CRI_SOCKET, DEFAULT_KUBELET_PORT } from '../node-registration.ts';
import type { CgroupDriver, NodeRegistration } from '../node-registration.ts';

/**
 * * `etcd` - a stacked etcd member on this node (kubeadm's default)
 * * `sqlite` - the embedded SQLite store in the API server (one server, no HA)
 * * `external-etcd` - an etcd cluster k8ts does not run (kubeadm's `etcd.external`)
 */
export type Datastore = 'etcd' | 'sqlite' | 'external-etcd';

/** kubeadm's `etcd.external`: endpoints and the client TLS files the API server uses. */
export interface ExternalEtcd {
  readonly endpoints: readonly string[];
  /** Default: none (then plain http endpoints, or the system roots). */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface InitFlags {
  /** Default: `/`. */
  readonly rootfs?: string;
  /** Default: the first non-loopback IPv4 address, else 127.0.0.1. */
  readonly advertiseAddress?: string;
  /** Default: 6443. */
  readonly bindPort?: number;
  /** Default: the host name, lower-cased. */
  readonly nodeName?: string;
  /** `host[:port]`; default: advertise address and bind port. */
  readonly controlPlaneEndpoint?: string;
  /** Default: etcd (external-etcd when `externalEtcd` is set). */
  readonly datastore?: 'etcd' | 'sqlite';
  readonly externalEtcd?: ExternalEtcd;
  /** Default: 2379. */
  readonly etcdClientPort?: number;
  /** Default: 2380. */
  readonly etcdPeerPort?: number;
  /** `[a-z0-9]{6}.[a-z0-9]{16}`; default: generated. */
  readonly token?: string;
  /** Default: 24 h; 0 = never expires. */
  readonly tokenTtlMs?: number;
  /** Check names (or `all`) whose errors become warnings. Default: none. */
  readonly ignorePreflightErrors?: readonly string[];
  /** Default: 10.96.0.0/12 (the API service IP is its first address). */
  readonly serviceCidr?: string;
  /** Pod network; default: none (no node CIDR allocation). */
  readonly podNetworkCidr?: string;
  /** Default: cluster.local. */
  readonly serviceDnsDomain?: string;
  /** Extra SANs of the API server certificate. Default: none. */
  readonly apiServerCertExtraSans?: readonly string[];
  /** Default: kubeadm's unix:///var/run/containerd/containerd.sock, else a containerd k8ts runs. */
  readonly criSocket?: string;
  /** Default: what the container runtime reports (preflight), else cgroupfs. */
  readonly cgroupDriver?: CgroupDriver;
  /** The agent's HTTPS port. Default: 10250. */
  readonly kubeletPort?: number;
  /** This node's pod CIDR while the cluster assigns none (the agent's --pod-cidr). Default: none. */
  readonly podCidr?: string;
  /** Bound on waiting for /readyz. Default: 240,000 ms (kubeadm's 4 min). */
  readonly apiReadyTimeoutMs?: number;
  /** Phases not to run (kubeadm's --skip-phases). Default: none. */
  readonly skipPhases?: readonly string[];
}

export interface InitConfig {
  readonly rootfs: string;
  readonly paths: ClusterPaths;
  readonly advertiseAddress: string;
  readonly bindPort: number;
  readonly nodeName: string;
  /** `host:port` that clients and joining nodes use. */
  readonly controlPlaneEndpoint: string;
  readonly hasExplicitControlPlaneEndpoint: boolean;
  readonly datastore: Datastore;
  readonly externalEtcd: ExternalEtcd | undefined;
  readonly etcdClientPort: number;
  readonly etcdPeerPort: number;
  readonly token: BootstrapToken;
  readonly tokenTtlMs: number;
  readonly ignorePreflightErrors: readonly string[];
  readonly serviceCidr: string;
  readonly serviceIp: string;
  readonly podNetworkCidr: string | undefined;
  readonly apiServerCertExtraSans: readonly string[];
  readonly apiReadyTimeoutMs: number;
  readonly skipPhases: readonly string[];
  readonly clusterName: string;
  readonly dnsDomain: string;
  /** This node's agent (kubelet) settings; `node.criSocket` is settled at pre-flight. */
  readonly node: NodeRegistration;
  /** `--cri-socket` as given (undefined: kubeadm's default, or a containerd k8ts runs). */
  readonly criSocketFlag: string | undefined;
}

export class InitConfigError extends Error {
  readonly code = 'INIT_INVALID_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'InitConfigError';
  }
}

function isValidDnsName(name: string): boolean {
  return isDNS1123Subdomain(name).length === 0;
}

export function defaultAdvertiseAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** The first host address of an IPv4 CIDR (10.96.0.0/12 -> 10.96.0.1). */
export function firstServiceIp(cidr: string): string {
  const parsed = parseIpv4Cidr(cidr);
  if (parsed === undefined || parsed.bits > 30)
    throw new InitConfigError(
      `--service-cidr: ${JSON.stringify(cidr)} is not an IPv4 CIDR of /30 or larger (e.g. 10.96.0.0/12)`,
    );
  const first = parsed.network + 1;
  return [24, 16, 8, 0].map((s) => String((first >>> s) & 255)).join('.');
}

export function checkPort(flag: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InitConfigError(`${flag}: ${String(port)} is not a port (1-65535)`);
  return port;
}

/** `host:port` with the bind port added when absent (IPv6 in brackets). */
export function withPort(endpoint: string, port: number): string {
  if (/^\[.*\]:\d+$/.test(endpoint) || /^[^:]+:\d+$/.test(endpoint)) return endpoint;
  return endpoint.includes(':') ? `[${endpoint}]:${String(port)}` : `${endpoint}:${String(port)}`;
}

/** The host part of `host:port`. */
export function endpointHost(endpoint: string): string {
  const m = /^\[(.*)\](?::\d+)?$/.exec(endpoint);
  if (m?.[1] !== undefined) return m[1];
  return endpoint.replace(/:\d+$/, '');
}

/** A node name as kubeadm validates it (a DNS subdomain, lower case). */
export function checkNodeName(name: string): string {
  const lower = name.toLowerCase();
  if (!isValidDnsName(lower) || lower.length > 253)
    throw new InitConfigError(
      `--node-name: ${JSON.stringify(name)} is not a valid node name (a lower-case DNS subdomain)`,
    );
  return lower;
}

function checkEndpoint(endpoint: string): string {
  const host = endpointHost(endpoint);
  const port = /:(\d+)$/.exec(endpoint)?.[1];
  if ((isIP(host) === 0 && !isValidDnsName(host)) || (port !== undefined && Number(port) > 65535))
    throw new InitConfigError(
      `--control-plane-endpoint: ${JSON.stringify(endpoint)} is not host[:port] (e.g. lb.example:6443)`,
    );
  return endpoint;
}

function resolveDatastore(flags: InitFlags): Datastore {
  if (flags.externalEtcd !== undefined) {
    if (flags.datastore === 'sqlite')
      throw new InitConfigError(
        '--datastore sqlite and --external-etcd-endpoints exclude each other',
      );
    if (flags.externalEtcd.endpoints.length === 0)
      throw new InitConfigError('--external-etcd-endpoints: give at least one URL');
    for (const e of flags.externalEtcd.endpoints) {
      if (!/^https?:\/\/[^/]+$/.test(e))
        throw new InitConfigError(
          `--external-etcd-endpoints: ${JSON.stringify(e)} is not an http(s)://host:port URL`,
        );
    }
    return 'external-etcd';
  }
  return flags.datastore ?? 'etcd';
}

export function resolveInitConfig(flags: InitFlags): InitConfig {
  const rootfs = flags.rootfs ?? '/';
  const advertiseAddress = flags.advertiseAddress ?? defaultAdvertiseAddress();
  if (!isIPv4(advertiseAddress))
    throw new InitConfigError(
      `--apiserver-advertise-address: ${JSON.stringify(advertiseAddress)} is not an IPv4 address`,
    );
  const bindPort = checkPort('--apiserver-bind-port', flags.bindPort ?? 6443);
  const nodeName = checkNodeName(flags.nodeName ?? hostname());
  const serviceCidr = flags.serviceCidr ?? '10.96.0.0/12';
  const podNetworkCidr = flags.podNetworkCidr;
  if (podNetworkCidr !== undefined && parseIpv4Cidr(podNetworkCidr) === undefined)
    throw new InitConfigError(
      `--pod-network-cidr: ${JSON.stringify(podNetworkCidr)} is not an IPv4 CIDR (e.g. 10.244.0.0/16)`,
    );
  if (flags.podCidr !== undefined && parseIpv4Cidr(flags.podCidr) === undefined)
    throw new InitConfigError(
      `--pod-cidr: ${JSON.stringify(flags.podCidr)} is not an IPv4 CIDR (e.g. 10.244.1.0/24)`,
    );
  const dnsDomain = flags.serviceDnsDomain ?? 'cluster.local';
  if (!isValidDnsName(dnsDomain))
    throw new InitConfigError(`--service-dns-domain: ${JSON.stringify(dnsDomain)} is not a domain`);
  const ttl = flags.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
  if (!Number.isFinite(ttl) || ttl < 0)
    throw new InitConfigError('--token-ttl: give a duration such as 24h, or 0 for no expiry');
  let token: BootstrapToken;
  try {
    token =
      flags.token === undefined ? BootstrapToken.generate() : BootstrapToken.parse(flags.token);
  } catch {
    // The message must not echo the value: it is a secret.
    throw new InitConfigError(
      '--token: the token does not match the format [a-z0-9]{6}.[a-z0-9]{16} (run "k8ts token generate" for one)',
    );
  }
  return {
    rootfs,
    paths: clusterPaths(rootfs),
    advertiseAddress,
    bindPort,
    nodeName,
    controlPlaneEndpoint: checkEndpoint(
      withPort(flags.controlPlaneEndpoint ?? advertiseAddress, bindPort),
    ),
    hasExplicitControlPlaneEndpoint: flags.controlPlaneEndpoint !== undefined,
    datastore: resolveDatastore(flags),
    externalEtcd: flags.externalEtcd,
    etcdClientPort: checkPort('--etcd-client-port', flags.etcdClientPort ?? 2379),
    etcdPeerPort: checkPort('--etcd-peer-port', flags.etcdPeerPort ?? 2380),
    token,
    tokenTtlMs: ttl,
    ignorePreflightErrors: (flags.ignorePreflightErrors ?? []).map((e) => e.toLowerCase()),
    serviceCidr,
    serviceIp: firstServiceIp(serviceCidr),
    podNetworkCidr,
    apiServerCertExtraSans: flags.apiServerCertExtraSans ?? [],
    apiReadyTimeoutMs: flags.apiReadyTimeoutMs ?? 240_000,
    skipPhases: flags.skipPhases ?? [],
    clusterName: 'kubernetes',
    dnsDomain,
    node: {
      name: nodeName,
      nodeIp: advertiseAddress,
      criSocket: flags.criSocket ?? DEFAULT_CRI_SOCKET,
      cgroupDriver: flags.cgroupDriver,
      kubeletPort: checkPort('--kubelet-port', flags.kubeletPort ?? DEFAULT_KUBELET_PORT),
      labels: {},
      taints: [],
      ...(flags.podCidr === undefined ? {} : { podCidr: flags.podCidr }),
    },
    criSocketFlag: flags.criSocket,
  };
}

/** `https://<advertise>:<port>`: this node's own API server. */
export function localApiServerUrl(config: InitConfig): string {
  const host = config.advertiseAddress.includes(':')
    ? `[${config.advertiseAddress}]`
    : config.advertiseAddress;
  return `https://${host}:${String(config.bindPort)}`;
}

/** True for 127.0.0.0/8 and ::1: such a node binds only its own address (several per host). */
export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

export function etcdClientUrl(config: InitConfig): string {
  return `https://${config.advertiseAddress}:${String(config.etcdClientPort)}`;
}

export function etcdPeerUrl(config: InitConfig): string {
  return `https://${config.advertiseAddress}:${String(config.etcdPeerPort)}`;
}
