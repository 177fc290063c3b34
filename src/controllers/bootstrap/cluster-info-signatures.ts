/**
 * The bootstrap signer's decision (upstream's bootstrapsigner.go signConfigMap): given
 * cluster-info's data and the tokens that may sign, the data it should have — exactly one
 * `jws-kubeconfig-<id>` per signing token over the `kubeconfig` value, stale ones removed,
 * other keys untouched — and whether that differs from what is stored. Without a
 * `kubeconfig` key there is nothing to sign. Pure (the JWS is computed, not fetched).
 */
import {
  CLUSTER_INFO_KUBECONFIG_KEY,
  JWS_SIGNATURE_KEY_PREFIX,
  computeDetachedSignature,
  jwsSignatureKey,
} from '../../pki/index.ts';
import type { SigningToken } from './bootstrap-token-secrets.ts';

export interface ClusterInfoSignaturePlan {
  /** True when `data` differs from the stored data (a signature added, changed or removed). */
  readonly shouldUpdate: boolean;
  readonly data: Readonly<Record<string, string>>;
}

export async function planClusterInfoSignatures(
  stored: Readonly<Record<string, string>>,
  tokens: readonly Pick<SigningToken, 'id' | 'secret'>[],
): Promise<ClusterInfoSignaturePlan | undefined> {
  const content = stored[CLUSTER_INFO_KUBECONFIG_KEY];
  if (content === undefined) return undefined;
  const data: Record<string, string> = {};
  const oldSignatures = new Map<string, string>();
  for (const [key, value] of Object.entries(stored)) {
    if (key.startsWith(JWS_SIGNATURE_KEY_PREFIX)) oldSignatures.set(key, value);
    else data[key] = value;
  }
  let shouldUpdate = false;
  const seen = new Set<string>();
  for (const token of tokens) {
    // Duplicate IDs cannot happen (the Secret name holds the ID); upstream keeps the first.
    if (seen.has(token.id)) continue;
    seen.add(token.id);
    const key = jwsSignatureKey(token.id);
    const signature = await computeDetachedSignature(content, token.id, token.secret);
    if (oldSignatures.get(key) !== signature) shouldUpdate = true;
    oldSignatures.delete(key);
    data[key] = signature;
  }
  if (oldSignatures.size > 0) shouldUpdate = true;
  return { shouldUpdate, data };
}
