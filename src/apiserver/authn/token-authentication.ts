/**
 * Builds the API server's token authentication from its options, as kube-apiserver's
 * authenticator config does: service-account JWTs (when any verification key is known), then
 * bootstrap tokens (unless disabled), behind one union; the API audiences (default: every
 * issuer); and the TokenRequest issuer, present only with a signing key. Object lookups go
 * through the ResourceStore, so every replica sees the same ServiceAccounts and Secrets.
 */
import { ApiError } from '../../api/status.ts';
import type { JsonObject } from '../../api/json.ts';
import type { ResourceRegistry } from '../../api/resource-registry.ts';
import { decodePemBlocks } from '../../pki/pem.ts';
import {
  loadServiceAccountSigningKey,
  loadServiceAccountVerificationKeys,
} from '../../pki/service-account-key.ts';
import type {
  ServiceAccountSigningKey,
  ServiceAccountVerificationKey,
} from '../../pki/service-account-key.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { BootstrapTokenAuthenticator } from './bootstrap-token.ts';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  EXPIRATION_EXTENSION_SECONDS,
} from './service-account-claims.ts';
import { ServiceAccountTokenAuthenticator } from './service-account-token.ts';
import type { TokenObjectGetter, TokenObjectKind } from './service-account-token.ts';
import { TokenAuthenticatorUnion, audienceAgnostic } from './token-authenticator.ts';
import type { TokenAuthenticator } from './token-authenticator.ts';

export interface TokenAuthenticationOptions {
  /** PEM private key that signs TokenRequest tokens. Default: none (no token subresource). */
  readonly serviceAccountSigningKeyPem?: string;
  /** PEM public (or private) keys tokens are verified with. Default: the signing key's. */
  readonly serviceAccountVerificationKeysPem?: string | readonly string[];
  /** Issuers: the first signs, all verify. Default: DEFAULT_SERVICE_ACCOUNT_ISSUER. */
  readonly serviceAccountIssuer?: string | readonly string[];
  /** What a token must be meant for to call this server. Default: the issuers. */
  readonly apiAudiences?: readonly string[];
  /** Accept kube-system bootstrap-token Secrets. Default: true (kubeadm turns it on). */
  readonly enableBootstrapTokenAuth?: boolean;
  /** Longest token TokenRequest issues; longer requests are shortened. Default: no limit. */
  readonly serviceAccountMaxTokenExpirationSeconds?: number;
  /** Extend kubelet's 3607 s pod-bound tokens to a year (warn-only). Default: true. */
  readonly serviceAccountExtendTokenExpiration?: boolean;
}

/** What POST serviceaccounts/<name>/token needs; absent without a signing key. */
export interface ServiceAccountTokenIssuer {
  readonly issuer: string;
  readonly signingKey: ServiceAccountSigningKey;
  readonly apiAudiences: readonly string[];
  /** 0: no limit. */
  readonly maxExpirationSeconds: number;
  readonly extendExpiration: boolean;
  readonly maxExtendedExpirationSeconds: number;
}

export interface TokenServices {
  /** Every token authenticator, for Authorization headers and TokenReview. */
  readonly tokens: TokenAuthenticatorUnion;
  readonly apiAudiences: readonly string[];
  readonly issuer?: ServiceAccountTokenIssuer;
}

/** --service-account-key-file: PUBLIC KEY blocks, or else a private key's public half. */
async function loadVerificationKeys(pem: string): Promise<ServiceAccountVerificationKey[]> {
  if (decodePemBlocks(pem, 'PUBLIC KEY').some((b) => b.label === 'PUBLIC KEY')) {
    return loadServiceAccountVerificationKeys(pem);
  }
  const key = await loadServiceAccountSigningKey(pem);
  return [{ jwsAlgorithm: key.jwsAlgorithm, keyId: key.keyId, publicKey: key.publicKey }];
}

function listOf(value: string | readonly string[] | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

export async function buildTokenServices(
  options: TokenAuthenticationOptions,
  objects: TokenObjectGetter,
  now: () => Date,
): Promise<TokenServices> {
  const issuers = listOf(options.serviceAccountIssuer)?.filter((i) => i !== '') ?? [];
  if (issuers.length === 0) issuers.push(DEFAULT_SERVICE_ACCOUNT_ISSUER);
  const apiAudiences =
    options.apiAudiences !== undefined && options.apiAudiences.length > 0
      ? options.apiAudiences
      : issuers;
  const signingKey =
    options.serviceAccountSigningKeyPem === undefined
      ? undefined
      : await loadServiceAccountSigningKey(options.serviceAccountSigningKeyPem);
  const verificationPems = listOf(options.serviceAccountVerificationKeysPem);
  const keys =
    verificationPems === undefined
      ? signingKey === undefined
        ? []
        : [
            {
              jwsAlgorithm: signingKey.jwsAlgorithm,
              keyId: signingKey.keyId,
              publicKey: signingKey.publicKey,
            },
          ]
      : (await Promise.all(verificationPems.map(loadVerificationKeys))).flat();
  const chain: TokenAuthenticator[] = [];
  if (keys.length > 0) {
    chain.push(new ServiceAccountTokenAuthenticator({ issuers, keys, apiAudiences, objects, now }));
  }
  if (options.enableBootstrapTokenAuth ?? true) {
    chain.push(audienceAgnostic(apiAudiences, new BootstrapTokenAuthenticator({ objects, now })));
  }
  const maxExpirationSeconds = options.serviceAccountMaxTokenExpirationSeconds ?? 0;
  return {
    tokens: new TokenAuthenticatorUnion(chain),
    apiAudiences,
    ...(signingKey === undefined
      ? {}
      : {
          issuer: {
            issuer: issuers[0] ?? DEFAULT_SERVICE_ACCOUNT_ISSUER,
            signingKey,
            apiAudiences,
            maxExpirationSeconds,
            extendExpiration: options.serviceAccountExtendTokenExpiration ?? true,
            maxExtendedExpirationSeconds: EXPIRATION_EXTENSION_SECONDS,
          },
        }),
  };
}

/** Reads token-named objects through the ResourceStore; NotFound is undefined. */
export function resourceStoreTokenObjects(
  resources: ResourceStore,
  registry: ResourceRegistry,
): TokenObjectGetter {
  return {
    async get(
      kind: TokenObjectKind,
      namespace: string | undefined,
      name: string,
    ): Promise<JsonObject | undefined> {
      const def = registry.byKind('v1', kind);
      if (def === undefined || name === '') return undefined;
      if (def.namespaced && (namespace === undefined || namespace === '')) return undefined;
      try {
        return await resources.get(def, def.namespaced ? namespace : undefined, name);
      } catch (err: unknown) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
  };
}
