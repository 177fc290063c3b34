/**
 * The benchmark's HTTPS client: `concurrency` clients with a client certificate, either over
 * HTTP/2 (what kubectl and client-go speak: one session per client, requests multiplexed) or over
 * HTTP/1.1 keep-alive sockets (one per client). Both keep their connections for the whole run, so
 * a request costs no handshake; both resolve with the status and body text, never throw on a
 * non-2xx status.
 */
import { Agent, request } from 'node:https';
import { connect } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';

export interface Tls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface BenchResponse {
  readonly status: number;
  readonly text: string;
}

export interface BenchClient {
  /** Sends one request (`body` as JSON) on client `client` (0 ≤ client < concurrency). */
  call(method: string, path: string, body?: unknown, client?: number): Promise<BenchResponse>;
  close(): void;
}

const TIMEOUT_MS = 30_000;

/** HTTP/1.1 over `concurrency` keep-alive TLS sockets. */
export function http1Client(url: string, tls: Tls, concurrency: number): BenchClient {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ...tls });
  return {
    call: (method, path, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          `${url}${path}`,
          {
            method,
            agent,
            headers:
              payload === undefined
                ? {}
                : {
                    'content-type': 'application/json',
                    'content-length': Buffer.byteLength(payload),
                  },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
            });
          },
        );
        req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => {
      agent.destroy();
    },
  };
}

/** HTTP/2: `sessions` TLS connections (default one per client); client i uses session i mod n. */
export function http2Client(url: string, tls: Tls, sessions: number): BenchClient {
  const pool: (ClientHttp2Session | undefined)[] = Array.from(
    { length: sessions },
    () => undefined,
  );
  const session = (i: number): ClientHttp2Session => {
    const slot = i % sessions;
    const existing = pool[slot];
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const s = connect(url, { ...tls, settings: { initialWindowSize: 1 << 20 } });
    s.on('error', () => {
      pool[slot] = undefined;
    });
    s.on('close', () => {
      if (pool[slot] === s) pool[slot] = undefined;
    });
    pool[slot] = s;
    return s;
  };
  let next = 0;
  return {
    call: (method, path, body, client) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const stream = session(client ?? next++).request({
          ':method': method,
          ':path': path,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        });
        let status = 0;
        const chunks: Buffer[] = [];
        stream.setTimeout(TIMEOUT_MS, () => {
          stream.close();
        });
        stream.on('response', (headers) => {
          status = headers[':status'] ?? 0;
        });
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          resolve({ status, text: Buffer.concat(chunks).toString() });
        });
        stream.on('error', reject);
        stream.on('close', () => {
          if (status === 0) reject(new Error(`stream closed (code ${String(stream.rstCode)})`));
        });
        stream.end(payload);
      }),
    close: () => {
      for (const s of pool) s?.close();
    },
  };
}
