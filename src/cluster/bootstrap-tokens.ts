/**
 * Bootstrap tokens on the server, as kubeadm's tokenphase and `kubeadm token` handle them:
 * `bootstrap-token-<id>` Secrets in kube-system (pki/bootstrap-token-secret.ts writes the exact
 * data), created (failing or updating when the ID exists), listed through the
 * `type=bootstrap.kubernetes.io/token` field selector, and deleted by ID or full token. Options
 * are validated as kubeadm validates them; messages never contain a token secret.
 */
import type { Secret } from 'kubernetes-types/core/v1.d.ts';
import { shortHumanDuration } from '../api/printers/human-duration.ts';
import { isAlreadyExists, isNotFound } from '../client/index.ts';
import type { KubeObject, RestClient } from '../client/index.ts';
import {
  BOOTSTRAP_GROUP_PATTERN,
  BOOTSTRAP_TOKEN_SECRET_NAMESPACE,
  BootstrapToken,
  DEFAULT_TOKEN_GROUPS,
  DEFAULT_TOKEN_USAGES,
  SECRET_TYPE_BOOTSTRAP_TOKEN,
  bootstrapTokenFromSecret,
  bootstrapTokenSecretName,
  bootstrapTokenToSecret,
  formatRfc3339,
  isValidBootstrapTokenId,
} from '../pki/index.ts';
import type { BootstrapTokenUsage, ParsedBootstrapTokenSecret } from '../pki/index.ts';
import { formatTable } from '../util/tab-writer.ts';
import { CORE, createOrUpdate } from './admin-client.ts';

export class BootstrapTokenError extends Error {
  readonly code = 'BOOTSTRAP_TOKEN';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BootstrapTokenError';
  }
}

const SECRETS = CORE('secrets', BOOTSTRAP_TOKEN_SECRET_NAMESPACE);
const KNOWN_USAGES: readonly BootstrapTokenUsage[] = ['signing', 'authentication'];

export interface TokenSpec {
  /** Default: a new random token. */
  readonly token?: BootstrapToken;
  /** Default: 24 h; 0 = never expires. */
  readonly ttlMs?: number;
  /** Default: none. */
  readonly description?: string;
  /** Default: signing, authentication. */
  readonly usages?: readonly string[];
  /** Default: system:bootstrappers:kubeadm:default-node-token. */
  readonly groups?: readonly string[];
}

/** kubeadm's ValidateTokenUsages + ValidateTokenGroups. */
export function validateTokenSpec(spec: TokenSpec): {
  usages: BootstrapTokenUsage[];
  groups: string[];
} {
  const usages = [...(spec.usages ?? DEFAULT_TOKEN_USAGES)];
  for (const u of usages) {
    if (!KNOWN_USAGES.includes(u as BootstrapTokenUsage))
      throw new BootstrapTokenError(
        `invalid bootstrap token usage string: ${u}, valid usage options: ${KNOWN_USAGES.join(',')}`,
      );
  }
  const groups = [...(spec.groups ?? DEFAULT_TOKEN_GROUPS)];
  if (groups.length > 0 && !usages.includes('authentication'))
    throw new BootstrapTokenError(
      'token groups cannot be specified unless --usages includes "authentication" (pass --groups "" for a signing-only token)',
    );
  for (const g of groups) {
    if (!BOOTSTRAP_GROUP_PATTERN.test(g))
      throw new BootstrapTokenError(
        `bootstrap group ${JSON.stringify(g)} is invalid (must match ${BOOTSTRAP_GROUP_PATTERN.source})`,
      );
  }
  const ttlMs = spec.ttlMs ?? 24 * 3600 * 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 0)
    throw new BootstrapTokenError('--ttl must be a duration such as 24h, or 0 for no expiry');
  return { usages: usages as BootstrapTokenUsage[], groups };
}

