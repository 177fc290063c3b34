/**
 * The agent's own HTTPS endpoint (the kubelet's :10250), for the API server: container logs read
 * from the CRI log files, and exec, attach and port-forward relayed byte for byte to the
 * runtime's streaming server (the URL CRI Exec/Attach/PortForward answers; SPDY or WebSocket, as
 * the client speaks it — protocol translation happens in the API server, not here). Every
 * request needs a client certificate of the cluster CA (else 401) and the authorizer's yes for
 * `nodes/proxy` on this node (else 403). Errors are Kubernetes Status bodies; exec commands and
 * query strings are never logged.
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { ApiError, badRequest, internalError, methodNotAllowed } from '../../api/status.ts';
import {
  forwardedUpgradeHeaders,
  proxyUpgrade,
  writeRawResponse,
} from '../../streaming/http-upgrade.ts';
import { isCriNotFound, isCriUnavailable } from '../cri/cri-errors.ts';
import type { AgentAuthorizer, AgentUser } from './agent-authorizer.ts';
import { parseAgentPath, parseLogOptions, parsePorts, parseStreamFlags } from './agent-request.ts';
import type { AgentRoute } from './agent-request.ts';
import { readContainerLog } from './container-log-reader.ts';
import type { ContainerLocator } from './container-locator.ts';
import type { StreamingRuntime } from './streaming-runtime.ts';

export interface AgentServerOptions {
  /** This node's name: requests are authorized as `nodes/<nodeName>`. */
  readonly nodeName: string;
  /** PEM serving certificate and key (kubelet's --tls-cert-file / --tls-private-key-file). */
  readonly tls: { readonly cert: string; readonly key: string };
  /** PEM CA that client certificates must chain to (kubelet's authentication.x509.clientCAFile). */
  readonly clientCaPem: string;
  readonly authorizer: AgentAuthorizer;
  readonly runtime: StreamingRuntime;
  readonly locator: ContainerLocator;
  /** Default: 0.0.0.0 (kubelet's --address). */
  readonly host?: string;
  /** Default: 10250 (kubelet's --port); 0 picks a free port. */
  readonly port?: number;
  /** Unexpected failures (never with request queries or bodies). Default: stderr. */
  readonly onError?: (message: string, err: unknown) => void;
  readonly now?: () => number;
}

const VERBS: Readonly<Record<string, string>> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** One request, plain or upgrading: how to answer an error on either. */
interface AgentExchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Set for upgrade requests (exec, attach, port-forward). */
  readonly upgrade?: { readonly socket: Duplex; readonly head: Buffer };
  readonly res?: ServerResponse;
}

export class AgentServer {
  readonly #o: AgentServerOptions;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new AbortController();

