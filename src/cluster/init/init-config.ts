/**
 * What `k8ts init` is asked to build: kubeadm's InitConfiguration/ClusterConfiguration fields
 * that k8ts uses, with kubeadm's defaults, resolved once from the flags and shared by every
 * phase. Carries the bootstrap token (a secret: never log the object).
 */
import { hostname, networkInterfaces } from 'node:os';
import { isIPv4 } from 'node:net';
import { BootstrapToken, DEFAULT_TOKEN_TTL_MS } from '../../pki/index.ts';
import { clusterPaths } from '../cluster-paths.ts';
import type { ClusterPaths } from '../cluster-paths.ts';

export type Datastore = 'etcd' | 'sqlite';

/** Control-plane components k8ts can run besides etcd and the API server. */
export type OptionalComponent = 'kube-controller-manager' | 'kube-scheduler';

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
  /** Default: etcd. */
  readonly datastore?: Datastore;
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
  /** Which optional components have a `k8ts <component>` command. Default: none. */
  readonly components?: readonly OptionalComponent[];
  /** Bound on waiting for /readyz. Default: 60,000 ms. */
  readonly apiReadyTimeoutMs?: number;
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
  readonly etcdClientPort: number;
  readonly etcdPeerPort: number;
  readonly token: BootstrapToken;
  readonly tokenTtlMs: number;
  readonly ignorePreflightErrors: readonly string[];
  readonly serviceCidr: string;
  readonly serviceIp: string;
  readonly components: readonly OptionalComponent[];
  readonly apiReadyTimeoutMs: number;
  readonly clusterName: string;
  readonly dnsDomain: string;
}

function defaultAdvertiseAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** The first host address of an IPv4 CIDR (10.96.0.0/12 -> 10.96.0.1). */
export function firstServiceIp(cidr: string): string {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (base === undefined || !isIPv4(base) || !Number.isInteger(bits) || bits < 1 || bits > 30)
    throw new Error(`--service-cidr: not an IPv4 CIDR: ${cidr}`);
  const n = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const first = ((n & mask) >>> 0) + 1;
  return [24, 16, 8, 0].map((s) => String((first >>> s) & 255)).join('.');
}

function checkPort(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}: not a port`);
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

export function resolveInitConfig(flags: InitFlags): InitConfig {
  const rootfs = flags.rootfs ?? '/';
  const advertiseAddress = flags.advertiseAddress ?? defaultAdvertiseAddress();
  const bindPort = checkPort('--bind-port', flags.bindPort ?? 6443);
  const nodeName = (flags.nodeName ?? hostname()).toLowerCase();
  const serviceCidr = flags.serviceCidr ?? '10.96.0.0/12';
  return {
    rootfs,
    paths: clusterPaths(rootfs),
    advertiseAddress,
    bindPort,
    nodeName,
    controlPlaneEndpoint: withPort(flags.controlPlaneEndpoint ?? advertiseAddress, bindPort),
    hasExplicitControlPlaneEndpoint: flags.controlPlaneEndpoint !== undefined,
    datastore: flags.datastore ?? 'etcd',
    etcdClientPort: checkPort('--etcd-client-port', flags.etcdClientPort ?? 2379),
    etcdPeerPort: checkPort('--etcd-peer-port', flags.etcdPeerPort ?? 2380),
    token:
      flags.token === undefined ? BootstrapToken.generate() : BootstrapToken.parse(flags.token),
    tokenTtlMs: flags.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
    ignorePreflightErrors: (flags.ignorePreflightErrors ?? []).map((e) => e.toLowerCase()),
    serviceCidr,
    serviceIp: firstServiceIp(serviceCidr),
    components: flags.components ?? [],
    apiReadyTimeoutMs: flags.apiReadyTimeoutMs ?? 60_000,
    clusterName: 'kubernetes',
    dnsDomain: 'cluster.local',
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
