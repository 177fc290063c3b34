/**
 * Bound service account tokens for projected volumes (kubelet's token manager): a TokenRequest
 * for the pod's service account, bound to the pod (name and uid), cached per pod, audience and
 * lifetime, and requested again once 80 % of its lifetime passed (or 24 h, whichever is first),
 * so the file a pod reads is always valid. A failed refresh keeps serving the cached token while
 * it has not expired (as upstream). The check runs when the pod syncs: at least every
 * --sync-frequency (1 min), well inside the last 20 % of the shortest lifetime the API allows
 * (10 min). Upstream adds up to 10 s of random jitter to the refresh time; k8ts does not.
 * Tokens never appear in logs or errors.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject, ResourceRef } from '../../client/index.ts';

/** The part of the REST client this needs (`RestClient` is one). */
export interface TokenRequestClient {
  create<T extends KubeObject>(ref: ResourceRef, body: T): Promise<T>;
}

interface TokenRequest extends KubeObject {
  apiVersion?: string;
  kind?: string;
  spec?: Record<string, unknown>;
  status?: { token?: string; expirationTimestamp?: string };
}

interface Cached {
  readonly token: string;
  readonly refreshAtMs: number;
  readonly expiresAtMs: number;
}

/** upstream's maxTTL: a token is refreshed after at most 24 h whatever its lifetime. */
const MAX_TTL_MS = 24 * 3600_000;

export class TokenRequestError extends Error {
  readonly code = 'AGENT_TOKEN_REQUEST';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TokenRequestError';
  }
}

export interface ServiceAccountTokens {
  token(pod: Pod, audience: string, expirationSeconds: number): Promise<string>;
  forget(podUid: string): void;
}

export class TokenRequestTokens implements ServiceAccountTokens {
  readonly #client: TokenRequestClient;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();

  constructor(client: TokenRequestClient, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  async token(pod: Pod, audience: string, expirationSeconds: number): Promise<string> {
    const uid = pod.metadata?.uid ?? '';
    const sa = pod.spec?.serviceAccountName ?? 'default';
    const key = `${uid}/${sa}/${audience}/${String(expirationSeconds)}`;
    const cached = this.#cache.get(key);
    const now = this.#now();
    if (cached !== undefined && now < cached.refreshAtMs) return cached.token;
    let res: TokenRequest;
    try {
      res = await this.#request(pod, sa, audience, expirationSeconds);
    } catch (err: unknown) {
      if (cached !== undefined && now < cached.expiresAtMs) return cached.token;
      throw new TokenRequestError(
        `failed to fetch token for service account "${sa}": ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    const token = res.status?.token;
    if (token === undefined || token === '')
      throw new TokenRequestError(`the TokenRequest for service account "${sa}" returned no token`);
    const expiresAtMs =
      Date.parse(res.status?.expirationTimestamp ?? '') || now + expirationSeconds * 1000;
    const lifetimeMs = expiresAtMs - now;
    this.#cache.set(key, {
      token,
      expiresAtMs,
      refreshAtMs: now + Math.min(lifetimeMs * 0.8, MAX_TTL_MS),
    });
    return token;
  }

  #request(
    pod: Pod,
    sa: string,
    audience: string,
    expirationSeconds: number,
  ): Promise<TokenRequest> {
    const uid = pod.metadata?.uid ?? '';
    return this.#client.create<TokenRequest>(
      {
        group: '',
        version: 'v1',
        plural: 'serviceaccounts',
        namespace: pod.metadata?.namespace ?? 'default',
        name: sa,
        subresource: 'token',
      },
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          ...(audience === '' ? {} : { audiences: [audience] }),
          expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid },
        },
      },
    );
  }

  forget(podUid: string): void {
    for (const key of [...this.#cache.keys()])
      if (key.startsWith(`${podUid}/`)) this.#cache.delete(key);
  }
}