  constructor(options: AgentServerOptions) {
    this.#o = options;
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.#server !== undefined) throw new Error('the agent server is already started');
    const server = createServer({
      cert: this.#o.tls.cert,
      key: this.#o.tls.key,
      ca: this.#o.clientCaPem,
      requestCert: true,
      // Verified per request, so that an unauthenticated client gets a 401, not a TLS alert.
      rejectUnauthorized: false,
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.#serve({ req, res, url: requestUrl(req) });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#serve({ req, url: requestUrl(req), upgrade: { socket, head } });
    });
    server.on('secureConnection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('tlsClientError', (_err, socket) => socket.destroy());
    const host = this.#o.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port ?? 10250, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    return { host, port: (server.address() as AddressInfo).port };
  }

  /** Closes the listener and every open session (follows, exec, port-forwards). */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    this.#sessions.abort();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      for (const s of this.#sockets) s.destroy();
    });
  }

  async #serve(ex: AgentExchange): Promise<void> {
    try {
      const user = authenticate(ex.req.socket);
      const verb = VERBS[ex.req.method ?? ''] ?? (ex.req.method ?? '').toLowerCase();
      const route = parseAgentPath(ex.url.pathname);
      // The kubelet's mapping: everything this server serves is nodes/proxy.
      const decision = await this.#o.authorizer.authorize({
        user,
        verb,
        subresource: 'proxy',
        nodeName: this.#o.nodeName,
      });
      if (!decision.allowed) {
        throw new ApiError(
          403,
          'Forbidden',
          `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource=proxy)`,
        );
      }
      if (route === undefined) throw new ApiError(404, 'NotFound', '404 page not found');
      await this.#route(ex, route);
    } catch (err: unknown) {
      const apiErr = asApiError(err);
      if (!(err instanceof ApiError) || apiErr.code >= 500)
        (this.#o.onError ?? logToStderr)(
          `agent server: ${ex.url.pathname.split('/')[1] ?? ''}`,
          err,
        );
      respondError(ex, apiErr);
    }
  }

  async #route(ex: AgentExchange, route: AgentRoute): Promise<void> {
    const q = ex.url.searchParams;
    switch (route.kind) {
      case 'healthz':
        ex.res?.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      case 'containerLogs':
        return this.#logs(ex, route);
      case 'exec':
      case 'attach': {
        const upgrade = requireUpgrade(ex);
        const streams = parseStreamFlags(q);
        const command = q.getAll('command');
        if (route.kind === 'exec' && command.length === 0)
          throw badRequest('you must specify at least one command for the container');
        const pod = { namespace: route.namespace, name: route.pod, uid: route.uid };
        const id = await this.#o.locator.runningContainer(pod, route.container);
        const request = {
          container_id: id,
          tty: streams.tty,
          stdin: streams.stdin,
          stdout: streams.stdout,
          stderr: streams.stderr,
        };
        const url =
          route.kind === 'exec'
            ? await this.#o.runtime.exec({ ...request, cmd: command })
            : await this.#o.runtime.attach(request);
        await this.#relay(ex, upgrade, url);
        return;
      }
      case 'portForward': {
        const upgrade = requireUpgrade(ex);
        const ports = parsePorts(q);
        const sandbox = await this.#o.locator.readySandbox({
          namespace: route.namespace,
          name: route.pod,
          uid: route.uid,
        });
        await this.#relay(ex, upgrade, await this.#o.runtime.portForward(sandbox, ports));
        return;
      }
    }
  }

  async #relay(
    ex: AgentExchange,
    upgrade: NonNullable<AgentExchange['upgrade']>,
    url: string,
  ): Promise<void> {
    const closeOnStop = (): void => {
      upgrade.socket.destroy();
    };
    this.#sessions.signal.addEventListener('abort', closeOnStop);
    try {
      await proxyUpgrade(upgrade, {
        url: new URL(url),
        method: ex.req.method ?? 'POST',
        headers: forwardedUpgradeHeaders(ex.req.headers),
        timeoutMs: 30_000,
      });
    } finally {
      this.#sessions.signal.removeEventListener('abort', closeOnStop);
    }
  }

  async #logs(
    ex: AgentExchange,
    route: Extract<AgentRoute, { kind: 'containerLogs' }>,
  ): Promise<void> {
    const res = ex.res;
    if (res === undefined)
      throw badRequest('container logs are not served over an upgraded connection');
    if (ex.req.method !== 'GET' && ex.req.method !== 'HEAD')
      throw methodNotAllowed(ex.req.method ?? '');
    const options = parseLogOptions(ex.url.searchParams, (this.#o.now ?? Date.now)());
    const pod = { namespace: route.namespace, name: route.pod };
    const id = await this.#o.locator.logContainer(pod, route.container, options.previous);
    const { log_path: path } = await this.#o.runtime.containerStatus(id);
    if (path === '')
      throw badRequest(`container ${JSON.stringify(route.container)} has no log file`);
    const done = new AbortController();
    const stop = (): void => {
      done.abort();
    };
    res.once('close', stop);
    this.#sessions.signal.addEventListener('abort', stop);
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    try {
      await readContainerLog(path, options, {
        signal: done.signal,
        write: (chunk) => writeWithBackpressure(res, chunk),
        isRunning: async () =>
          (await this.#o.runtime.containerStatus(id)).state === 'CONTAINER_RUNNING',
      });
    } catch (err: unknown) {
      // Headers are out: the stream just ends early; the reason goes to the log.
      (this.#o.onError ?? logToStderr)('agent server: reading a container log', err);
    } finally {
      this.#sessions.signal.removeEventListener('abort', stop);
      res.end();
    }
  }
}

/** What a failure looks like to the API server (CRI's NotFound and Unavailable as the kubelet maps them). */
function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isCriNotFound(err)) return new ApiError(404, 'NotFound', err.message);
  if (isCriUnavailable(err)) return new ApiError(503, 'ServiceUnavailable', err.message);
  return internalError('the agent could not serve the request');
}

function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'https://agent.invalid');
}

/** The TLS client certificate's subject: CN is the user, each O a group. */
function authenticate(socket: unknown): AgentUser {
  if (!(socket instanceof TLSSocket)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  const cert = socket.getPeerCertificate();
  if (Object.keys(cert).length === 0 || !socket.authorized)
    throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
  const cn = subject['CN'];
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (name === undefined || name === '') throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  const o = subject['O'];
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name, groups: [...groups, 'system:authenticated'] };
}

function requireUpgrade(ex: AgentExchange): NonNullable<AgentExchange['upgrade']> {
  if (ex.upgrade === undefined) throw badRequest('Upgrade request required');
  return ex.upgrade;
}

function respondError(ex: AgentExchange, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  if (ex.upgrade !== undefined) {
    writeRawResponse(ex.upgrade.socket, err.code, 'application/json', body);
    return;
  }
  const res = ex.res;
  if (res === undefined || res.writableEnded) return;
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(err.code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function writeWithBackpressure(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function logToStderr(message: string, err: unknown): void {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', msg: message, err: err instanceof Error ? err.message : String(err) })}\n`,
  );
}
