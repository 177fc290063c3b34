/**
 * Whether one PolicyRule allows one request: upstream's pkg/apis/rbac/v1/evaluation_helpers.go
 * and RuleAllows (plugin/pkg/auth/authorizer/rbac/rbac.go), v1.33. `*` matches every verb,
 * group and resource; `*\/status` matches the status subresource of any resource (but
 * `pods/*` is no wildcard: it matches only a subresource literally named `*`, as upstream); a
 * non-resource URL ending in `*` matches by prefix. Pure functions.
 */
import type { RequestInfo } from '../../request-info.ts';
import type { PolicyRule } from './policy-rule.ts';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs) if (v === '*' || v === verb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups) if (g === '*' || g === group) return true;
  return false;
}

/** `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources) {
    if (r === '*' || r === combined) return true;
    if (subresource === '') continue;
    if (r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource))
      return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (rule.resourceNames.length === 0) return true;
  return rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, url: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === '*' || u === url) return true;
    // Go's strings.TrimRight(u, "*"): every trailing star goes.
    if (u.endsWith('*') && url.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function ruleAllows(request: RequestInfo, rule: PolicyRule): boolean {
  if (request.isResourceRequest) {
    const sub = request.subresource ?? '';
    const combined = sub === '' ? request.resource : `${request.resource}/${sub}`;
    return (
      verbMatches(rule, request.verb) &&
      apiGroupMatches(rule, request.group) &&
      resourceMatches(rule, combined, sub) &&
      resourceNameMatches(rule, request.name ?? '')
    );
  }
  return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
}
