/**
 * One probe or lifecycle-hook action against a running container, as kubelet's prober runs it:
 * `exec` through CRI ExecSync (exit 0 succeeds; the timeout counts as a failure), `httpGet`
 * from the node to the pod IP (a status from 200 to 399 succeeds; redirects are not followed
 * off the host), `tcpSocket` (a connection succeeds). Every action is bounded by
 * `timeoutSeconds`. Network probes only go to the pod's own IP or, for host-network pods, the
 * node's: an address outside the node's pod CIDR and the node IP is refused, so a probe never
 * leaves the machine through its default route.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ExecAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1.d.ts';
import type { RuntimeService } from '../cri/runtime-service.ts';

export interface ProbeResult {
  readonly success: boolean;
  /** What failed, in upstream's words (empty on success). */
  readonly output: string;
}

export interface ProbeTarget {
  readonly containerId: string;
  /** The pod IP (or the node IP for host-network pods). */
  readonly ip: string;
  /** Resolves a named container port. */
  readonly namedPort: (name: string) => number | undefined;
}

export interface ProberOptions {
  readonly runtime: RuntimeService;
  /** True for addresses the node may probe (its pod CIDR and its own IP). */
  readonly allowedTarget: (ip: string) => boolean;
}

export interface ProbeAction {
  readonly exec?: ExecAction | undefined;
  readonly httpGet?: HTTPGetAction | undefined;
  readonly tcpSocket?: TCPSocketAction | undefined;
}

function portOf(port: number | string | undefined, target: ProbeTarget): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return target.namedPort(port);
}

export class Prober {
  readonly #o: ProberOptions;

  constructor(options: ProberOptions) {
    this.#o = options;
  }

  async run(
    action: ProbeAction,
    target: ProbeTarget,
    timeoutSeconds: number,
  ): Promise<ProbeResult> {
    const timeoutMs = Math.max(1, timeoutSeconds) * 1000;
    if (action.exec !== undefined) return this.#exec(action.exec, target, timeoutSeconds);
    if (action.httpGet !== undefined) return this.#http(action.httpGet, target, timeoutMs);
    if (action.tcpSocket !== undefined) return this.#tcp(action.tcpSocket, target, timeoutMs);
    return {
      success: false,
      output: 'unsupported probe handler (k8ts runs exec, httpGet and tcpSocket)',
    };
  }

  async #exec(
    action: ExecAction,
    target: ProbeTarget,
    timeoutSeconds: number,
  ): Promise<ProbeResult> {
    const cmd = action.command ?? [];
    try {
      const r = await this.#o.runtime.execSync(
        target.containerId,
        cmd,
        Math.max(1, timeoutSeconds),
      );
      const output = Buffer.concat([r.stdout, r.stderr])
        .toString('utf8')
        .slice(0, 10 * 1024);
      return r.exit_code === 0 ? { success: true, output: '' } : { success: false, output };
    } catch (err: unknown) {
      const message = err instanceof Error ? err.message : String(err);
      if (/timeout|deadline/i.test(message))
        return { success: false, output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
      return { success: false, output: message };
    }
  }

  /** Where a network probe goes, or why it may not go there. */
  #endpoint(
    action: { host?: string | undefined; port: number | string },
    target: ProbeTarget,
  ): { host: string; port: number } | ProbeResult {
    const host = action.host ?? target.ip;
    const port = portOf(action.port, target);
    if (port === undefined)
      return { success: false, output: `unknown port ${String(action.port)}` };
    if (!this.#o.allowedTarget(host))
      return { success: false, output: `refusing to probe ${host}: not this node's pod network` };
    return { host, port };
  }

  #http(action: HTTPGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const endpoint = this.#endpoint(action, target);
    if ('success' in endpoint) return Promise.resolve(endpoint);
    const { host, port } = endpoint;
    const scheme = (action.scheme ?? 'HTTP').toLowerCase();
    const path = action.path ?? '/';
    const url = `${scheme}://${host}:${String(port)}${path.startsWith('/') ? path : `/${path}`}`;
    return new Promise((resolve) => {
      const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.33', accept: '*/*' };
      for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
      const send = scheme === 'https' ? httpsRequest : httpRequest;
      const req = send(
        url,
        { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false },
        (res) => {
          const code = res.statusCode ?? 0;
          res.resume();
          if (code >= 200 && code < 400) resolve({ success: true, output: '' });
          else
            resolve({
              success: false,
              output: `HTTP probe failed with statuscode: ${String(code)}`,
            });
        },
      );
      req.on('timeout', () => {
        req.destroy();
        resolve({
          success: false,
          output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        resolve({
          success: false,
          output: `Get "${url}": dial tcp ${host}:${String(port)}: connect: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`,
        });
      });
      req.end();
    });
  }

  #tcp(action: TCPSocketAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const endpoint = this.#endpoint(action, target);
    if ('success' in endpoint) return Promise.resolve(endpoint);
    const { host, port } = endpoint;
    return new Promise((resolve) => {
      const socket = connect({ host, port, timeout: timeoutMs });
      socket.once('connect', () => {
        socket.destroy();
        resolve({ success: true, output: '' });
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve({ success: false, output: `dial tcp ${host}:${String(port)}: i/o timeout` });
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        resolve({
          success: false,
          output: `dial tcp ${host}:${String(port)}: connect: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`,
        });
      });
    });
  }
}
