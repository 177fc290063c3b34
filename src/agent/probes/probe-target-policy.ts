/**
 * Where the agent may send network probes (a k8ts rule; upstream probes any host): the node's
 * own IP, and addresses of the node's pod CIDR that the host reaches directly through the
 * node's CNI bridge (the main routing table's best route for the address is the bridge's own,
 * without a gateway). So a probe never leaves the machine: not to a pod IP whose bridge is gone
 * or not up yet (the host would send it to its default gateway), not to a host the spec names
 * outside the pod network. Reads /proc/net/route on each call (a few hundred bytes).
 */
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { endianness } from 'node:os';
import { ipv4ToNumber, parseIpv4Cidr } from '../../util/ipv4-cidr.ts';

export interface ProbeTargetPolicyOptions {
  readonly nodeIp: string;
  /** The node's pod CIDR, once known. */
  readonly podCidr: () => string | undefined;
  /** The node's CNI bridge device. */
  readonly bridge: string;
  /** The text of /proc/net/route. Default: read it. */
  readonly readRoutes?: (() => string) | undefined;
}

interface Route {
  readonly iface: string;
  readonly destination: number;
  readonly gateway: number;
  readonly mask: number;
  readonly up: boolean;
  readonly metric: number;
}

const RTF_UP = 0x1;

/** /proc/net/route's hex words hold the address in host byte order. */
function hexAddress(hex: string): number {
  const bytes = Buffer.from(hex.padStart(8, '0'), 'hex');
  if (endianness() === 'LE') bytes.reverse();
  return bytes.readUInt32BE(0);
}

export function parseRoutes(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface = '', dest = '', gw = '', flags = '', , , metric = '0', mask = ''] = f;
    routes.push({
      iface,
      destination: hexAddress(dest),
      gateway: hexAddress(gw),
      mask: hexAddress(mask),
      up: (parseInt(flags, 16) & RTF_UP) !== 0,
      metric: Number(metric),
    });
  }
  return routes;
}

const maskBits = (mask: number): number => mask.toString(2).replace(/0/g, '').length;

/** The route the kernel's main table picks for `ip` (longest prefix, then lowest metric). */
export function bestRoute(routes: readonly Route[], ip: string): Route | undefined {
  const n = ipv4ToNumber(ip);
  let best: Route | undefined;
  for (const r of routes) {
    if (!r.up || (n & r.mask) >>> 0 !== r.destination) continue;
    if (
      best === undefined ||
      maskBits(r.mask) > maskBits(best.mask) ||
      (maskBits(r.mask) === maskBits(best.mask) && r.metric < best.metric)
    )
      best = r;
  }
  return best;
}

export function probeTargetPolicy(o: ProbeTargetPolicyOptions): (ip: string) => boolean {
  const readRoutes = o.readRoutes ?? (() => readFileSync('/proc/net/route', 'utf8'));
  return (ip) => {
    if (ip === o.nodeIp) return true;
    const cidrText = o.podCidr();
    const cidr = cidrText === undefined ? undefined : parseIpv4Cidr(cidrText);
    if (cidr === undefined || !isIPv4(ip)) return false;
    const mask = cidr.bits === 0 ? 0 : (0xffffffff << (32 - cidr.bits)) >>> 0;
    if ((ipv4ToNumber(ip) & mask) >>> 0 !== cidr.network) return false;
    let routes: Route[];
    try {
      routes = parseRoutes(readRoutes());
    } catch {
      return false;
    }
    const route = bestRoute(routes, ip);
    return route !== undefined && route.iface === o.bridge && route.gateway === 0;
  };
}
