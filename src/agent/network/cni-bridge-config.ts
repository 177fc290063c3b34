/**
 * The CNI network of a node: one Linux bridge with the node's pod CIDR, addresses handed out by
 * host-local IPAM (state under the node's root), the bridge as the pods' gateway. The agent
 * writes it as `<confDir>/10-k8ts.conflist` (atomically, and only when the content changes);
 * containerd watches that directory and reports NetworkReady once a config is there.
 * Not configured: `portmap` (hostPort) and, unless asked for, masquerading, so that nothing
 * touches the host's iptables.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CniBridgeOptions {
  /** Linux bridge name (at most 15 characters). */
  readonly bridge: string;
  /** The node's pod CIDR, e.g. `10.244.1.0/24`. */
  readonly podCidr: string;
  /** host-local's allocation state. */
  readonly ipamDataDir: string;
  /** Masquerade pod traffic that leaves the pod CIDR (iptables). Default: false. */
  readonly ipMasq?: boolean | undefined;
}

export const CNI_CONFLIST_NAME = '10-k8ts.conflist';

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export class CniConfigError extends Error {
  readonly code = 'AGENT_CNI_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'CniConfigError';
  }
}

/** Validates an IPv4 CIDR with room for a gateway and pods (prefix 8..29). */
export function parsePodCidr(cidr: string): { network: string; prefix: number } {
  const m = IPV4_CIDR.exec(cidr);
  const octets = m?.slice(1, 5).map(Number);
  const prefix = Number(m?.[5]);
  if (
    m === null ||
    octets === undefined ||
    octets.some((o) => o > 255) ||
    prefix < 8 ||
    prefix > 29
  )
    throw new CniConfigError(
      `pod CIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR with a prefix between /8 and /29`,
    );
  return { network: octets.join('.'), prefix };
}

export function cniBridgeConflist(options: CniBridgeOptions): Record<string, unknown> {
  parsePodCidr(options.podCidr);
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(options.bridge))
    throw new CniConfigError(
      `bridge name ${JSON.stringify(options.bridge)} is not a valid link name`,
    );
  return {
    cniVersion: '0.4.0',
    // The network name prefixes libcni's cache files (/var/lib/cni/results/<name>-<id>-eth0):
    // naming it after the bridge keeps several nodes on one machine apart.
    name: options.bridge,
    plugins: [
      {
        type: 'bridge',
        bridge: options.bridge,
        isGateway: true,
        ipMasq: options.ipMasq ?? false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: options.ipamDataDir,
          ranges: [[{ subnet: options.podCidr }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
    ],
  };
}

/** Writes the conflist into `confDir`; returns true when the file changed. */
export function writeCniBridgeConfig(confDir: string, options: CniBridgeOptions): boolean {
  const text = `${JSON.stringify(cniBridgeConflist(options), null, 2)}\n`;
  const path = join(confDir, CNI_CONFLIST_NAME);
  try {
    if (readFileSync(path, 'utf8') === text) return false;
  } catch {
    // absent: write it
  }
  mkdirSync(confDir, { recursive: true, mode: 0o755 });
  mkdirSync(options.ipamDataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  // containerd reads only *.conf, *.conflist and *.json: the temp name is never picked up.
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
  return true;
}

/** True when `ip` (IPv4) lies inside `cidr`. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const toInt = (s: string): number | undefined => {
    const parts = s.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
      return undefined;
    return (
      (((parts[0] ?? 0) << 24) |
        ((parts[1] ?? 0) << 16) |
        ((parts[2] ?? 0) << 8) |
        (parts[3] ?? 0)) >>>
      0
    );
  };
  const [net = '', bits = ''] = cidr.split('/');
  const a = toInt(ip);
  const b = toInt(net);
  const prefix = Number(bits);
  if (a === undefined || b === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    return false;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (a & mask) === (b & mask);
}
