/**
 * Several authorization modes in order (kube-apiserver's `--authorization-mode=Node,RBAC`): the
 * first that allows decides; when none does, the request is denied with their reasons joined
 * by ", " (upstream's union authorizer). Rules for `can-i --list` are the union of every mode's,
 * incomplete if any mode's is.
 */
import type { UserInfo } from '../authn/user-info.ts';
import type { RequestInfo } from '../request-info.ts';
import type { Authorizer, Decision, RulesSummary } from './authorizer.ts';

export class UnionAuthorizer implements Authorizer {
  readonly #authorizers: readonly Authorizer[];

  constructor(authorizers: readonly Authorizer[]) {
    this.#authorizers = authorizers;
  }

  async authorize(user: UserInfo, request: RequestInfo): Promise<Decision> {
    const reasons: string[] = [];
    for (const a of this.#authorizers) {
      const d = await a.authorize(user, request);
      if (d.allowed) return d;
      if (d.reason !== '') reasons.push(d.reason);
    }
    return { allowed: false, reason: reasons.join(', ') };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<RulesSummary> {
    const all = await Promise.all(this.#authorizers.map((a) => a.rulesFor(user, namespace)));
    const errors = all.flatMap((r) => (r.evaluationError === undefined ? [] : [r.evaluationError]));
    return {
      resourceRules: all.flatMap((r) => r.resourceRules),
      nonResourceRules: all.flatMap((r) => r.nonResourceRules),
      incomplete: all.some((r) => r.incomplete),
      ...(errors.length === 0 ? {} : { evaluationError: errors.join(', ') }),
    };
  }
}
