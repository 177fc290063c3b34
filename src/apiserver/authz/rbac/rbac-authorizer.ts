/**
 * Upstream's RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go, v1.33) over an in-memory
 * index that an informer keeps in step with the Store: a decision visits the ClusterRoleBindings
 * and then the request namespace's RoleBindings that name the user, one of its groups or its
 * service account, and allows on the first rule that matches. There is no special case for any
 * user or group: `system:masters` is allowed because the bootstrap policy binds it to
 * `cluster-admin`, as upstream. A denial's reason lists why bindings contributed nothing
 * (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`), or is empty. Decisions never
 * touch the store; before the first list is in, they wait for it.
 */
import type { UserInfo } from '../../authn/user-info.ts';
import type { RequestInfo } from '../../request-info.ts';
import type { Store } from '../../../storage/store.ts';
import type { Authorizer, Decision, RulesSummary } from '../authorizer.ts';
import { ruleAllows } from './evaluation.ts';
import { RbacIndex } from './rbac-index.ts';
import type { IndexedBinding } from './rbac-index.ts';
import { RbacInformer } from './rbac-informer.ts';
import type { PolicyRule, Subject } from './policy-rule.ts';
import { serviceAccountUsername } from './policy-rule.ts';

export interface RbacAuthorizerOptions {
  readonly store: Store;
  /** Wait before the informer retries after a store error. Default: 1,000 ms. */
  readonly retryDelayMs?: number;
  /** Receives store errors the informer retries. Default: ignore. */
  readonly onError?: (err: unknown) => void;
}

export class RbacAuthorizer implements Authorizer {
  readonly index = new RbacIndex();
  readonly #informer: RbacInformer;

  constructor(options: RbacAuthorizerOptions) {
    this.#informer = new RbacInformer({
      store: options.store,
      index: this.index,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
  }

  /** Lists and watches the RBAC objects until `signal` aborts; resolves then. */
  run(signal: AbortSignal): Promise<void> {
    return this.#informer.run(signal);
  }

  /** Resolves once every RBAC kind has been listed. */
  get ready(): Promise<void> {
    return this.#informer.ready;
  }

  async authorize(user: UserInfo, request: RequestInfo): Promise<Decision> {
    if (!this.#informer.isReady) await this.#informer.ready;
    return authorizeWithIndex(this.index, user, request);
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<RulesSummary> {
    if (!this.#informer.isReady) await this.#informer.ready;
    return rulesWithIndex(this.index, user, namespace);
  }
}

/** The request's namespace as the visitor sees it ('' for cluster scope and non-resources). */
function namespaceOf(request: RequestInfo): string {
  return request.isResourceRequest ? (request.namespace ?? '') : '';
}

/** One decision, synchronously (upstream's Authorize with the authorizingVisitor). */
export function authorizeWithIndex(
  index: RbacIndex,
  user: UserInfo,
  request: RequestInfo,
): Decision {
  const errors: string[] = [];
  const namespace = namespaceOf(request);
  for (const binding of index.bindingsFor(user, namespace)) {
    const subject = firstApplyingSubject(user, binding);
    if (subject === undefined) continue;
    const result = index.rulesOf(binding.roleRef, binding.namespace);
    if (result.error !== undefined) {
      errors.push(result.error.message);
      continue;
    }
    for (const rule of result.rules) {
      if (ruleAllows(request, rule))
        return { allowed: true, reason: `RBAC: allowed by ${describe(binding, subject)}` };
    }
  }
  return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${aggregate(errors)}` };
}

/** Upstream's RulesFor: every rule bound to `user` in `namespace` (cluster-wide when ''). */
export function rulesWithIndex(index: RbacIndex, user: UserInfo, namespace: string): RulesSummary {
  const resourceRules: RulesSummary['resourceRules'][number][] = [];
  const nonResourceRules: RulesSummary['nonResourceRules'][number][] = [];
  const errors: string[] = [];
  for (const binding of index.bindingsFor(user, namespace)) {
    if (firstApplyingSubject(user, binding) === undefined) continue;
    const result = index.rulesOf(binding.roleRef, binding.namespace);
    if (result.error !== undefined) {
      errors.push(result.error.message);
      continue;
    }
    for (const rule of result.rules) addRule(rule, resourceRules, nonResourceRules);
  }
  // Upstream's RBAC reports incomplete=false with an evaluationError; k8ts also sets incomplete
  // (a missing role means the list is a lower bound), which kubectl prints as a warning.
  return errors.length === 0
    ? { resourceRules, nonResourceRules, incomplete: false }
    : { resourceRules, nonResourceRules, incomplete: true, evaluationError: aggregate(errors) };
}

function addRule(
  rule: PolicyRule,
  resourceRules: RulesSummary['resourceRules'][number][],
  nonResourceRules: RulesSummary['nonResourceRules'][number][],
): void {
  if (rule.resources.length > 0) {
    resourceRules.push({
      verbs: [...rule.verbs],
      apiGroups: [...rule.apiGroups],
      resources: [...rule.resources],
      ...(rule.resourceNames.length === 0 ? {} : { resourceNames: [...rule.resourceNames] }),
    });
  }
  if (rule.nonResourceURLs.length > 0) {
    nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
  }
}

/** Upstream's appliesTo: the first subject of the binding that names the user. */
function firstApplyingSubject(user: UserInfo, binding: IndexedBinding): Subject | undefined {
  for (const s of binding.subjects) {
    switch (s.kind) {
      case 'User':
        if (user.name === s.name) return s;
        break;
      case 'Group':
        if (user.groups.includes(s.name)) return s;
        break;
      case 'ServiceAccount': {
        const ns = s.namespace !== '' ? s.namespace : binding.namespace;
        if (ns !== '' && user.name === serviceAccountUsername(ns, s.name)) return s;
        break;
      }
    }
  }
  return undefined;
}

/** Upstream's clusterRoleBindingDescriber / roleBindingDescriber. */
function describe(binding: IndexedBinding, subject: Subject): string {
  const who =
    subject.kind === 'ServiceAccount'
      ? `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace !== '' ? subject.namespace : binding.namespace}`)}`
      : `${subject.kind} ${JSON.stringify(subject.name)}`;
  const role = `${binding.roleRef.kind} ${JSON.stringify(binding.roleRef.name)}`;
  return binding.namespace === ''
    ? `ClusterRoleBinding ${JSON.stringify(binding.name)} of ${role} to ${who}`
    : `RoleBinding ${JSON.stringify(`${binding.name}/${binding.namespace}`)} of ${role} to ${who}`;
}

/** utilerrors.NewAggregate(errs).Error(): one message as is, several deduplicated in `[...]`. */
export function aggregate(messages: readonly string[]): string {
  if (messages.length === 1) return messages[0] ?? '';
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}
