/**
 * The one anonymous request of token discovery: `GET /api/v1/namespaces/kube-public/configmaps/
 * cluster-info` on the endpoint given to join. The first fetch trusts no certificate (kubeadm's
 * insecure client: the JWS and the CA pin establish trust afterwards); the second pins the CA
 * that discovery validated. Bounded by `timeoutMs`; answers the ConfigMap's data or throws
 * ClusterInfoFetchError saying what went wrong (never a token: none is sent).
 */
import { request } from 'node:https';

export class ClusterInfoFetchError extends Error {
  readonly code = 'JOIN_CLUSTER_INFO_FETCH';
  /** True for HTTP answers (the server is reachable); false for network failures. */
  readonly isHttpError: boolean;
  constructor(message: string, isHttpError: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterInfoFetchError';
    this.isHttpError = isHttpError;
  }
}

export interface FetchClusterInfoOptions {
  /** `host:port` (IPv6 in brackets). */
  readonly endpoint: string;
  /** PEM CA to trust; undefined = no verification (the first, unauthenticated fetch). */
  readonly caPem: string | undefined;
  /** Default: 10,000 ms. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const PATH = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

export function fetchClusterInfo(
  options: FetchClusterInfoOptions,
): Promise<Record<string, string>> {
  const url = new URL(PATH, `https://${options.endpoint}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json' },
        timeout: timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.caPem === undefined
          ? { rejectUnauthorized: false }
          : { ca: options.caPem, rejectUnauthorized: true }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          // cluster-info is a few KiB; refuse anything absurd from an untrusted server.
          if (size > 4 * 1024 * 1024) req.destroy(new Error('the answer is too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            let message = `HTTP ${String(res.statusCode)}`;
            try {
              const status = JSON.parse(body) as { message?: unknown };
              if (typeof status.message === 'string') message += `: ${status.message}`;
            } catch {
              // not a Status
            }
            reject(
              new ClusterInfoFetchError(
                `failed to request the cluster-info ConfigMap from ${options.endpoint}: ${message}`,
                true,
              ),
            );
            return;
          }
          try {
            const cm = JSON.parse(body) as { data?: unknown };
            const data = cm.data;
            if (typeof data !== 'object' || data === null || Array.isArray(data))
              throw new Error('no data');
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
              if (typeof v === 'string') out[k] = v;
            }
            resolve(out);
          } catch (err: unknown) {
            reject(
              new ClusterInfoFetchError(
                `the cluster-info ConfigMap from ${options.endpoint} is not a ConfigMap`,
                true,
                { cause: err },
              ),
            );
          }
        });
        res.on('error', (err) => {
          reject(
            new ClusterInfoFetchError(`reading from ${options.endpoint}: ${err.message}`, false),
          );
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${String(timeoutMs)} ms`));
    });
    req.on('error', (err) => {
      reject(
        new ClusterInfoFetchError(
          `failed to request the cluster-info ConfigMap from ${options.endpoint}: ${err.message}`,
          false,
          { cause: err },
        ),
      );
    });
    req.end();
  });
}
