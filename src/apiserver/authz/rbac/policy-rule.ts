/**
 * The rbac.authorization.k8s.io/v1 shapes the authorizer and the bootstrap reconciler work on
 * (PolicyRule, Subject, RoleRef), read from stored JSON objects. Reading never throws: a field of
 * the wrong type reads as absent, as the strategies already validated every object on write.
 */
import { isJsonObject } from '../../../api/json.ts';
import type { JsonObject, JsonValue } from '../../../api/json.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
/** `rbac.authorization.kubernetes.io/autoupdate`: "false" protects a bootstrap object. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  /** Any string as stored; only User, Group and ServiceAccount ever match. */
  readonly kind: string;
  readonly apiGroup: string;
  readonly name: string;
  readonly namespace: string;
}

export interface RoleRef {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function str(obj: JsonObject, key: string): string {
  const v = obj[key];
  return typeof v === 'string' ? v : '';
}

export function parsePolicyRule(rule: JsonObject): PolicyRule {
  return {
    verbs: strings(rule['verbs']),
    apiGroups: strings(rule['apiGroups']),
    resources: strings(rule['resources']),
    resourceNames: strings(rule['resourceNames']),
    nonResourceURLs: strings(rule['nonResourceURLs']),
  };
}

/** The `rules` of a Role or ClusterRole (`null` or absent: none). */
export function parseRules(role: JsonObject): PolicyRule[] {
  const rules = role['rules'];
  return Array.isArray(rules) ? rules.filter(isJsonObject).map(parsePolicyRule) : [];
}

export function parseSubjects(binding: JsonObject): Subject[] {
  const subjects = binding['subjects'];
  if (!Array.isArray(subjects)) return [];
  return subjects.filter(isJsonObject).map((s) => ({
    kind: str(s, 'kind'),
    apiGroup: str(s, 'apiGroup'),
    name: str(s, 'name'),
    namespace: str(s, 'namespace'),
  }));
}

export function parseRoleRef(binding: JsonObject): RoleRef {
  const ref = binding['roleRef'];
  const r = isJsonObject(ref) ? ref : {};
  return { apiGroup: str(r, 'apiGroup'), kind: str(r, 'kind'), name: str(r, 'name') };
}

/** A rule as the API writes it: empty lists are left out, as Go's `omitempty`. */
export function policyRuleJson(rule: PolicyRule): JsonObject {
  const out: JsonObject = {};
  if (rule.apiGroups.length > 0) out['apiGroups'] = [...rule.apiGroups];
  if (rule.nonResourceURLs.length > 0) out['nonResourceURLs'] = [...rule.nonResourceURLs];
  if (rule.resourceNames.length > 0) out['resourceNames'] = [...rule.resourceNames];
  if (rule.resources.length > 0) out['resources'] = [...rule.resources];
  out['verbs'] = [...rule.verbs];
  return out;
}

export function subjectJson(subject: Subject): JsonObject {
  return {
    kind: subject.kind,
    ...(subject.apiGroup === '' ? {} : { apiGroup: subject.apiGroup }),
    name: subject.name,
    ...(subject.namespace === '' ? {} : { namespace: subject.namespace }),
  };
}

/** `system:serviceaccount:<ns>:<name>` (upstream's serviceaccount.MakeUsername). */
export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/**
 * Upstream's serviceaccount.SplitUsername: the namespace and name of a service account user
 * name, or undefined when `username` is not one (both parts non-empty, no further colon).
 */
export function splitServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (namespace === undefined || name === undefined || namespace === '' || name === '')
    return undefined;
  return { namespace, name };
}
