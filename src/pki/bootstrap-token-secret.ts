/**
 * The `bootstrap-token-<id>` Secret exactly as kubeadm's encodeTokenSecretData writes it (token-id,
 * token-secret, description if set, UTC RFC 3339 expiration if it expires, usage-bootstrap-<u>:
 * "true", comma-joined auth-extra-groups), plus the reading side for the authenticator, signer and
 * cleaner. Values are plain strings (base64-decode `data` first); errors never hold the secret.
 */
import { BootstrapToken } from './bootstrap-token.ts';
import { PkiInvalidArgumentError, PkiInvalidBootstrapTokenSecretError } from './errors.ts';

export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_SECRET_NAMESPACE = 'kube-system';
export const SECRET_TYPE_BOOTSTRAP_TOKEN = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_ID_KEY = 'token-id';
export const BOOTSTRAP_TOKEN_SECRET_KEY = 'token-secret';
export const BOOTSTRAP_TOKEN_EXPIRATION_KEY = 'expiration';
export const BOOTSTRAP_TOKEN_DESCRIPTION_KEY = 'description';
export const BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY = 'auth-extra-groups';
export const BOOTSTRAP_TOKEN_USAGE_PREFIX = 'usage-bootstrap-';
/** Bootstrap-token users are `system:bootstrap:<id>` ... */
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
/** ... in this group, plus any auth-extra-groups. */
export const BOOTSTRAP_DEFAULT_GROUP = 'system:bootstrappers';
/** k8s.io/cluster-bootstrap/token/api.BootstrapGroupPattern. */
export const BOOTSTRAP_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export type BootstrapTokenUsage = 'signing' | 'authentication';
/** kubeadm's DefaultTokenUsages (= KnownTokenUsages). */
export const DEFAULT_TOKEN_USAGES: readonly BootstrapTokenUsage[] = ['signing', 'authentication'];
/** kubeadm's DefaultTokenGroups. */
export const DEFAULT_TOKEN_GROUPS: readonly string[] = [
  'system:bootstrappers:kubeadm:default-node-token',
];
/** kubeadm's DefaultTokenDuration: 24 hours. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface BootstrapTokenSecretOptions {
  readonly token: BootstrapToken;
  /** Default: none (the key is omitted). */
  readonly description?: string;
  /** Time to live from `now`. Default 24 h; 0 means the token never expires. */
  readonly ttlMs?: number;
  /** Absolute expiry; wins over `ttlMs` (as in kubeadm). */
  readonly expires?: Date;
  /** Default DEFAULT_TOKEN_USAGES (both). */
  readonly usages?: readonly BootstrapTokenUsage[];
  /** Extra groups; each must match BOOTSTRAP_GROUP_PATTERN. Default DEFAULT_TOKEN_GROUPS. */
  readonly groups?: readonly string[];
  /** Injected clock; default `new Date()`. */
  readonly now?: Date;
}

/** A Secret as plain data; `stringData` holds the token secret, so treat it as one. */
export interface BootstrapTokenSecret {
  readonly name: string;
  readonly namespace: string;
  readonly type: string;
  readonly stringData: Readonly<Record<string, string>>;
}

/** What a bootstrap-token Secret says. `expires` is undefined for a token that never expires. */
export interface ParsedBootstrapTokenSecret {
  readonly token: BootstrapToken;
  readonly description: string | undefined;
  readonly expires: Date | undefined;
  /** Usages set to "true", sorted (unknown usage names included, as upstream does). */
  readonly usages: readonly string[];
  /** auth-extra-groups, in order. */
  readonly groups: readonly string[];
}

export function bootstrapTokenSecretName(tokenId: string): string {
  return `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${tokenId}`;
}

