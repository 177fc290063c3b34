/**
 * Sends one request over HTTP/2, failing over across the API servers on connection-level
 * failures. What is retried elsewhere, precisely:
 *
 * - **Never sent** (connect refused / timed out / TLS failed, the pooled session was already
 *   closing, or the server refused the stream, RST_STREAM REFUSED_STREAM or GOAWAY, which HTTP/2
 *   defines as "not processed"): every request, including creates, goes to the next server.
 * - **Sent, then the connection failed before the whole answer arrived**: only `replayable`
 *   requests move on. The REST client marks everything replayable except POST (a create could
 *   have been applied and would be applied again) and JSON Patch (`add` to `/-` appends twice).
 *   A replayed DELETE may answer 404 and a replayed PUT 409 when the first attempt won: the
 *   outcome is still the one the caller asked for, and never applied twice.
 *
 * A stale pooled session (the server restarted) gets one reconnect to the same server before
 * moving on; before a non-replayable request goes out on a pooled session, one PING round trip
 * proves the session alive, so a server that just closed it costs a reconnect, not an error. HTTP answers, 5xx included, are answers: they are returned, never failed over.
 */
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { ClientUnavailableError, abortReason, isAborted } from './errors.ts';
import type { ServerFailure } from './errors.ts';
import { CANCEL, REFUSED_STREAM } from './http2-session-pool.ts';
import type { Http2SessionPool, SessionLease } from './http2-session-pool.ts';
import type { ServerList } from './server-list.ts';

export interface TransportRequest {
  readonly method: string;
  /** Path and query, relative to the server URL (which may carry a path prefix). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | undefined;
  /** May it be replayed on another server once it was sent and the answer was lost? */
  readonly replayable: boolean;
  /** Hand back the open response stream (watches) instead of reading the body. */
  readonly stream: boolean;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly server: string;
  /** The whole body (empty for streamed responses). */
  readonly body: Buffer;
  /** The open response stream, for `stream` requests; closing it releases the session. */
  readonly stream: ClientHttp2Stream | undefined;
}

/**
 * One attempt's connection-level failure: `sent` says whether the server may have seen the
 * request, `sessionBroken` whether the whole connection is unusable (not just this stream).
 */
class AttemptFailure extends Error {
  readonly sent: boolean;
  readonly sessionBroken: boolean;
  constructor(cause: unknown, sent: boolean, sessionBroken: boolean) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.sent = sent;
    this.sessionBroken = sessionBroken;
  }
}

export class Http2Transport {
  readonly #servers: ServerList;
  readonly #pool: Http2SessionPool;

  constructor(servers: ServerList, pool: Http2SessionPool) {
    this.#servers = servers;
    this.#pool = pool;
  }

  async send(req: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
    const failures: ServerFailure[] = [];
    for (const server of this.#servers.order()) {
      for (let reconnected = false; ; reconnected = true) {
        if (isAborted(signal)) throw abortReason(signal);
        let lease: SessionLease;
        try {
          lease = await this.#pool.acquire(server, signal);
        } catch (err: unknown) {
          if (isAborted(signal)) throw abortReason(signal);
          failures.push({ server, error: err });
          break;
        }
        try {
          if (lease.reused && !req.replayable) {
            try {
              await this.#pool.validate(lease.session, signal);
            } catch (err: unknown) {
              lease.release();
              throw new AttemptFailure(err, false, true);
            }
          }
          const res = await this.#attempt(server, lease, req, signal);
          this.#servers.markHealthy(server);
          return res;
        } catch (err: unknown) {
          if (isAborted(signal)) throw abortReason(signal);
          if (!(err instanceof AttemptFailure)) throw err;
          failures.push({ server, error: err.cause ?? err });
          // A refused or reset stream leaves the connection (and its watches) alone.
          if (err.sessionBroken) this.#pool.evict(server, lease.session);
          if (err.sent && !req.replayable) {
            throw new ClientUnavailableError(
              `${req.method} to ${server} failed after the request was sent; it may have been applied: ${err.message}`,
              failures,
              true,
            );
          }
          if (lease.reused && !reconnected) continue;
          break;
        }
      }
    }
    const detail = failures
      .map((f) => `${f.server}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
      .join('; ');
    throw new ClientUnavailableError(`no API server reachable (${detail})`, failures, false);
  }

  #attempt(
    server: string,
    lease: SessionLease,
    req: TransportRequest,
    signal: AbortSignal,
  ): Promise<TransportResponse> {
    const prefix = new URL(server).pathname.replace(/\/+$/, '');
    let stream: ClientHttp2Stream;
    try {
      stream = lease.session.request(
        { ':method': req.method, ':path': `${prefix}${req.path}`, ...req.headers },
        { endStream: req.body === undefined },
      );
    } catch (err: unknown) {
      lease.release();
      // The session was closing or destroyed: nothing was sent.
      return Promise.reject(new AttemptFailure(err, false, true));
    }
    stream.once('close', () => {
      lease.release();
    });
    return new Promise<TransportResponse>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const fail = (err: unknown): void => {
        finish(() => {
          if (!stream.destroyed) stream.close(CANCEL);
          const { session } = lease;
          reject(
            isAborted(signal)
              ? abortReason(signal)
              : new AttemptFailure(err, wasSent(stream), session.closed || session.destroyed),
          );
        });
      };
      const onAbort = (): void => {
        fail(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      stream.on('error', fail);
      stream.once('close', () => {
        fail(
          new Error(
            `stream closed before the response ended (HTTP/2 code ${String(stream.rstCode)})`,
          ),
        );
      });
      stream.once('response', (headers) => {
        this.#pool.answered(lease.session);
        const status = Number(headers[':status']);
        if (req.stream) {
          finish(() => {
            resolve({ status, headers, server, body: Buffer.alloc(0), stream });
          });
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.once('end', () => {
          finish(() => {
            resolve({ status, headers, server, body: Buffer.concat(chunks), stream: undefined });
          });
        });
      });
      if (req.body !== undefined) stream.end(req.body);
    });
  }
}

/** False only when HTTP/2 guarantees the server did not process the stream. */
function wasSent(stream: ClientHttp2Stream): boolean {
  if (stream.rstCode === REFUSED_STREAM) return false;
  return stream.id !== undefined;
}
