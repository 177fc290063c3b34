/**
 * HTTP/1.1 connection upgrades, the client side and the raw proxy: `requestUpgrade` dials a
 * backend (HTTP, or HTTPS with a client certificate) and answers the upgraded socket or the
 * backend's plain response; `proxyUpgrade` relays a client's upgrade request to a backend and,
 * once the backend switched protocols, pipes the bytes both ways untouched (upstream's
 * UpgradeAwareHandler). Only an allow-list of headers crosses a hop: never the client's
 * credentials (Authorization, Impersonate-*, cookies).
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** TLS to the backend (client certificate, CA); omitted for plain HTTP backends. */
export interface BackendTls {
  readonly cert?: string;
  readonly key?: string;
  /** CA that the backend's serving certificate must chain to; omitted: not verified. */
  readonly ca?: string;
  /** Default: true when `ca` is given. */
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

export interface UpgradeTarget {
  readonly url: URL;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly tls?: BackendTls;
  /** Give up connecting (and waiting for the backend's answer) after this long. Default: 30 s. */
  readonly timeoutMs?: number;
}

export type UpgradeResult =
  | {
      readonly kind: 'upgraded';
      readonly socket: Duplex;
      readonly statusCode: number;
      readonly headers: IncomingHttpHeaders;
      readonly rawHeaders: readonly string[];
      /** Bytes the backend sent right after its 101 response. */
      readonly head: Buffer;
    }
  | {
      readonly kind: 'response';
      readonly statusCode: number;
      readonly headers: IncomingHttpHeaders;
      readonly rawHeaders: readonly string[];
      readonly body: Buffer;
    };

export class UpgradeError extends Error {
  readonly code = 'UPGRADE_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpgradeError';
  }
}

/** Request headers a hop passes on for an upgrade; everything else stays behind. */
const FORWARDED_HEADERS = [
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-stream-protocol-version',
  'user-agent',
];

/** The upgrade-related headers of an incoming request, for the next hop. */
export function forwardedUpgradeHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of FORWARDED_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Largest error body read from a backend that did not upgrade. */
const MAX_ERROR_BODY = 64 * 1024;

export function requestUpgrade(target: UpgradeTarget): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const isHttps = target.url.protocol === 'https:';
    const tls = target.tls;
    const options = {
      method: target.method,
      headers: target.headers,
      timeout: target.timeoutMs ?? 30_000,
      ...(isHttps
        ? {
            cert: tls?.cert,
            key: tls?.key,
            ca: tls?.ca,
            rejectUnauthorized: tls?.rejectUnauthorized ?? tls?.ca !== undefined,
            servername: tls?.servername,
            // One connection per stream session: never pooled or reused.
            agent: false as const,
          }
        : { agent: false as const }),
    };
    const req = (isHttps ? httpsRequest : httpRequest)(target.url, options);
    req.on('timeout', () => {
      req.destroy(new UpgradeError(`no answer from ${target.url.host} in time`));
    });
    req.on('error', (err: Error) => {
      reject(
        err instanceof UpgradeError
          ? err
          : new UpgradeError(`dial ${target.url.host}: ${err.message}`, { cause: err }),
      );
    });
    req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
      // The connect/answer timeout must not cut an idle session short.
      if ('setTimeout' in socket) (socket as Socket).setTimeout(0);
      resolve({
        kind: 'upgraded',
        socket,
        statusCode: res.statusCode ?? 101,
        headers: res.headers,
        rawHeaders: res.rawHeaders,
        head,
      });
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ERROR_BODY) chunks.push(c);
      });
      res.on('end', () => {
        resolve({
          kind: 'response',
          statusCode: res.statusCode ?? 500,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        });
      });
      res.on('error', (err: Error) => {
        reject(new UpgradeError(err.message, { cause: err }));
      });
    });
    req.end();
  });
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  101: 'Switching Protocols',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The status line and headers of a response, as raw HTTP/1.1 bytes. */
export function responseHead(statusCode: number, rawHeaders: readonly string[]): Buffer {
  const lines = [`HTTP/1.1 ${statusCode} ${STATUS_TEXT[statusCode] ?? 'Unknown'}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    lines.push(`${rawHeaders[i] ?? ''}: ${rawHeaders[i + 1] ?? ''}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Writes a complete response on a socket that no HTTP server owns any more, then closes it. */
export function writeRawResponse(
  socket: Duplex,
  statusCode: number,
  contentType: string,
  body: Buffer | string,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const head = responseHead(statusCode, [
    'Content-Type',
    contentType,
    'Content-Length',
    String(bytes.length),
    'Connection',
    'close',
  ]);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(Buffer.concat([head, bytes]));
}

/** Headers of a backend response that go back to the client (hop-by-hop ones dropped). */
function passThroughRawHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    if (name === 'transfer-encoding' || name === 'keep-alive' || name === 'content-length')
      continue;
    out.push(raw[i] ?? '', raw[i + 1] ?? '');
  }
  return out;
}

/**
 * Relays an upgrade: dials the backend with the client's upgrade headers; on 101 writes the
 * backend's 101 to the client and pipes both ways until either side closes; otherwise passes the
 * backend's response through. Resolves when the session is over.
 */
export async function proxyUpgrade(
  client: { readonly socket: Duplex; readonly head: Buffer },
  target: UpgradeTarget,
): Promise<{ readonly statusCode: number }> {
  let result: UpgradeResult;
  try {
    result = await requestUpgrade(target);
  } catch (err: unknown) {
    throw err instanceof UpgradeError ? err : new UpgradeError(String(err), { cause: err });
  }
  const socket = client.socket;
  if (result.kind === 'response') {
    const raw = passThroughRawHeaders(result.rawHeaders);
    raw.push('Content-Length', String(result.body.length), 'Connection', 'close');
    socket.end(Buffer.concat([responseHead(result.statusCode, raw), result.body]));
    return { statusCode: result.statusCode };
  }
  const backend = result.socket;
  socket.write(responseHead(result.statusCode, result.rawHeaders));
  if (result.head.length > 0) socket.write(result.head);
  if (client.head.length > 0) backend.write(client.head);
  await pipeBothWays(socket, backend);
  return { statusCode: result.statusCode };
}

/** Pipes two sockets into each other; resolves once both are closed (either closing ends both). */
export function pipeBothWays(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    const done = (): void => {
      open -= 1;
      if (open === 0) resolve();
    };
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      from.pipe(to);
      from.once('close', () => {
        to.destroy();
        done();
      });
      from.on('error', () => from.destroy());
    }
  });
}
