/**
 * IPv4 CIDRs as 32-bit numbers (`10.244.0.0/16` -> network 0x0af40000, 16 bits). Pure. A CIDR
 * whose address has host bits set is normalized to its network (Go's net.ParseCIDR does too).
 */
import { isIPv4 } from 'node:net';

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  /** Prefix length, 0-32. */
  readonly bits: number;
}

export function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => String((n >>> s) & 255)).join('.');
}

/** The parsed CIDR, or undefined when `text` is not `a.b.c.d/n`. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (m?.[1] === undefined || m[2] === undefined || !isIPv4(m[1])) return undefined;
  const bits = Number(m[2]);
  if (bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (ipv4ToNumber(m[1]) & mask) >>> 0, bits };
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  return `${numberToIpv4(cidr.network)}/${String(cidr.bits)}`;
}
