/**
 * The REST client every k8ts component uses to reach the cluster: JSON over HTTP/2 to one of
 * the API servers (failing over as `Http2Transport` documents), TLS verified against the
 * cluster CA, a client certificate and/or a bearer token, client-go's User-Agent. Every call
 * takes an AbortSignal and has a deadline (`timeoutMs`, default 30 s; a watch's deadline only
 * covers its response headers). Failures are `ApiStatusError` (the server's Status),
 * `ClientTimeoutError`, `ClientUnavailableError` or `ClientProtocolError`; an abort rejects with
 * the signal's reason. Credentials are never logged nor put into error messages.
 * `scoped(scope)` gives a view on the same connections whose every request ends with the
 * scope (a leadership term): nothing is sent once it aborted, and what is in flight is aborted.
 */
import { setMaxListeners } from 'node:events';
import type { ResolvedKubeconfig } from './kubeconfig.ts';
import { parseKubeconfig } from './kubeconfig.ts';
import { ClientProtocolError, ClientTimeoutError, errorFromResponse } from './errors.ts';
import type { StatusObject } from './errors.ts';
import { Http2SessionPool } from './http2-session-pool.ts';
import type { RequestLogEntry, RequestScope, RestClientOptions } from './rest-client-options.ts';
import { Http2Transport } from './http2-transport.ts';
import type { TransportResponse } from './http2-transport.ts';
import {
  PATCH_CONTENT_TYPES,
  deleteBody,
  listQuery,
  watchQuery,
  writeQuery,
} from './request-options.ts';
import type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  PatchOptions,
  RequestOptions,
  WatchOptions,
  WriteOptions,
} from './request-options.ts';
import { resourcePath, withQuery } from './resource-ref.ts';
import type { KubeList, KubeObject, ObjectRef, ResourceRef } from './resource-ref.ts';
import { ServerList, serversFromEndpoints } from './server-list.ts';
import { defaultUserAgent } from './user-agent.ts';
import { openWatchStream } from './watch-stream.ts';
import type { WatchStream } from './watch-stream.ts';

/** The connections and settings a client and its scoped views share. */
interface Connection {
  readonly servers: ServerList;
  readonly pool: Http2SessionPool;
  readonly transport: Http2Transport;
  readonly headers: Readonly<Record<string, string>>;
  /** A rotating bearer token, asked per request. */
  readonly tokenSource: (() => string) | undefined;
  readonly timeoutMs: number;
  readonly requestLog: ((entry: RequestLogEntry) => void) | undefined;
}

const INHERIT: unique symbol = Symbol('RestClient.inherit');
/** Only `scoped` builds one: the module does not export INHERIT. */
interface Inherit {
  readonly [INHERIT]: true;
  readonly connection: Connection;
  readonly scope: RequestScope;
}

interface Call extends RequestOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly replayable: boolean;
}

export class RestClient {
  readonly #c: Connection;
  readonly #scope: RequestScope | undefined;

