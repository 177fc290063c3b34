/**
 * The peer network of a test etcd cluster, in userspace: one TCP proxy on 127.0.0.1 in front of
 * each member's peer port. Members advertise the proxy (`--initial-advertise-peer-urls`) and
 * listen behind it, so all raft traffic passes through here, and `isolate(name)` cuts one
 * member off from all the others in both directions (a partition) while its client port stays
 * reachable. No root, no netns, no change to the host's network.
 *
 * A proxy knows the destination of a connection (its own member); the source member is found
 * from the dialer's socket in /proc (socket-owner.ts). Guarantees: while a member is isolated
 * no byte passes between it and another member (connections are closed, new ones refused);
 * `close` ends every listener and connection. Not simulated: a silent blackhole (peers see
 * closed connections at once rather than timeouts), asymmetric or partial partitions.
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { findSocketOwner } from './socket-owner.ts';

export interface PeerRoute {
  /** Member name. */
  readonly name: string;
  /** The port the member advertises to its peers (this proxy listens there). */
  readonly proxyPort: number;
  /** The port the member itself listens on for peers. */
  readonly memberPort: number;
}

/** One proxied connection: `from` (when known) dialed the member `to`. */
interface Link {
  readonly to: string;
  readonly from: string | undefined;
  readonly sockets: readonly Socket[];
}

export class PeerNetwork {
  readonly #routes: readonly PeerRoute[];
  /** PID -> member name of the running members, asked on every new connection. */
  readonly #members: () => ReadonlyMap<number, string>;
  readonly #servers: Server[] = [];
  readonly #links = new Set<Link>();
  /** Accepted sockets not yet linked (source being looked up, or upstream connecting). */
  readonly #pending = new Set<Socket>();
  readonly #isolated = new Set<string>();
  #closed = false;

  private constructor(routes: readonly PeerRoute[], members: () => ReadonlyMap<number, string>) {
    this.#routes = routes;
    this.#members = members;
  }

  /** Listens on every route's proxy port; rejects (closing what it opened) if one is taken. */
  static async listen(
    routes: readonly PeerRoute[],
    members: () => ReadonlyMap<number, string>,
  ): Promise<PeerNetwork> {
    const network = new PeerNetwork(routes, members);
    try {
      for (const route of routes) await network.#listen(route);
    } catch (err: unknown) {
      await network.close();
      throw err;
    }
    return network;
  }

  /** Cuts `name` off from every other member until `heal(name)`. */
  isolate(name: string): void {
    this.#route(name);
    this.#isolated.add(name);
    for (const link of this.#links) {
      // A link of unknown source may be the isolated member's: it re-dials and is sorted then.
      if (link.to === name || link.from === name || link.from === undefined) this.#drop(link);
    }
  }

  /** Lets `name` reach its peers again. */
  heal(name: string): void {
    this.#route(name);
    this.#isolated.delete(name);
  }

  isIsolated(name: string): boolean {
    return this.#isolated.has(name);
  }

  /** Closes every listener and connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const link of this.#links) this.#drop(link);
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) {
              resolve();
              return;
            }
            server.close(() => {
              resolve();
            });
          }),
      ),
    );
  }

  #route(name: string): PeerRoute {
    const route = this.#routes.find((r) => r.name === name);
    if (route === undefined) throw new Error(`no peer route for member ${name}`);
    return route;
  }

  async #listen(route: PeerRoute): Promise<void> {
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      this.#accept(route, socket).catch(() => {
        socket.destroy();
      });
    });
    this.#servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(route.proxyPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async #accept(route: PeerRoute, inbound: Socket): Promise<void> {
    inbound.on('error', () => inbound.destroy());
    this.#pending.add(inbound);
    try {
      if (this.#refusesAnyTo(route.name)) {
        inbound.destroy();
        return;
      }
      const members = this.#members();
      const pid = await findSocketOwner(inbound.remotePort ?? 0, route.proxyPort, [
        ...members.keys(),
      ]);
      const from = pid === undefined ? undefined : members.get(pid);
      // Decide again after the lookup: isolate() or close() may have run meanwhile.
      if (this.#refuses(route.name, from) || inbound.destroyed) {
        inbound.destroy();
        return;
      }
      const outbound = connect({ host: '127.0.0.1', port: route.memberPort });
      outbound.on('error', () => outbound.destroy());
      const link: Link = { to: route.name, from, sockets: [inbound, outbound] };
      this.#links.add(link);
      for (const [a, b] of [
        [inbound, outbound],
        [outbound, inbound],
      ] as const) {
        a.pipe(b);
        a.on('close', () => {
          this.#drop(link);
        });
      }
      inbound.resume();
    } finally {
      this.#pending.delete(inbound);
    }
  }

  /** Whether no connection to `to` may pass, whoever dialed it. */
  #refusesAnyTo(to: string): boolean {
    return this.#closed || this.#isolated.has(to);
  }

  /**
   * Whether a connection from `from` to `to` must not pass. An unknown source passes only
   * while nobody is isolated (it cannot be told apart from an isolated member).
   */
  #refuses(to: string, from: string | undefined): boolean {
    if (this.#refusesAnyTo(to)) return true;
    return from === undefined ? this.#isolated.size > 0 : this.#isolated.has(from);
  }

  #drop(link: Link): void {
    this.#links.delete(link);
    for (const socket of link.sockets) socket.destroy();
  }
}