/** Go's `time.Time.UTC().Format(time.RFC3339)`: second precision, `Z`. */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp (offsets and fractions allowed, as Go's time.Parse), or undefined. */
export function parseRfc3339(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function validateGroup(group: string): void {
  if (!BOOTSTRAP_GROUP_PATTERN.test(group)) {
    throw new PkiInvalidArgumentError(
      `bootstrap group ${JSON.stringify(group)} is invalid (must match ${BOOTSTRAP_GROUP_PATTERN.source})`,
    );
  }
}

/** The Secret kubeadm would create for `options.token`. */
export function bootstrapTokenToSecret(options: BootstrapTokenSecretOptions): BootstrapTokenSecret {
  const { token } = options;
  const data: Record<string, string> = {
    [BOOTSTRAP_TOKEN_ID_KEY]: token.id,
    [BOOTSTRAP_TOKEN_SECRET_KEY]: token.secret,
  };
  if (options.description !== undefined && options.description.length > 0) {
    data[BOOTSTRAP_TOKEN_DESCRIPTION_KEY] = options.description;
  }
  const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new PkiInvalidArgumentError('ttlMs must be a non-negative number of milliseconds');
  }
  if (options.expires !== undefined) {
    data[BOOTSTRAP_TOKEN_EXPIRATION_KEY] = formatRfc3339(options.expires);
  } else if (ttlMs > 0) {
    const now = options.now ?? new Date();
    data[BOOTSTRAP_TOKEN_EXPIRATION_KEY] = formatRfc3339(new Date(now.getTime() + ttlMs));
  }
  for (const usage of options.usages ?? DEFAULT_TOKEN_USAGES) {
    data[`${BOOTSTRAP_TOKEN_USAGE_PREFIX}${usage}`] = 'true';
  }
  const groups = options.groups ?? DEFAULT_TOKEN_GROUPS;
  groups.forEach(validateGroup);
  if (groups.length > 0) data[BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY] = groups.join(',');
  return {
    name: bootstrapTokenSecretName(token.id),
    namespace: BOOTSTRAP_TOKEN_SECRET_NAMESPACE,
    type: SECRET_TYPE_BOOTSTRAP_TOKEN,
    stringData: data,
  };
}

/**
 * Read a bootstrap-token Secret (kubeadm's BootstrapTokenFromSecret): the name must be
 * `bootstrap-token-<token-id>`, both halves must be well-formed, and an expiration that does not
 * parse is an error. Errors never contain the token secret.
 */
export function bootstrapTokenFromSecret(secret: {
  readonly name: string;
  readonly stringData: Readonly<Record<string, string | undefined>>;
}): ParsedBootstrapTokenSecret {
  const data = secret.stringData;
  const tokenId = data[BOOTSTRAP_TOKEN_ID_KEY] ?? '';
  if (tokenId.length === 0) {
    throw new PkiInvalidBootstrapTokenSecretError(`Secret ${secret.name} has no token-id data`);
  }
  if (secret.name !== bootstrapTokenSecretName(tokenId)) {
    throw new PkiInvalidBootstrapTokenSecretError(
      `name is not of the form 'bootstrap-token-(token-id)'. Actual: ${JSON.stringify(secret.name)}. Expected: ${JSON.stringify(bootstrapTokenSecretName(tokenId))}`,
    );
  }
  const tokenSecret = data[BOOTSTRAP_TOKEN_SECRET_KEY] ?? '';
  if (tokenSecret.length === 0) {
    throw new PkiInvalidBootstrapTokenSecretError(`Secret ${secret.name} has no token-secret data`);
  }
  let token: BootstrapToken;
  try {
    token = BootstrapToken.fromIdAndSecret(tokenId, tokenSecret);
  } catch {
    throw new PkiInvalidBootstrapTokenSecretError(
      `Secret ${secret.name} is invalid and couldn't be parsed: token-id or token-secret is malformed`,
    );
  }
  const expirationText = data[BOOTSTRAP_TOKEN_EXPIRATION_KEY] ?? '';
  let expires: Date | undefined;
  if (expirationText.length > 0) {
    expires = parseRfc3339(expirationText);
    if (expires === undefined) {
      throw new PkiInvalidBootstrapTokenSecretError(
        `can't parse expiration time of bootstrap token ${JSON.stringify(secret.name)}`,
      );
    }
  }
  const usages = Object.entries(data)
    .filter(([key, value]) => key.startsWith(BOOTSTRAP_TOKEN_USAGE_PREFIX) && value === 'true')
    .map(([key]) => key.slice(BOOTSTRAP_TOKEN_USAGE_PREFIX.length))
    .sort();
  const groupsText = data[BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY] ?? '';
  const description = data[BOOTSTRAP_TOKEN_DESCRIPTION_KEY];
  return {
    token,
    description: description === undefined || description === '' ? undefined : description,
    expires,
    usages,
    groups: groupsText === '' ? [] : groupsText.split(','),
  };
}

/** True once `now` reaches the expiration (cluster-bootstrap's HasExpired; no expiry = never). */
export function isBootstrapTokenExpired(parsed: ParsedBootstrapTokenSecret, now: Date): boolean {
  return parsed.expires !== undefined && parsed.expires.getTime() - now.getTime() <= 0;
}

/**
 * The groups a bootstrap token authenticates as (cluster-bootstrap's GetGroups):
 * `system:bootstrappers` plus the validated extra groups, de-duplicated and sorted.
 */
export function bootstrapTokenAuthGroups(extraGroups: readonly string[]): string[] {
  extraGroups.forEach(validateGroup);
  return [...new Set([BOOTSTRAP_DEFAULT_GROUP, ...extraGroups])].sort();
}

/** `system:bootstrap:<id>`, the user name a bootstrap token authenticates as. */
export function bootstrapTokenUserName(tokenId: string): string {
  return `${BOOTSTRAP_USER_PREFIX}${tokenId}`;
}
