/**
 * The authorization seam: given who asks for what, allow or deny with a reason (403).
 * `AlwaysAllow` serves single-admin setups and tests; `RbacAuthorizer` (./rbac/) is upstream's
 * RBAC mode. Upstream's Node authorizer does not exist yet (kubeadm runs `Node,RBAC`).
 */
import type { UserInfo } from '../authn/user-info.ts';
import type { RequestInfo } from '../request-info.ts';

/**
 * A denial's `reason` is appended to the 403 message when not empty (upstream's
 * responsewriters.Forbidden); an allow may say what allowed it (SubjectAccessReview's reason).
 */
export type Decision =
  | { readonly allowed: true; readonly reason?: string }
  | { readonly allowed: false; readonly reason: string };

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
  /** Why the list may be incomplete (SubjectRulesReviewStatus.evaluationError). */
  readonly evaluationError?: string;
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
