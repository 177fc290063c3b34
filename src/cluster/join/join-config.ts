/**
 * What `k8ts join` (a worker) is asked to do: kubeadm's JoinConfiguration fields k8ts uses — the
 * API server endpoint, the discovery and TLS-bootstrap tokens, the CA pins — plus this node's
 * registration. Validated once; bad input throws JoinConfigError naming the flag, never echoing
 * a token.
 */
import { hostname } from 'node:os';
import { isIPv4 } from 'node:net';
import { BootstrapToken } from '../../pki/bootstrap-token.ts';
import { parseIpv4Cidr } from '../../util/ipv4-cidr.ts';
import { clusterPaths } from '../cluster-paths.ts';
import type { ClusterPaths } from '../cluster-paths.ts';
import { InitConfigError, checkNodeName, checkPort } from '../init/init-config.ts';
import { DEFAULT_KUBELET_PORT } from '../node-registration.ts';
import type { CgroupDriver } from '../node-registration.ts';

export class JoinConfigError extends Error {
  readonly code = 'JOIN_INVALID_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'JoinConfigError';
  }
}

export interface JoinFlags {
  /** `host:port` of the API server (kubeadm's positional argument). */
  readonly endpoint: string | undefined;
  /** Default for both tokens below. */
  readonly token?: string;
  readonly discoveryToken?: string;
  readonly tlsBootstrapToken?: string;
  readonly caCertHashes?: readonly string[];
  /** Default: false. */
  readonly unsafeSkipCaVerification?: boolean;
  /** Default: `/`. */
  readonly rootfs?: string;
  /** Default: the host name. */
  readonly nodeName?: string;
  /** Default: the local address that reached the API server. */
  readonly nodeIp?: string;
  /** Default: unix:///var/run/containerd/containerd.sock. */
  readonly criSocket?: string;
  /** Default: the cluster's (kubelet-config), else what the runtime uses. */
  readonly cgroupDriver?: CgroupDriver;
  /** Default: 10250. */
  readonly kubeletPort?: number;
  /** This node's pod CIDR while the cluster assigns none (the agent's --pod-cidr). */
  readonly podCidr?: string;
  readonly ignorePreflightErrors?: readonly string[];
  /** Default: 5 min (kubeadm's DiscoveryTimeout). */
  readonly discoveryTimeoutMs?: number;
  /** Default: 5 min (kubeadm's TLSBootstrapTimeout). */
  readonly tlsBootstrapTimeoutMs?: number;
  /** Waiting for the agent to register the Node. Default: 4 min (KubeletHealthCheckTimeout). */
  readonly kubeletTimeoutMs?: number;
}

export interface JoinConfig {
  readonly rootfs: string;
  readonly paths: ClusterPaths;
  readonly endpoint: string;
  readonly discoveryToken: BootstrapToken;
  readonly tlsBootstrapToken: BootstrapToken;
  readonly caCertHashes: readonly string[];
  readonly unsafeSkipCaVerification: boolean;
  readonly nodeName: string;
  readonly nodeIp: string | undefined;
  /** `--cri-socket` as given (undefined: kubeadm's default, or a containerd k8ts runs). */
  readonly criSocket: string | undefined;
  readonly cgroupDriver: CgroupDriver | undefined;
  readonly kubeletPort: number;
  readonly podCidr: string | undefined;
  readonly ignorePreflightErrors: readonly string[];
  readonly discoveryTimeoutMs: number;
  readonly tlsBootstrapTimeoutMs: number;
  readonly kubeletTimeoutMs: number;
}

function token(flag: string, value: string | undefined): BootstrapToken {
  if (value === undefined || value === '')
    throw new JoinConfigError(`${flag} is required (the token from "k8ts token create")`);
  try {
    return BootstrapToken.parse(value);
  } catch {
    throw new JoinConfigError(
      `${flag}: the token does not match the format [a-z0-9]{6}.[a-z0-9]{16}`,
    );
  }
}

export function resolveJoinConfig(flags: JoinFlags): JoinConfig {
  const endpoint = flags.endpoint;
  if (endpoint === undefined || endpoint === '')
    throw new JoinConfigError(
      'give the API server endpoint, e.g. "k8ts join 10.0.0.1:6443 --token ... --discovery-token-ca-cert-hash sha256:..."',
    );
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(endpoint))
    throw new JoinConfigError(`the endpoint ${JSON.stringify(endpoint)} is not host:port`);
  const rootfs = flags.rootfs ?? '/';
  if (flags.podCidr !== undefined && parseIpv4Cidr(flags.podCidr) === undefined)
    throw new JoinConfigError(`--pod-cidr: ${JSON.stringify(flags.podCidr)} is not an IPv4 CIDR`);
  if (flags.nodeIp !== undefined && !isIPv4(flags.nodeIp))
    throw new JoinConfigError(`--node-ip: ${JSON.stringify(flags.nodeIp)} is not an IPv4 address`);
  let nodeName: string;
  let kubeletPort: number;
  try {
    nodeName = checkNodeName(flags.nodeName ?? hostname());
    kubeletPort = checkPort('--kubelet-port', flags.kubeletPort ?? DEFAULT_KUBELET_PORT);
  } catch (err: unknown) {
    throw new JoinConfigError(err instanceof InitConfigError ? err.message : String(err));
  }
  return {
    rootfs,
    paths: clusterPaths(rootfs),
    endpoint,
    discoveryToken: token(
      flags.discoveryToken === undefined ? '--token' : '--discovery-token',
      flags.discoveryToken ?? flags.token,
    ),
    tlsBootstrapToken: token(
      flags.tlsBootstrapToken === undefined ? '--token' : '--tls-bootstrap-token',
      flags.tlsBootstrapToken ?? flags.token,
    ),
    caCertHashes: flags.caCertHashes ?? [],
    unsafeSkipCaVerification: flags.unsafeSkipCaVerification ?? false,
    nodeName,
    nodeIp: flags.nodeIp,
    criSocket: flags.criSocket,
    cgroupDriver: flags.cgroupDriver,
    kubeletPort,
    podCidr: flags.podCidr,
    ignorePreflightErrors: flags.ignorePreflightErrors ?? [],
    discoveryTimeoutMs: flags.discoveryTimeoutMs ?? 300_000,
    tlsBootstrapTimeoutMs: flags.tlsBootstrapTimeoutMs ?? 300_000,
    kubeletTimeoutMs: flags.kubeletTimeoutMs ?? 240_000,
  };
}
