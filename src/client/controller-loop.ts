/**
 * A controller's Run (sample-controller's controller.go): wait for the informers' caches to
 * sync, then run N workers that take keys from a rate-limited queue and reconcile them. A
 * reconcile that resolves forgets the key's failures; one that throws re-adds the key rate
 * limited (per-key exponential backoff, overall bucket). A key is never reconciled by two
 * workers at once (the queue is stingy). On abort, workers take no new keys, in-flight
 * reconciles see the aborted signal, the queue is shut down, and the returned promise resolves
 * once every worker has returned. Keys still queued are dropped: a level-based controller
 * relists them when it starts again.
 */
import { isAborted } from './errors.ts';
import type { RateLimitingQueue } from './rate-limiting-queue.ts';

export interface CacheSyncWaiter {
  /** Resolves true once synced, false if `signal` aborted first. */
  waitForCacheSync(signal: AbortSignal): Promise<boolean>;
}

export interface ControllerLoopOptions<K> {
  readonly queue: RateLimitingQueue<K>;
  /** Compares actual with desired state for `key` and converges them; throw to retry. */
  readonly reconcile: (key: K, signal: AbortSignal) => Promise<void>;
  /** Concurrent workers. Default: 1 (sample-controller's main passes 2). */
  readonly workers?: number | undefined;
  /** Informers whose caches must be synced before the first reconcile. Default: none. */
  readonly informers?: readonly CacheSyncWaiter[] | undefined;
  /** Receives each failed reconcile (the key is requeued). Default: a line on stderr. */
  readonly onError?: ((err: unknown, key: K) => void) | undefined;
  readonly signal: AbortSignal;
}

export async function runControllerLoop<K>(options: ControllerLoopOptions<K>): Promise<void> {
  const { queue, signal } = options;
  const stop = (): void => {
    queue.shutDown();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    if (isAborted(signal)) return;
    const synced = await Promise.all(
      (options.informers ?? []).map((i) => i.waitForCacheSync(signal)),
    );
    if (isAborted(signal) || synced.includes(false)) return;
    const workers = Math.max(1, options.workers ?? 1);
    await Promise.all(Array.from({ length: workers }, () => runWorker(options)));
  } finally {
    signal.removeEventListener('abort', stop);
    queue.shutDown();
  }
}

async function runWorker<K>(options: ControllerLoopOptions<K>): Promise<void> {
  const { queue, signal } = options;
  const onError =
    options.onError ??
    ((err: unknown, key: K): void => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`controller: error syncing ${String(key)}; requeuing: ${message}\n`);
    });
  while (!isAborted(signal)) {
    const next = await queue.get();
    if (next.shutdown) return;
    const key = next.item;
    try {
      await options.reconcile(key, signal);
      queue.forget(key);
    } catch (err: unknown) {
      if (!isAborted(signal)) {
        onError(err, key);
        queue.addRateLimited(key);
      }
    } finally {
      queue.done(key);
    }
  }
}