function toSecretObject(spec: TokenSpec, token: BootstrapToken, now: Date): Secret & KubeObject {
  const { usages, groups } = validateTokenSpec(spec);
  const s = bootstrapTokenToSecret({
    token,
    usages,
    groups,
    ttlMs: spec.ttlMs ?? 24 * 3600 * 1000,
    now,
    ...(spec.description === undefined ? {} : { description: spec.description }),
  });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: s.name, namespace: s.namespace },
    type: s.type,
    data: Object.fromEntries(
      Object.entries(s.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
  };
}

/**
 * Stores a token. `failIfExists` (token create) refuses an existing ID; otherwise (init) the
 * Secret is replaced, as kubeadm's UpdateOrCreateTokens.
 */
export async function storeBootstrapToken(
  client: RestClient,
  spec: TokenSpec,
  failIfExists: boolean,
  now = new Date(),
): Promise<BootstrapToken> {
  const token = spec.token ?? BootstrapToken.generate();
  const body = toSecretObject(spec, token, now);
  if (!failIfExists) {
    await createOrUpdate(client, SECRETS, body as KubeObject & { metadata: { name: string } });
    return token;
  }
  try {
    await client.create(SECRETS, body);
  } catch (err: unknown) {
    if (isAlreadyExists(err))
      throw new BootstrapTokenError(`a token with id ${JSON.stringify(token.id)} already exists`, {
        cause: err,
      });
    throw err;
  }
  return token;
}

function decodeData(secret: Secret): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
  );
}

export interface TokenListing {
  readonly tokens: readonly ParsedBootstrapTokenSecret[];
  /** One line per Secret that does not parse (kubeadm prints these to stderr). */
  readonly errors: readonly string[];
}

export async function listBootstrapTokens(client: RestClient): Promise<TokenListing> {
  const list = await client.list<Secret & KubeObject>(SECRETS, {
    fieldSelector: `type=${SECRET_TYPE_BOOTSTRAP_TOKEN}`,
  });
  const tokens: ParsedBootstrapTokenSecret[] = [];
  const errors: string[] = [];
  for (const secret of list.items) {
    try {
      tokens.push(
        bootstrapTokenFromSecret({
          name: secret.metadata?.name ?? '',
          stringData: decodeData(secret),
        }),
      );
    } catch (err: unknown) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { tokens, errors };
}

/** kubeadm's `token list` table (TOKEN TTL EXPIRES USAGES DESCRIPTION EXTRA GROUPS). */
export function formatTokenList(tokens: readonly ParsedBootstrapTokenSecret[], now: Date): string {
  const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
  for (const t of tokens) {
    const expires = t.expires;
    rows.push([
      t.token.value,
      expires === undefined ? '<forever>' : shortHumanDuration(expires.getTime() - now.getTime()),
      expires === undefined ? '<never>' : formatRfc3339(expires),
      t.usages.length === 0 ? '<none>' : t.usages.join(','),
      t.description ?? '<none>',
      t.groups.length === 0 ? '<none>' : t.groups.join(','),
    ]);
  }
  return formatTable(rows, 10, 3);
}

/** Deletes by token ID or full token; returns the ID. */
export async function deleteBootstrapToken(client: RestClient, idOrToken: string): Promise<string> {
  let id = idOrToken;
  if (!isValidBootstrapTokenId(idOrToken)) {
    try {
      id = BootstrapToken.parse(idOrToken).id;
    } catch {
      throw new BootstrapTokenError(
        'the given token did not match the pattern "[a-z0-9]{6}" (a token ID) or "[a-z0-9]{6}.[a-z0-9]{16}" (a token)',
      );
    }
  }
  try {
    await client.delete({ ...SECRETS, name: bootstrapTokenSecretName(id) });
  } catch (err: unknown) {
    if (isNotFound(err))
      throw new BootstrapTokenError(
        `failed to delete bootstrap token ${JSON.stringify(id)}: not found`,
        {
          cause: err,
        },
      );
    throw err;
  }
  return id;
}
