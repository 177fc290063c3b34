/**
 * One request and its response, the same over HTTP/1.1 and HTTP/2 (Node's compat API): reads
 * a bounded body (413 past the limit, never buffering more), and writes JSON, Status errors and
 * newline-delimited or raw streams. An HTTP/1.1 upgrade request (exec, port-forward) answers
 * errors the same way until a handler takes the connection over (`takeUpgrade`). Nothing here
 * knows about resources.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { ApiError } from '../../api/status.ts';
import { requestEntityTooLarge } from '../../api/status.ts';
import { ClientClosedError } from './client-closed-error.ts';
import { WarningRecorder } from './warning-recorder.ts';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;

/** Kubernetes' request body limit (3 MiB, as upstream's MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The raw connection of an HTTP/1.1 request that asks to switch protocols. */
export interface UpgradeConnection {
  readonly socket: Duplex;
  /** Bytes the client sent after the request head. */
  readonly head: Buffer;
}

export class Exchange {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly #req: AnyRequest;
  readonly #res: AnyResponse;
  readonly startedAt = performance.now();
  readonly #warnings = new WarningRecorder();
  statusCode = 0;
  readonly #upgrade: UpgradeConnection | undefined;
  #hijacked = false;

  /** `upgrade`: set for HTTP/1.1 upgrade requests, whose `res` writes onto that socket. */
  constructor(req: AnyRequest, res: AnyResponse, upgrade?: UpgradeConnection) {
    this.#req = req;
    this.#res = res;
    this.#upgrade = upgrade;
    this.method = (req.method ?? 'GET').toUpperCase();
    this.url = new URL(req.url ?? '/', 'https://k8ts.invalid');
    this.headers = req.headers;
  }

  header(name: string): string | undefined {
    const v = this.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  }

  /**
   * The TLS socket, when the request came over TLS: one object per connection. (Over HTTP/2,
   * `req.socket` is a new proxy per stream; the session's socket is the connection's, so
   * per-connection caches such as the client-certificate verdict hit.)
   */
  get tlsSocket(): TLSSocket | undefined {
    const stream = (this.#req as { stream?: { session?: { socket?: unknown } } }).stream;
    const socket = (stream?.session?.socket ?? this.#req.socket) as TLSSocket | undefined;
    return typeof socket?.getPeerCertificate === 'function' ? socket : undefined;
  }

  /** Settles when the client goes away (or the response ends). */
  onClose(listener: () => void): void {
    this.#res.once('close', listener);
  }

  get isClosed(): boolean {
    // (An HTTP/2 response has no `destroyed` of its own: its stream's says the client reset it.)
    const stream = (this.#res as { stream?: { destroyed?: boolean } }).stream;
    return (
      this.#hijacked || this.#res.destroyed || this.#res.writableEnded || stream?.destroyed === true
    );
  }

  /**
   * Whether the client went away before the response ended: its connection (HTTP/1.1) or its
   * stream (HTTP/2) is gone, so nothing can be answered any more.
   */
  get isClientGone(): boolean {
    if (this.#hijacked || this.#res.writableEnded) return false;
    const stream = (this.#res as { stream?: { destroyed?: boolean } }).stream;
    if (stream !== undefined) return stream.destroyed === true;
    return this.#res.destroyed || this.#req.socket.destroyed;
  }

  /** Whether the client asked to switch protocols (and the connection can be taken over). */
  get isUpgrade(): boolean {
    return this.#upgrade !== undefined && !this.#hijacked;
  }

  /**
   * Takes the connection over (for a relayed or translated stream): nothing is written through
   * this exchange afterwards. Only for upgrade requests.
   */
  takeUpgrade(): {
    readonly request: IncomingMessage;
    readonly socket: Duplex;
    readonly head: Buffer;
  } {
    const upgrade = this.#upgrade;
    if (upgrade === undefined || this.#hijacked) throw new Error('not an upgrade request');
    this.#hijacked = true;
    this.statusCode = 101;
    (this.#res as ServerResponse).detachSocket(upgrade.socket as never);
    return { request: this.#req as IncomingMessage, socket: upgrade.socket, head: upgrade.head };
  }

  /**
   * Adds a `Warning: 299 - "<text>"` response header (upstream's warning.AddWarning). Only
   * warnings added before the response starts are sent.
   */
  addWarning(text: string): void {
    this.#warnings.add(text);
  }

  /** Response headers plus the recorded warnings. */
  #withWarnings(
    headers: Record<string, string | number>,
  ): Record<string, string | number | string[]> {
    return this.#warnings.isEmpty
      ? headers
      : { ...headers, warning: this.#warnings.headerValues() };
  }

  /**
   * The whole request body, at most `limit` bytes (413 past it). A client that goes away before
   * the body ended (closed, reset, aborted) rejects with ClientClosedError: a truncated body is
   * never handed on, so nothing of it is applied.
   */
  async readBody(limit = MAX_BODY_BYTES): Promise<Buffer> {
    const declared = Number(this.header('content-length') ?? '0');
    if (declared > limit) throw requestEntityTooLarge(limit);
    const req = this.#req;
    if (req.readableEnded) return Buffer.alloc(0);
    // Plain stream events: cheaper per request than an async iterator over the stream.
    return await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > limit) {
          done();
          req.destroy();
          reject(requestEntityTooLarge(limit));
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = (): void => {
        done();
        resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks));
      };
      // Request stream errors are the connection's ('aborted', ECONNRESET): the client left.
      const onError = (err: Error): void => {
        done();
        reject(new ClientClosedError('the client went away before its body ended', { cause: err }));
      };
      const onClose = (): void => {
        done();
        reject(new ClientClosedError('the client closed the request before its body ended'));
      };
      const done = (): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }

  sendJson(code: number, body: unknown, contentType = 'application/json'): void {
    if (this.isClosed) return;
    const payload = JSON.stringify(body);
    this.statusCode = code;
    this.#res.writeHead(
      code,
      this.#withWarnings({
        'content-type': contentType,
        'content-length': Buffer.byteLength(payload),
        'cache-control': 'no-cache, private',
      }),
    );
    this.#res.end(payload);
  }

  sendText(code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
    if (this.isClosed) return;
    this.statusCode = code;
    this.#res.writeHead(
      code,
      this.#withWarnings({
        'content-type': contentType,
        'content-length': Buffer.byteLength(text),
      }),
    );
    this.#res.end(text);
  }

