/**
 * Bound service account tokens for projected volumes (kubelet's token manager): a TokenRequest
 * for the pod's service account, bound to the pod (name and uid), cached per pod, audience and
 * lifetime, and requested again once 80 % of its lifetime passed (or 24 h, whichever is first),
 * so the file a pod reads is always valid. Tokens never appear in logs or errors.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { RestClient } from '../../client/index.ts';

interface TokenRequest {
  apiVersion?: string;
  kind?: string;
  spec?: Record<string, unknown>;
  status?: { token?: string; expirationTimestamp?: string };
}

interface Cached {
  readonly token: string;
  readonly refreshAtMs: number;
}

export interface ServiceAccountTokens {
  token(pod: Pod, audience: string, expirationSeconds: number): Promise<string>;
  forget(podUid: string): void;
}

export class TokenRequestTokens implements ServiceAccountTokens {
  readonly #client: RestClient;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();

  constructor(client: RestClient, now: () => number = Date.now) {
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
    const res = await this.#client.create<TokenRequest>(
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
    const token = res.status?.token;
    if (token === undefined || token === '')
      throw new Error(`the TokenRequest for service account "${sa}" returned no token`);
    const expiresAt =
      Date.parse(res.status?.expirationTimestamp ?? '') || now + expirationSeconds * 1000;
    const lifetime = expiresAt - now;
    this.#cache.set(key, { token, refreshAtMs: now + Math.min(lifetime * 0.8, 24 * 3600_000) });
    return token;
  }

  forget(podUid: string): void {
    for (const key of [...this.#cache.keys()])
      if (key.startsWith(`${podUid}/`)) this.#cache.delete(key);
  }
}