  constructor(options: RestClientOptions, inherit?: Inherit) {
    if (inherit !== undefined) {
      this.#c = inherit.connection;
      this.#scope = inherit.scope;
      return;
    }
    const servers = new ServerList(options.servers);
    const pool = new Http2SessionPool({
      tls: {
        caPem: options.caPem,
        certPem: options.clientCertificatePem,
        keyPem: options.clientKeyPem,
      },
      connectTimeoutMs: options.connectTimeoutMs,
      pingIntervalMs: options.pingIntervalMs,
      pingTimeoutMs: options.pingTimeoutMs,
    });
    this.#c = {
      servers,
      pool,
      transport: new Http2Transport(servers, pool),
      headers: {
        accept: 'application/json',
        'user-agent': options.userAgent ?? defaultUserAgent(options.component),
        ...(typeof options.token === 'string' ? { authorization: `Bearer ${options.token}` } : {}),
      },
      tokenSource: typeof options.token === 'function' ? options.token : undefined,
      timeoutMs: options.timeoutMs ?? 30_000,
      requestLog: options.requestLog,
    };
    this.#scope = undefined;
  }

  /**
   * A client on the same connections whose requests belong to `scope`: each one also aborts
   * when `scope.signal` aborts, none is sent after that, and `scope.admit` may refuse one just
   * before it is sent. A leader hands such a client to its controllers so that they stop
   * writing the moment the term ends, whatever they do with their own signals. `close()` on
   * it closes nothing (the parent owns the connections). Scopes nest.
   */
  scoped(scope: RequestScope): RestClient {
    const outer = this.#scope;
    const merged: RequestScope =
      outer === undefined
        ? scope
        : {
            signal: AbortSignal.any([outer.signal, scope.signal]),
            admit: () => {
              outer.admit?.();
              scope.admit?.();
            },
          };
    // Every request in flight listens on the scope's signal until it settles: a scheduler with
    // 64 bindings in flight is not a leak (Node warns past 10 listeners).
    setMaxListeners(0, merged.signal);
    return new RestClient({ servers: [] }, { [INHERIT]: true, connection: this.#c, scope: merged });
  }

  /** A client for a kubeconfig (its text or its parsed form) plus optional extra servers. */
  static fromKubeconfig(
    kubeconfig: string | ResolvedKubeconfig,
    options: Omit<
      RestClientOptions,
      'servers' | 'caPem' | 'clientCertificatePem' | 'clientKeyPem' | 'token'
    > & {
      readonly extraServers?: readonly string[];
    } = {},
  ): RestClient {
    const kc = typeof kubeconfig === 'string' ? parseKubeconfig(kubeconfig) : kubeconfig;
    const { extraServers, ...rest } = options;
    return new RestClient({
      ...rest,
      servers: [kc.server, ...(extraServers ?? [])],
      caPem: kc.caPem,
      clientCertificatePem: kc.clientCertificatePem,
      clientKeyPem: kc.clientKeyPem,
      token: kc.token,
    });
  }

  /** The servers requests may go to, configured first, then discovered. */
  get servers(): readonly string[] {
    return this.#c.servers.servers;
  }

  /** The server that answered last; the next request tries it first. */
  get currentServer(): string {
    return this.#c.servers.current;
  }

  /** Adds (replaces) discovered servers; an empty list changes nothing. */
  setDiscoveredServers(servers: readonly string[]): void {
    this.#c.servers.setDiscovered(servers);
  }

  /**
   * Reads `default/kubernetes` Endpoints (every live API server and the secure port) and makes
   * those servers failover targets. Returns the full server list.
   */
  async refreshServers(options: RequestOptions = {}): Promise<readonly string[]> {
    const endpoints = await this.get(
      { group: '', version: 'v1', plural: 'endpoints', namespace: 'default', name: 'kubernetes' },
      options,
    );
    this.#c.servers.setDiscovered(serversFromEndpoints(endpoints));
    return this.#c.servers.servers;
  }

  /** Closes every connection; open watches end, later calls fail. */
  close(): void {
    if (this.#scope === undefined) this.#c.pool.close();
  }

  get<T extends KubeObject = KubeObject>(ref: ObjectRef, options: GetOptions = {}): Promise<T> {
    const path = withQuery(resourcePath(ref), { resourceVersion: options.resourceVersion });
    return this.#json<T>({ ...options, method: 'GET', path, replayable: true });
  }

  list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    const path = withQuery(resourcePath({ ...ref, name: undefined }), listQuery(options));
    return this.#json<KubeList<T>>({ ...options, method: 'GET', path, replayable: true });
  }

  /**
   * POST to the collection (a `name` in `ref` is ignored: the body names the object), or to
   * `ref.name`'s subresource (`pods/binding`, `serviceaccounts/token`). Not replayed on another
   * server once sent (see `Http2Transport`).
   */
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: T,
    options: WriteOptions = {},
  ): Promise<T> {
    const target = ref.subresource === undefined ? { ...ref, name: undefined } : ref;
    const path = withQuery(resourcePath(target), writeQuery(options));
    return this.#json<T>({ ...options, method: 'POST', path, body, replayable: false });
  }

  update<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    body: T,
    options: WriteOptions = {},
  ): Promise<T> {
    const path = withQuery(resourcePath(ref), writeQuery(options));
    return this.#json<T>({ ...options, method: 'PUT', path, body, replayable: true });
  }

  /** JSON, merge, strategic merge or server-side apply (`fieldManager` required by the server). */
  patch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T> {
    const path = withQuery(resourcePath(ref), {
      ...writeQuery(options),
      force: options.type === 'apply' && options.force === true ? true : undefined,
    });
    return this.#json<T>({
      ...options,
      method: 'PATCH',
      path,
      body: patch,
      contentType: PATCH_CONTENT_TYPES[options.type],
      replayable: options.type !== 'json',
    });
  }

  /** Answers the deleted object, the object being deleted (finalizers), or a Success Status. */
  delete<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    options: DeleteOptions = {},
  ): Promise<T | StatusObject> {
    return this.#json<T | StatusObject>({
      ...options,
      method: 'DELETE',
      path: resourcePath(ref),
      body: deleteBody(options),
      replayable: true,
    });
  }

  deleteCollection(
    ref: ResourceRef,
    options: DeleteOptions & Pick<ListOptions, 'labelSelector' | 'fieldSelector'> = {},
  ): Promise<KubeObject> {
    const path = withQuery(resourcePath({ ...ref, name: undefined }), {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
    return this.#json({
      ...options,
      method: 'DELETE',
      path,
      body: deleteBody(options),
      replayable: true,
    });
  }

  /**
   * Opens a watch. Resolves once the server answered (a 410 for a compacted resourceVersion
   * rejects here as an `ApiStatusError`); events then arrive until the stream ends.
   */
  async watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: WatchOptions = {},
  ): Promise<WatchStream<T>> {
    const path = withQuery(resourcePath({ ...ref, name: undefined }), watchQuery(ref, options));
    const res = await this.#send({ ...options, method: 'GET', path, replayable: true }, true);
    if (res.stream === undefined) throw new ClientProtocolError('watch answered without a stream');
    const scope = this.#scope?.signal;
    const signal =
      scope === undefined || options.signal === undefined
        ? (scope ?? options.signal)
        : AbortSignal.any([scope, options.signal]);
    return openWatchStream<T>(res.status, res.stream, signal);
  }

  /** A JSON request to any path (`/version`, `/apis`), answered as JSON. */
  requestJson<T = unknown>(
    method: Call['method'],
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.#json<T>({ ...options, method, path, body, replayable: method !== 'POST' });
  }

  async #json<T>(call: Call): Promise<T> {
    const res = await this.#send(call, false);
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.body);
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch (err: unknown) {
      throw new ClientProtocolError(
        `${call.method} ${call.path}: the answer (HTTP ${String(res.status)}) is not JSON`,
        { cause: err },
      );
    }
  }

  async #send(call: Call, stream: boolean): Promise<TransportResponse> {
    const scope = this.#scope;
    const log = this.#c.requestLog;
    const startedAtMs = Date.now();
    if (scope !== undefined) {
      try {
        if (scope.signal.aborted) throw scope.signal.reason;
        scope.admit?.();
      } catch (err: unknown) {
        log?.({
          method: call.method,
          path: call.path,
          error: errorText(err),
          sent: false,
          startedAtMs,
          durationMs: 0,
        });
        throw err;
      }
    }
    const timeoutMs = call.timeoutMs ?? this.#c.timeoutMs;
    // One signal for the attempt loop: the caller's abort or the deadline, whichever is first.
    // (Linked by hand rather than AbortSignal.any, so a long-lived caller signal holds nothing.)
    const request = new AbortController();
    const timer = setTimeout(() => {
      request.abort(
        new ClientTimeoutError(timeoutMs, `${call.method} ${call.path.split('?')[0] ?? ''}`),
      );
    }, timeoutMs);
    const onAbort = (): void => {
      request.abort(call.signal?.reason);
    };
    const onScopeAbort = (): void => {
      request.abort(scope?.signal.reason);
    };
    if (call.signal?.aborted === true) onAbort();
    else call.signal?.addEventListener('abort', onAbort, { once: true });
    scope?.signal.addEventListener('abort', onScopeAbort, { once: true });
    const body =
      call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body), 'utf8');
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await this.#c.transport.send(
        {
          method: call.method,
          path: call.path,
          headers: {
            ...this.#c.headers,
            ...(this.#c.tokenSource === undefined
              ? {}
              : { authorization: `Bearer ${this.#c.tokenSource()}` }),
            ...(body === undefined
              ? {}
              : { 'content-type': call.contentType ?? 'application/json' }),
          },
          body,
          replayable: call.replayable,
          stream,
        },
        request.signal,
      );
      status = res.status;
      return res;
    } catch (err: unknown) {
      error = errorText(err);
      throw err;
    } finally {
      log?.({
        method: call.method,
        path: call.path,
        status,
        error,
        sent: true,
        startedAtMs,
        durationMs: Date.now() - startedAtMs,
      });
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
      scope?.signal.removeEventListener('abort', onScopeAbort);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