  /**
   * Writes `body` (not for HEAD) with exactly these headers plus content-length; a 304 has
   * neither body nor content-length.
   */
  sendBytes(code: number, body: Buffer, headers: Record<string, string>): void {
    if (this.isClosed) return;
    this.statusCode = code;
    const bodiless = code === 304;
    this.#res.writeHead(
      code,
      this.#withWarnings(bodiless ? headers : { ...headers, 'content-length': body.length }),
    );
    if (this.method === 'HEAD' || bodiless) this.#res.end();
    else this.#res.end(body);
  }

  sendError(err: ApiError): void {
    const retry = err.details?.retryAfterSeconds;
    if (retry !== undefined && !this.isClosed && !this.#res.headersSent) {
      this.#res.setHeader('retry-after', String(retry));
    }
    this.sendJson(err.code, err.toStatus());
  }

  /** Starts a chunked stream (watch): headers now, then `writeLine` per event. */
  startStream(contentType: string): void {
    this.statusCode = 200;
    // HTTP/1.1 streams chunked (no content-length); HTTP/2 frames it natively.
    this.#res.writeHead(
      200,
      this.#withWarnings({ 'content-type': contentType, 'cache-control': 'no-cache, private' }),
    );
    // Push the headers out now: clients wait for them before they consider the watch open.
    const flush = (this.#res as { flushHeaders?: () => void }).flushHeaders;
    flush?.call(this.#res);
  }

  /** Writes one line; resolves when the socket can take more (backpressure). */
  writeLine(line: string): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    const ok = (this.#res as { write(chunk: string): boolean }).write(`${line}\n`);
    if (ok) return Promise.resolve();
    return this.#drained();
  }

  /** Writes raw bytes of a started stream; resolves when the socket can take more. */
  writeChunk(chunk: Buffer): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    const ok = (this.#res as { write(chunk: Buffer): boolean }).write(chunk);
    if (ok) return Promise.resolve();
    return this.#drained();
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off('drain', done);
        this.#res.off('close', done);
        resolve();
      };
      this.#res.on('drain', done);
      this.#res.on('close', done);
    });
  }

  end(): void {
    if (!this.#hijacked && !this.#res.writableEnded) this.#res.end();
  }
}
