/**
 * The detached JWS that proves a bootstrap-token holder that `kube-public/cluster-info` is
 * genuine, byte-for-byte as k8s.io/cluster-bootstrap/token/jws: HS256 keyed by the token
 * *secret* (zero-padded to 32 bytes, which leaves HMAC unchanged), protected header exactly
 * {"alg":"HS256","kid":"<token-id>"}, payload elided: `<header>..<signature>`. Verification
 * recomputes and compares in constant time, like DetachedTokenIsValid's string equality.
 */
import { CompactSign } from 'jose';
import { timingSafeEqual } from 'node:crypto';
import type { BootstrapToken } from './bootstrap-token.ts';
import { PkiJwsSignatureInvalidError, PkiJwsSignatureMissingError } from './errors.ts';

/** cluster-info's data key holding the kubeconfig (bootstrapapi.KubeConfigKey). */
export const CLUSTER_INFO_KUBECONFIG_KEY = 'kubeconfig';
/** Data key prefix of the per-token signatures (bootstrapapi.JWSSignatureKeyPrefix). */
export const JWS_SIGNATURE_KEY_PREFIX = 'jws-kubeconfig-';
/** bootstrapapi.ConfigMapClusterInfo, in the kube-public namespace. */
export const CLUSTER_INFO_CONFIGMAP = 'cluster-info';

/** Upstream pads short secrets with zeros to 32 bytes for go-jose's HS256 minimum. */
function hmacKey(tokenSecret: string): Uint8Array {
  const secret = Buffer.from(tokenSecret, 'utf8');
  if (secret.length >= 32) return new Uint8Array(secret);
  const key = new Uint8Array(32);
  key.set(secret);
  return key;
}

/**
 * jws.ComputeDetachedSignature(content, tokenID, tokenSecret). The ID and secret are not
 * format-checked here, as upstream does not.
 */
export async function computeDetachedSignature(
  content: string,
  tokenId: string,
  tokenSecret: string,
): Promise<string> {
  const compact = await new CompactSign(new TextEncoder().encode(content))
    .setProtectedHeader({ alg: 'HS256', kid: tokenId })
    .sign(hmacKey(tokenSecret));
  const [header = '', , signature = ''] = compact.split('.');
  return `${header}..${signature}`;
}

/** jws.DetachedTokenIsValid: does `detached` sign `content` with this token? */
export async function isValidDetachedSignature(
  detached: string,
  content: string,
  tokenId: string,
  tokenSecret: string,
): Promise<boolean> {
  const expected = Buffer.from(await computeDetachedSignature(content, tokenId, tokenSecret));
  const actual = Buffer.from(detached);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The `jws-kubeconfig-<id>` data key for a token ID. */
export function jwsSignatureKey(tokenId: string): string {
  return `${JWS_SIGNATURE_KEY_PREFIX}${tokenId}`;
}

/**
 * The signatures the bootstrap signer keeps in cluster-info: one `jws-kubeconfig-<id>` entry
 * per token usable for signing, over the `kubeconfig` value.
 */
export async function signClusterInfo(
  kubeconfig: string,
  tokens: readonly BootstrapToken[],
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    tokens.map(
      async (token) =>
        [
          jwsSignatureKey(token.id),
          await computeDetachedSignature(kubeconfig, token.id, token.secret),
        ] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/**
 * What `kubeadm join` does with an (insecurely fetched) cluster-info ConfigMap's data
 * (validateClusterInfoToken): returns the kubeconfig text if it carries a valid signature for
 * `token`; otherwise throws PkiJwsSignatureMissingError or PkiJwsSignatureInvalidError.
 */
export async function verifyClusterInfo(
  data: Readonly<Record<string, string | undefined>>,
  token: BootstrapToken,
): Promise<string> {
  const kubeconfig = data[CLUSTER_INFO_KUBECONFIG_KEY] ?? '';
  if (kubeconfig.length === 0) {
    throw new PkiJwsSignatureMissingError(
      token.id,
      `there is no ${CLUSTER_INFO_KUBECONFIG_KEY} key in the ${CLUSTER_INFO_CONFIGMAP} ConfigMap. This API Server isn't set up for token bootstrapping, can't connect`,
    );
  }
  const detached = data[jwsSignatureKey(token.id)] ?? '';
  if (detached.length === 0) {
    throw new PkiJwsSignatureMissingError(
      token.id,
      `token id ${JSON.stringify(token.id)} is invalid for this cluster or it has expired. Use "k8ts token create" on the control-plane node to create a new valid token`,
    );
  }
  if (!(await isValidDetachedSignature(detached, kubeconfig, token.id, token.secret))) {
    throw new PkiJwsSignatureInvalidError(token.id);
  }
  return kubeconfig;
}
