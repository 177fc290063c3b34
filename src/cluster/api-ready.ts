/**
 * Waits for an API server's `/readyz` to answer 200 (bounded), trusting only the cluster CA, as
 * kubeadm's api-check. Resolves with the time it took; rejects with the last failure seen.
 */
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitReadyOptions {
  /** e.g. https://127.0.0.1:6443 */
  readonly server: string;
  readonly caPem: string;
  /** Default: 60,000 ms. */
  readonly timeoutMs?: number;
  /** Default: 200 ms. */
  readonly intervalMs?: number;
  /** Stops waiting (rejects with the signal's reason). Default: none. */
  readonly signal?: AbortSignal;
}

export class ApiNotReadyError extends Error {
  readonly code = 'API_NOT_READY';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiNotReadyError';
  }
}

function probe(server: string, caPem: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      new URL('/readyz', server),
      { ca: caPem, timeout: timeoutMs, method: 'GET' },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode === 200 ? '' : `HTTP ${String(res.statusCode)}`);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => {
      resolve(err.message);
    });
    req.end();
  });
}

export async function waitForApiReady(options: WaitReadyOptions): Promise<number> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  let last = 'no answer yet';
  while (Date.now() - started < timeoutMs) {
    options.signal?.throwIfAborted();
    last = await probe(options.server, options.caPem, 2000);
    if (last === '') return Date.now() - started;
    await sleep(options.intervalMs ?? 200, undefined, { signal: options.signal });
  }
  throw new ApiNotReadyError(
    `the API server at ${options.server} is not ready after ${String(timeoutMs)} ms (last: ${last})`,
  );
}
