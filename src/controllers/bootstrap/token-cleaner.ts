/**
 * The tokencleaner controller (upstream's pkg/controller/bootstrap/tokencleaner.go): deletes
 * `bootstrap.kubernetes.io/token` Secrets in kube-system once their expiration passes (or
 * does not parse), with a UID precondition so a re-created Secret of the same name survives.
 * A Secret not yet expired is looked at again when it expires. Tokens without an expiration
 * are never touched.
 */
import {
  RateLimitingQueue,
  defaultControllerRateLimiter,
  deletionHandlingKey,
  isConflict,
  isNotFound,
  runControllerLoop,
  splitMetaNamespaceKey,
} from '../../client/index.ts';
import type { KubeObject } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { bootstrapTokenExpiry, isBootstrapTokenSecret } from './bootstrap-token-secrets.ts';
import type { Secret } from './bootstrap-token-secrets.ts';

export const TOKEN_CLEANER_CONTROLLER_NAME = 'tokencleaner';

export function newTokenCleaner(ctx: ControllerContext): Controller {
  // Asked for at construction, so the manager's cache-sync wait covers it.
  const secrets = ctx.informers.informerFor<Secret & KubeObject>(RESOURCES.secrets);
  return {
    name: TOKEN_CLEANER_CONTROLLER_NAME,
    run: async (signal: AbortSignal): Promise<void> => {
      if (signal.aborted) return;
      const queue = new RateLimitingQueue<string>({
        clock: ctx.clock,
        rateLimiter: defaultControllerRateLimiter<string>(ctx.clock),
      });
      const onSecret = (obj: Secret & KubeObject): void => {
        if (isBootstrapTokenSecret(obj)) queue.add(deletionHandlingKey(obj));
      };
      const registration = secrets.addEventHandler({
        onAdd: onSecret,
        onUpdate: (_old, obj) => {
          onSecret(obj);
        },
      });

      const reconcile = async (key: string, keySignal: AbortSignal): Promise<void> => {
        const secret = secrets.indexer.getByKey(key);
        if (secret === undefined || !isBootstrapTokenSecret(secret)) return;
        const expiry = bootstrapTokenExpiry(secret, ctx.clock.now());
        if (expiry.kind === 'never') return;
        if (expiry.kind === 'expires') {
          queue.addAfter(key, expiry.ttlMs);
          return;
        }
        const { namespace, name } = splitMetaNamespaceKey(key);
        const uid = secret.metadata?.uid;
        try {
          await ctx.client.delete(
            { ...RESOURCES.secrets, namespace, name },
            { signal: keySignal, ...(uid === undefined ? {} : { preconditions: { uid } }) },
          );
          ctx.log('info', 'deleted expired bootstrap token', { secret: key });
        } catch (err: unknown) {
          // NotFound: already gone. Conflict: the UID precondition failed (a new Secret).
          if (!isConflict(err) && !isNotFound(err)) throw err;
        }
      };

      try {
        await runControllerLoop({
          queue,
          signal,
          reconcile,
          informers: [secrets],
          onError: (err, key) => {
            ctx.log('error', 'error cleaning bootstrap token; requeuing', {
              controller: TOKEN_CLEANER_CONTROLLER_NAME,
              secret: key,
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

/** The `tokencleaner` entry of the built-in controller table. */
export const tokenCleanerController: ControllerFactory = newTokenCleaner;
