/**
 * The loop shared by csrapproving and csrsigning (upstream's
 * pkg/controller/certificates/certificate_controller.go): every CSR add, update and delete
 * queues its name; a worker reads the CSR from the shared informer's cache, skips it once it has
 * a certificate, and hands a deep copy to the controller's `handle`. A thrown error retries the
 * CSR with upstream's backoff (200 ms doubling to 1000 s, 10 qps overall);
 * `CsrIgnorableError` retries silently. Not guaranteed: that `handle` sees every CSR version.
 */
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  RateLimitingQueue,
  deletionHandlingKey,
  runControllerLoop,
} from '../../client/index.ts';
import type { KubeObject } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import type { CertificateSigningRequest } from './csr-conditions.ts';
import { hasCertificate } from './csr-conditions.ts';
import { CsrIgnorableError } from './errors.ts';

export interface CertificateControllerOptions {
  /** Upstream's controller name, for logs. */
  readonly name: string;
  /** Converges one CSR (a copy: mutate freely). Throw to retry. */
  readonly handle: (csr: CertificateSigningRequest, signal: AbortSignal) => Promise<void>;
  /** Runs once before the workers start (loading the CA); a throw fails `run`. Default: none. */
  readonly prepare?: (() => Promise<void>) | undefined;
  /** Concurrent workers. Default: 5, as the controller manager starts upstream's. */
  readonly workers?: number | undefined;
}

export function newCertificateController(
  ctx: ControllerContext,
  options: CertificateControllerOptions,
): Controller {
  // Asked for at construction, so the manager's cache-sync wait covers it.
  const informer = ctx.informers.informerFor<CertificateSigningRequest & KubeObject>(
    RESOURCES.csrs,
  );
  return {
    name: options.name,
    run: async (signal: AbortSignal): Promise<void> => {
      if (signal.aborted) return;
      await options.prepare?.();
      const queue = new RateLimitingQueue<string>({
        clock: ctx.clock,
        rateLimiter: new MaxOfRateLimiter<string>(
          new ItemExponentialFailureRateLimiter<string>(200, 1_000_000),
          new BucketRateLimiter<string>(10, 100, ctx.clock),
        ),
      });
      const enqueue = (obj: KubeObject): void => {
        queue.add(deletionHandlingKey(obj));
      };
      const registration = informer.addEventHandler({
        onAdd: enqueue,
        onUpdate: (_old, obj) => {
          enqueue(obj);
        },
        onDelete: (obj) => {
          queue.add(deletionHandlingKey(obj));
        },
      });
      try {
        await runControllerLoop({
          queue,
          signal,
          workers: options.workers ?? 5,
          informers: [informer],
          reconcile: async (key, keySignal) => {
            const csr = informer.indexer.getByKey(key);
            if (csr === undefined || hasCertificate(csr)) return;
            await options.handle(structuredClone(csr), keySignal);
          },
          onError: (err, key) => {
            if (err instanceof CsrIgnorableError) return;
            ctx.log('error', 'error syncing CSR; requeuing', {
              controller: options.name,
              csr: key,
              error: err instanceof Error ? err.message : String(err),
            });
          },
        });
      } finally {
        registration.remove();
      }
    },
  };
}
