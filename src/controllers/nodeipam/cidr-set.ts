/**
 * Upstream's cidrset (pkg/controller/nodeipam/ipam/cidrset): the cluster CIDR cut into node
 * subnets of one mask size, a bitmap of the ones in use, allocation round-robin from the
 * subnet after the last one handed out (so a released subnet is not reused at once), and
 * occupy/release for subnets already assigned. IPv4 only: k8ts's CNI bridge is IPv4 only, so
 * an IPv6 cluster CIDR is refused with a CidrSetError rather than half supported.
 */

export class CidrSetError extends Error {
  readonly code: 'K8TS_CIDR_INVALID' | 'K8TS_CIDR_FULL' | 'K8TS_CIDR_OUT_OF_RANGE';
  constructor(code: CidrSetError['code'], message: string) {
    super(message);
    this.name = 'CidrSetError';
    this.code = code;
  }
}

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`, requiring the host bits to be zero as Go's net.ParseCIDR normalizes. */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (m === null) {
    if (text.includes(':'))
      throw new CidrSetError('K8TS_CIDR_INVALID', `${text}: IPv6 CIDRs are not supported by k8ts`);
    throw new CidrSetError('K8TS_CIDR_INVALID', `invalid CIDR address: ${text}`);
  }
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32)
    throw new CidrSetError('K8TS_CIDR_INVALID', `invalid CIDR address: ${text}`);
  const addr = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

export function formatIpv4Cidr(c: Ipv4Cidr): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(c.base / 2 ** shift) % 256);
  return `${o.join('.')}/${String(c.prefix)}`;
}

const overlaps = (a: Ipv4Cidr, b: Ipv4Cidr): boolean => {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
};

/** Upstream's limit on node subnets per cluster CIDR: 2^16. */
const MAX_PREFIX_DIFFERENCE = 16;

export class CidrSet {
  readonly cluster: Ipv4Cidr;
  readonly nodeMaskSize: number;
  readonly #used: Uint8Array;
  #next = 0;
  #allocated = 0;

  constructor(clusterCidr: string, nodeMaskSize: number) {
    this.cluster = parseIpv4Cidr(clusterCidr);
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < this.cluster.prefix || nodeMaskSize > 32)
      throw new CidrSetError(
        'K8TS_CIDR_INVALID',
        `node CIDR mask size ${String(nodeMaskSize)} must be between the cluster CIDR's ${String(this.cluster.prefix)} and 32`,
      );
    if (nodeMaskSize - this.cluster.prefix > MAX_PREFIX_DIFFERENCE)
      throw new CidrSetError(
        'K8TS_CIDR_INVALID',
        `CIDRSet: the difference between the cluster mask (${String(this.cluster.prefix)}) and the node mask (${String(nodeMaskSize)}) is more than ${String(MAX_PREFIX_DIFFERENCE)}`,
      );
    this.nodeMaskSize = nodeMaskSize;
    this.#used = new Uint8Array(2 ** (nodeMaskSize - this.cluster.prefix));
  }

  get capacity(): number {
    return this.#used.length;
  }

  get allocatedCount(): number {
    return this.#allocated;
  }

  #subnet(i: number): Ipv4Cidr {
    return {
      base: this.cluster.base + i * 2 ** (32 - this.nodeMaskSize),
      prefix: this.nodeMaskSize,
    };
  }

  /** The indexes of the node subnets `cidr` overlaps; throws when outside the cluster CIDR. */
  #indexes(cidr: Ipv4Cidr | string): number[] {
    const c = typeof cidr === 'string' ? parseIpv4Cidr(cidr) : cidr;
    if (!overlaps(c, this.cluster))
      throw new CidrSetError(
        'K8TS_CIDR_OUT_OF_RANGE',
        `${formatIpv4Cidr(c)} is not in the cluster CIDR ${formatIpv4Cidr(this.cluster)}`,
      );
    const step = 2 ** (32 - this.nodeMaskSize);
    const start = Math.max(c.base, this.cluster.base);
    const end = Math.min(c.base + 2 ** (32 - c.prefix), this.cluster.base + step * this.capacity);
    const out: number[] = [];
    for (let b = start - ((start - this.cluster.base) % step); b < end; b += step)
      out.push((b - this.cluster.base) / step);
    return out;
  }

  /** AllocateNext: the next free node subnet after the last one handed out. */
  allocateNext(): string {
    for (let n = 0; n < this.capacity; n++) {
      const i = (this.#next + n) % this.capacity;
      if (this.#used[i] === 0) {
        this.#used[i] = 1;
        this.#allocated++;
        this.#next = (i + 1) % this.capacity;
        return formatIpv4Cidr(this.#subnet(i));
      }
    }
    throw new CidrSetError(
      'K8TS_CIDR_FULL',
      'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range',
    );
  }

  /** Occupy: marks every node subnet `cidr` overlaps as used (existing assignments, the service range). */
  occupy(cidr: Ipv4Cidr | string): void {
    for (const i of this.#indexes(cidr)) {
      if (this.#used[i] === 0) this.#allocated++;
      this.#used[i] = 1;
    }
  }

  /** Occupies `cidr` if it overlaps the cluster CIDR at all; answers whether it did. */
  occupyIfOverlapping(cidr: string): boolean {
    const c = parseIpv4Cidr(cidr);
    if (!overlaps(c, this.cluster)) return false;
    this.occupy(c);
    return true;
  }

  release(cidr: string): void {
    for (const i of this.#indexes(cidr)) {
      if (this.#used[i] === 1) this.#allocated--;
      this.#used[i] = 0;
    }
  }

  isUsed(cidr: string): boolean {
    return this.#indexes(cidr).some((i) => this.#used[i] === 1);
  }
}
