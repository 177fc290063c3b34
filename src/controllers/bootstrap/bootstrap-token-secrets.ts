/**
 * How the bootstrap signer and the token cleaner read `bootstrap-token-<id>` Secrets, as
 * k8s.io/cluster-bootstrap/secret (GetData, GetExpiration, ParseName) and the signer's
 * validateSecretForSigning: data values are base64-decoded, an expiration that does not parse
 * counts as already expired (so the cleaner removes it and nobody signs with it). Pure; the
 * token secret is returned only to sign with, never put into messages.
 */
import type { Secret } from 'kubernetes-types/core/v1.d.ts';
import {
  BOOTSTRAP_TOKEN_EXPIRATION_KEY,
  BOOTSTRAP_TOKEN_ID_KEY,
  BOOTSTRAP_TOKEN_SECRET_KEY,
  BOOTSTRAP_TOKEN_SECRET_NAMESPACE,
  BOOTSTRAP_TOKEN_USAGE_PREFIX,
  SECRET_TYPE_BOOTSTRAP_TOKEN,
  parseRfc3339,
} from '../../pki/index.ts';

export type { Secret };

/** bootstrapapi.BootstrapTokenSecretPattern. */
const SECRET_NAME_PATTERN = /^bootstrap-token-([a-z0-9]{6})$/;

/**
 * * `never` - no expiration key
 * * `expired` - at or past its expiration, or the expiration does not parse
 * * `expires` - still valid for `ttlMs`
 */
export type TokenExpiry =
  | { readonly kind: 'never' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'expires'; readonly ttlMs: number };

/** A token the signer signs cluster-info with. */
export interface SigningToken {
  readonly id: string;
  readonly secret: string;
  readonly expiry: TokenExpiry;
}

/** GetData: the base64-decoded value of `key`, '' when absent. */
export function secretValue(secret: Secret, key: string): string {
  const value = secret.data?.[key];
  return value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
}

/** A Secret the bootstrap controllers look at: type bootstrap token, in kube-system. */
export function isBootstrapTokenSecret(secret: Secret): boolean {
  return (
    secret.type === SECRET_TYPE_BOOTSTRAP_TOKEN &&
    secret.metadata?.namespace === BOOTSTRAP_TOKEN_SECRET_NAMESPACE
  );
}

/** GetExpiration at `nowMs`. */
export function bootstrapTokenExpiry(secret: Secret, nowMs: number): TokenExpiry {
  const text = secretValue(secret, BOOTSTRAP_TOKEN_EXPIRATION_KEY);
  if (text === '') return { kind: 'never' };
  const expires = parseRfc3339(text);
  if (expires === undefined) return { kind: 'expired' };
  const ttlMs = expires.getTime() - nowMs;
  return ttlMs <= 0 ? { kind: 'expired' } : { kind: 'expires', ttlMs };
}

/** validateSecretForSigning: a well-named, unexpired token marked usage-bootstrap-signing. */
export function signingTokenFromSecret(secret: Secret, nowMs: number): SigningToken | undefined {
  const nameId = SECRET_NAME_PATTERN.exec(secret.metadata?.name ?? '')?.[1];
  if (nameId === undefined) return undefined;
  const id = secretValue(secret, BOOTSTRAP_TOKEN_ID_KEY);
  if (id === '' || id !== nameId) return undefined;
  const tokenSecret = secretValue(secret, BOOTSTRAP_TOKEN_SECRET_KEY);
  if (tokenSecret === '') return undefined;
  const expiry = bootstrapTokenExpiry(secret, nowMs);
  if (expiry.kind === 'expired') return undefined;
  if (secretValue(secret, `${BOOTSTRAP_TOKEN_USAGE_PREFIX}signing`) !== 'true') return undefined;
  return { id, secret: tokenSecret, expiry };
}
