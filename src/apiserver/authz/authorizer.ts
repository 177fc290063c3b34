/**
 * The authorization seam: given who asks for what, allow or deny with a reason (403). RBAC
 * plugs in here (bootstrap issue); until then `AlwaysAllow` serves single-admin setups and
 * tests.
 */
import type { UserInfo } from '../authn/user-info.ts';
import type { RequestInfo } from '../request-info.ts';

export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** What a user may do in a namespace, as SelfSubjectRulesReview reports it. */
export interface RulesSummary {
  readonly resourceRules: readonly {
    verbs: string[];
    apiGroups: string[];
    resources: string[];
    resourceNames?: string[];
  }[];
  readonly nonResourceRules: readonly { verbs: string[]; nonResourceURLs: string[] }[];
  /** True when the authorizer cannot list every rule (the answer is a lower bound). */
  readonly incomplete: boolean;
}

export interface Authorizer {
  authorize(user: UserInfo, request: RequestInfo): Promise<Decision>;
  /** The rules that apply to `user` in `namespace` (`kubectl auth can-i --list`). */
  rulesFor(user: UserInfo, namespace: string): Promise<RulesSummary>;
}

export class AlwaysAllow implements Authorizer {
  authorize(): Promise<Decision> {
    return Promise.resolve({ allowed: true });
  }

  rulesFor(): Promise<RulesSummary> {
    return Promise.resolve({
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    });
  }
}
