/**
 * The bootstrapsigner controller (upstream's pkg/controller/bootstrap/bootstrapsigner.go):
 * keeps `kube-public/cluster-info` signed with a `jws-kubeconfig-<id>` detached JWS for every
 * valid, unexpired bootstrap token marked `usage-bootstrap-signing: "true"`, and removes the
 * signatures of tokens that are gone, expired or no longer for signing. Any change to
 * cluster-info or to a bootstrap-token Secret resyncs it; unlike upstream, it also resyncs when
 * the soonest token expires, so a signature never outlives its token even if the token cleaner
 * lags. Write conflicts are left to the resync the newer ConfigMap triggers.
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.d.ts';
import {
  RateLimitingQueue,
  defaultControllerRateLimiter,
  isConflict,
  isNotFound,
  runControllerLoop,
} from '../../client/index.ts';
import type { KubeObject } from '../../client/index.ts';
import { BOOTSTRAP_TOKEN_SECRET_NAMESPACE, CLUSTER_INFO_CONFIGMAP } from '../../pki/index.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { isBootstrapTokenSecret, signingTokenFromSecret } from './bootstrap-token-secrets.ts';
import type { Secret, SigningToken } from './bootstrap-token-secrets.ts';
import { planClusterInfoSignatures } from './cluster-info-signatures.ts';

export const BOOTSTRAP_SIGNER_CONTROLLER_NAME = 'bootstrapsigner';
/** bootstrapapi.ConfigMapClusterInfo lives in kube-public (metav1.NamespacePublic). */
export const CLUSTER_INFO_NAMESPACE = 'kube-public';
const KEY = `${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_CONFIGMAP}`;

function isClusterInfo(obj: KubeObject): boolean {
  return (
    obj.metadata?.namespace === CLUSTER_INFO_NAMESPACE &&
    obj.metadata.name === CLUSTER_INFO_CONFIGMAP
  );
}

/** Tokens that sign, ordered by Secret name so duplicates resolve the same way every time. */
export function signingTokens(secrets: readonly Secret[], nowMs: number): SigningToken[] {
  return secrets
    .filter(isBootstrapTokenSecret)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((s) => signingTokenFromSecret(s, nowMs))
    .filter((t): t is SigningToken => t !== undefined);
}

export function newBootstrapSigner(ctx: ControllerContext): Controller {
  // Asked for at construction, so the manager's cache-sync wait covers them.
  const configMaps = ctx.informers.informerFor<ConfigMap & KubeObject>(RESOURCES.configMaps);
  const secrets = ctx.informers.informerFor<Secret & KubeObject>(RESOURCES.secrets);
  return {
    name: BOOTSTRAP_SIGNER_CONTROLLER_NAME,
    run: async (signal: AbortSignal): Promise<void> => {
      if (signal.aborted) return;
      const queue = new RateLimitingQueue<string>({
        clock: ctx.clock,
        rateLimiter: defaultControllerRateLimiter<string>(ctx.clock),
      });
      const poke = (): void => {
        queue.add(KEY);
      };
      const onConfigMap = (obj: KubeObject): void => {
        if (isClusterInfo(obj)) poke();
      };
      const onSecret = (obj: Secret): void => {
        if (isBootstrapTokenSecret(obj)) poke();
      };
      const registrations = [
        configMaps.addEventHandler({
          onAdd: onConfigMap,
          onUpdate: (_old, obj) => {
            onConfigMap(obj);
          },
        }),
        secrets.addEventHandler({
          onAdd: onSecret,
          onUpdate: (_old, obj) => {
            onSecret(obj);
          },
          // A deleted token's signature must go, whatever state the tombstone carries.
          onDelete: poke,
        }),
      ];

      const reconcile = async (key: string, keySignal: AbortSignal): Promise<void> => {
        const cm = configMaps.indexer.getByKey(key);
        if (cm === undefined) return;
        const nowMs = ctx.clock.now();
        const tokens = signingTokens(
          secrets.indexer
            .list()
            .filter((s) => s.metadata?.namespace === BOOTSTRAP_TOKEN_SECRET_NAMESPACE),
          nowMs,
        );
        const ttls = tokens.flatMap((t) => (t.expiry.kind === 'expires' ? [t.expiry.ttlMs] : []));
        if (ttls.length > 0) queue.addAfter(key, Math.min(...ttls));
        const plan = await planClusterInfoSignatures(cm.data ?? {}, tokens);
        if (plan === undefined || !plan.shouldUpdate) return;
        try {
          await ctx.client.update(
            {
              ...RESOURCES.configMaps,
              namespace: CLUSTER_INFO_NAMESPACE,
              name: CLUSTER_INFO_CONFIGMAP,
            },
            { ...cm, data: { ...plan.data } },
            { signal: keySignal },
          );
          ctx.log('info', 'updated cluster-info signatures', { tokens: tokens.length });
        } catch (err: unknown) {
          if (!isConflict(err) && !isNotFound(err)) throw err;
        }
      };

      try {
        await runControllerLoop({
          queue,
          signal,
          reconcile,
          informers: [configMaps, secrets],
          onError: (err) => {
            ctx.log('error', 'error signing cluster-info; requeuing', {
              controller: BOOTSTRAP_SIGNER_CONTROLLER_NAME,
              error: err instanceof Error ? err.message : String(err),
            });
          },
        });
      } finally {
        for (const r of registrations) r.remove();
      }
    },
  };
}

/** The `bootstrapsigner` entry of the built-in controller table. */
export const bootstrapSignerController: ControllerFactory = newBootstrapSigner;
