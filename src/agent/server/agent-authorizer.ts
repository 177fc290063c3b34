/**
 * Who may use the agent's HTTPS endpoint, as the kubelet decides it: a request is `<verb>` on
 * `nodes/<subresource>` of this node (GET→get, POST→create, ...; logs, exec, attach and
 * port-forward are `nodes/proxy`). `WebhookAgentAuthorizer` asks the API server
 * (SubjectAccessReview, the kubelet's `--authorization-mode=Webhook`) and caches the answers
 * (allowed 5 min, denied 30 s, the kubelet's defaults); `AlwaysAllowAgentAuthorizer` lets every
 * authenticated client in. Authentication itself is the TLS client certificate (agent-server.ts).
 */
import type { RestClient } from '../../client/index.ts';

export interface AgentUser {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface NodeRequestAttributes {
  readonly user: AgentUser;
  readonly verb: string;
  readonly subresource: string;
  readonly nodeName: string;
}

export interface AgentDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

export interface AgentAuthorizer {
  authorize(attrs: NodeRequestAttributes): Promise<AgentDecision>;
}

export class AlwaysAllowAgentAuthorizer implements AgentAuthorizer {
  authorize(): Promise<AgentDecision> {
    return Promise.resolve({ allowed: true, reason: '' });
  }
}

/** The SubjectAccessReview body the kubelet sends for a request. */
export function subjectAccessReview(attrs: NodeRequestAttributes): {
  apiVersion: string;
  kind: string;
  spec: Record<string, unknown>;
} {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: attrs.user.name,
      groups: [...attrs.user.groups],
      resourceAttributes: {
        verb: attrs.verb,
        version: 'v1',
        resource: 'nodes',
        subresource: attrs.subresource,
        name: attrs.nodeName,
      },
    },
  };
}

export interface WebhookAgentAuthorizerOptions {
  /** Posts a SubjectAccessReview and answers its status. */
  readonly review: (body: ReturnType<typeof subjectAccessReview>) => Promise<AgentDecision>;
  /** Default: 300,000 ms (kubelet's --authorization-webhook-cache-authorized-ttl). */
  readonly allowedTtlMs?: number;
  /** Default: 30,000 ms (kubelet's --authorization-webhook-cache-unauthorized-ttl). */
  readonly deniedTtlMs?: number;
  readonly now?: () => number;
}

export class WebhookAgentAuthorizer implements AgentAuthorizer {
  readonly #o: WebhookAgentAuthorizerOptions;
  readonly #cache = new Map<string, { decision: AgentDecision; expiresAtMs: number }>();

  constructor(options: WebhookAgentAuthorizerOptions) {
    this.#o = options;
  }

  async authorize(attrs: NodeRequestAttributes): Promise<AgentDecision> {
    const now = this.#o.now ?? Date.now;
    const key = JSON.stringify([
      attrs.user.name,
      [...attrs.user.groups].sort(),
      attrs.verb,
      attrs.subresource,
      attrs.nodeName,
    ]);
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.expiresAtMs > now()) return hit.decision;
    let decision: AgentDecision;
    try {
      decision = await this.#o.review(subjectAccessReview(attrs));
    } catch (err: unknown) {
      // An API server that cannot answer is a denial now, not a cached one.
      return {
        allowed: false,
        reason: `authorization check failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const ttl = decision.allowed
      ? (this.#o.allowedTtlMs ?? 300_000)
      : (this.#o.deniedTtlMs ?? 30_000);
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(key, { decision, expiresAtMs: now() + ttl });
    return decision;
  }
}

/** The review callback over the agent's API client (POST subjectaccessreviews). */
export function reviewThrough(
  client: Pick<RestClient, 'create'>,
): WebhookAgentAuthorizerOptions['review'] {
  return async (body) => {
    const answered = await client.create(
      { group: 'authorization.k8s.io', version: 'v1', plural: 'subjectaccessreviews' },
      body,
    );
    const status = (answered as { status?: { allowed?: unknown; reason?: unknown } }).status;
    return {
      allowed: status?.allowed === true,
      reason: typeof status?.reason === 'string' ? status.reason : '',
    };
  };
}
