/**
 * Authenticates kubeadm bootstrap tokens `<id>.<secret>` against the `bootstrap-token-<id>`
 * Secret in kube-system (upstream's plugin/pkg/auth/authenticator/token/bootstrap): the user is
 * `system:bootstrap:<id>` in `system:bootstrappers` plus the Secret's auth-extra-groups. As
 * upstream, every mismatch (no such Secret, being deleted, wrong type, wrong secret — compared in
 * constant time — expired, not marked for authentication, bad extra groups) means "not this
 * authenticator's token", never an error, so other token authenticators still get their turn.
 */
import { timingSafeEqual } from 'node:crypto';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import type { JsonObject } from '../../api/json.ts';
import { BOOTSTRAP_TOKEN_PATTERN } from '../../pki/bootstrap-token.ts';
import {
  BOOTSTRAP_TOKEN_EXPIRATION_KEY,
  BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY,
  BOOTSTRAP_TOKEN_ID_KEY,
  BOOTSTRAP_TOKEN_SECRET_KEY,
  BOOTSTRAP_TOKEN_SECRET_NAMESPACE,
  BOOTSTRAP_TOKEN_USAGE_PREFIX,
  SECRET_TYPE_BOOTSTRAP_TOKEN,
  bootstrapTokenAuthGroups,
  bootstrapTokenSecretName,
  bootstrapTokenUserName,
  parseRfc3339,
} from '../../pki/bootstrap-token-secret.ts';
import type { TokenObjectGetter } from './service-account-token.ts';
import type { TokenAuthResponse, TokenAuthenticator } from './token-authenticator.ts';

export interface BootstrapTokenAuthenticatorOptions {
  /** Reads Secrets (only `kube-system/bootstrap-token-<id>` is asked for). */
  readonly objects: TokenObjectGetter;
  /** Default: the system clock. */
  readonly now?: () => Date;
}

/** cluster-bootstrap's GetData: a `data` value, base64-decoded; '' when absent. */
function secretData(data: JsonObject, key: string): string {
  const value = data[key];
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : '';
}

/** crypto/subtle.ConstantTimeCompare: different lengths are unequal at once, as in Go. */
function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  readonly #objects: TokenObjectGetter;
  readonly #now: () => Date;

  constructor(options: BootstrapTokenAuthenticatorOptions) {
    this.#objects = options.objects;
    this.#now = options.now ?? ((): Date => new Date());
  }

  async authenticateToken(token: string): Promise<TokenAuthResponse | undefined> {
    const match = BOOTSTRAP_TOKEN_PATTERN.exec(token);
    const tokenId = match?.[1];
    const tokenSecret = match?.[2];
    if (tokenId === undefined || tokenSecret === undefined) return undefined;
    const secret = await this.#objects.get(
      'Secret',
      BOOTSTRAP_TOKEN_SECRET_NAMESPACE,
      bootstrapTokenSecretName(tokenId),
    );
    if (secret === undefined) return undefined;
    if (stringField(objectField(secret, 'metadata'), 'deletionTimestamp') !== undefined) {
      return undefined;
    }
    const data = secret['data'];
    if (secret['type'] !== SECRET_TYPE_BOOTSTRAP_TOKEN || !isJsonObject(data)) return undefined;
    if (!constantTimeEqual(secretData(data, BOOTSTRAP_TOKEN_SECRET_KEY), tokenSecret)) {
      return undefined;
    }
    if (secretData(data, BOOTSTRAP_TOKEN_ID_KEY) !== tokenId) return undefined;
    const expiration = secretData(data, BOOTSTRAP_TOKEN_EXPIRATION_KEY);
    if (expiration !== '') {
      // An expiration that does not parse counts as expired (cluster-bootstrap's GetExpiration).
      const expires = parseRfc3339(expiration);
      if (expires === undefined || expires.getTime() - this.#now().getTime() <= 0) {
        return undefined;
      }
    }
    if (secretData(data, `${BOOTSTRAP_TOKEN_USAGE_PREFIX}authentication`) !== 'true') {
      return undefined;
    }
    const extra = secretData(data, BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY);
    let groups: string[];
    try {
      groups = bootstrapTokenAuthGroups(extra === '' ? [] : extra.split(','));
    } catch {
      return undefined;
    }
    return { user: { name: bootstrapTokenUserName(tokenId), groups }, audiences: [] };
  }
}
