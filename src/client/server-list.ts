/**
 * The API servers a client may talk to, in the order it tries them: the server that answered
 * last comes first (sticky, so a healthy connection is reused), then the configured servers
 * (the kubeconfig's, usually the load balancer), then those discovered from the
 * `default/kubernetes` Endpoints. Discovery never removes the configured servers, and an empty
 * Endpoints object never empties the discovered ones (it is read through a server that works).
 */

/** `https://host:port` with no trailing slash; a path prefix is kept. Rejects other schemes. */
export function normalizeServer(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`not a server URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'https:')
    throw new TypeError(`the client speaks HTTP/2 over TLS only; got ${u.protocol}//${u.host}`);
  const path = u.pathname.replace(/\/+$/, '');
  return `https://${u.host}${path}`;
}

export class ServerList {
  readonly #configured: readonly string[];
  #discovered: readonly string[] = [];
  #current: string;

  constructor(configured: readonly string[]) {
    const servers = [...new Set(configured.map(normalizeServer))];
    const first = servers[0];
    if (first === undefined) throw new TypeError('a client needs at least one API server');
    this.#configured = servers;
    this.#current = first;
  }

  /** Every known server: configured first, then discovered. */
  get servers(): readonly string[] {
    return [...new Set([...this.#configured, ...this.#discovered])];
  }

  /** The server that answered last (or the first configured one). */
  get current(): string {
    return this.#current;
  }

  /** The order to try servers in for one request: the current one, then the rest in order. */
  order(): string[] {
    const all = this.servers;
    return [this.#current, ...all.filter((s) => s !== this.#current)];
  }

  /** Records that `server` answered: later requests go there first. */
  markHealthy(server: string): void {
    if (this.servers.includes(server)) this.#current = server;
  }

  /** Replaces the discovered servers (ignored when `servers` is empty). */
  setDiscovered(servers: readonly string[]): void {
    if (servers.length === 0) return;
    this.#discovered = [...new Set(servers.map(normalizeServer))];
    if (!this.servers.includes(this.#current)) this.#current = this.#configured[0] ?? this.#current;
  }
}

/**
 * The API server URLs in a `default/kubernetes` Endpoints object: every ready address of every
 * subset, on the subset's `https` port (or its only port), IPv6 addresses in brackets.
 */
export function serversFromEndpoints(endpoints: unknown): string[] {
  const out: string[] = [];
  const subsets = field(endpoints, 'subsets');
  if (!Array.isArray(subsets)) return out;
  for (const subset of subsets as unknown[]) {
    const ports = field(subset, 'ports');
    const portList = Array.isArray(ports) ? (ports as unknown[]) : [];
    const https = portList.find((p) => field(p, 'name') === 'https') ?? portList[0];
    const port = field(https, 'port');
    if (typeof port !== 'number') continue;
    const addresses = field(subset, 'addresses');
    if (!Array.isArray(addresses)) continue;
    for (const address of addresses as unknown[]) {
      const ip = field(address, 'ip');
      if (typeof ip !== 'string' || ip === '') continue;
      out.push(`https://${ip.includes(':') ? `[${ip}]` : ip}:${String(port)}`);
    }
  }
  return [...new Set(out)];
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}
