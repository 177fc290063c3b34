/**
 * Upstream's bootstrap-policy reconciliation (pkg/registry/rbac/reconciliation, v1.33) in its
 * "union" mode, as the rbac/bootstrap-roles post-start hook runs it: an existing role keeps all
 * its rules and gains the expected ones it does not cover (appended broken down to single
 * verb/group/resource rules, as upstream's validation.Covers reports them) and any missing
 * aggregation selectors; a binding gains missing subjects; labels and annotations gain missing
 * keys (existing values win). Nothing is ever removed. An object annotated
 * `rbac.authorization.kubernetes.io/autoupdate: "false"` is protected: the caller must not write
 * it. Pure functions over JSON objects.
 */
import { isJsonObject } from '../../../api/json.ts';
import type { JsonObject, JsonValue } from '../../../api/json.ts';
import {
  AUTOUPDATE_ANNOTATION,
  parseRoleRef,
  parseRules,
  parseSubjects,
  policyRuleJson,
  subjectJson,
} from './policy-rule.ts';
import type { PolicyRule } from './policy-rule.ts';

export type ReconcileOperation = 'none' | 'update' | 'recreate';

export interface ReconcileResult {
  readonly operation: ReconcileOperation;
  /** The existing object says `autoupdate: "false"`. */
  readonly protected: boolean;
  /** The object to write (for 'update'/'recreate'). */
  readonly object: JsonObject;
  /** What was missing, for logs: rules, aggregation selectors or subjects. */
  readonly missing: readonly JsonValue[];
}

function meta(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  return isJsonObject(m) ? m : {};
}

function stringMap(value: JsonValue | undefined): Record<string, string> {
  if (!isJsonObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** JSON with sorted keys: Go's reflect.DeepEqual / equality.Semantic for plain data. */
function canonical(value: JsonValue | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Starts from a copy of `existing` and merges expected labels and annotations into it. */
function mergeMeta(
  existing: JsonObject,
  expected: JsonObject,
): { object: JsonObject; changed: boolean } {
  const object = structuredClone(existing);
  const m = meta(object);
  let changed = false;
  for (const field of ['annotations', 'labels'] as const) {
    const have = stringMap(m[field]);
    const want = stringMap(meta(expected)[field]);
    const merged = { ...want, ...have };
    if (Object.keys(merged).length !== Object.keys(have).length) {
      m[field] = merged;
      changed = true;
    }
  }
  object['metadata'] = m;
  return { object, changed };
}

function isProtected(existing: JsonObject): boolean {
  return stringMap(meta(existing)['annotations'])[AUTOUPDATE_ANNOTATION] === 'false';
}

/** Upstream's BreakdownRule: one rule per group, resource, verb (and name), or URL and verb. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const empty = { resourceNames: [], nonResourceURLs: [] };
  for (const group of rule.apiGroups) {
    for (const resource of rule.resources) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames.length > 0) {
          for (const name of rule.resourceNames) {
            out.push({
              ...empty,
              apiGroups: [group],
              resources: [resource],
              verbs: [verb],
              resourceNames: [name],
            });
          }
        } else out.push({ ...empty, apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs) {
    for (const verb of rule.verbs) {
      out.push({
        apiGroups: [],
        resources: [],
        resourceNames: [],
        nonResourceURLs: [url],
        verbs: [verb],
      });
    }
  }
  return out;
}

const hasAll = (set: readonly string[], want: readonly string[]): boolean =>
  want.every((w) => set.includes(w));

function resourceCoversAll(set: readonly string[], covers: readonly string[]): boolean {
  if (set.includes('*') || hasAll(set, covers)) return true;
  for (const path of covers) {
    if (set.includes(path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!set.includes(`*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')));
}

/** Upstream's ruleCovers: does `owner` grant everything the atomic `sub` does? */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = owner.verbs.includes('*') || hasAll(owner.verbs, sub.verbs);
  const groups = owner.apiGroups.includes('*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = sub.nonResourceURLs.every((p) =>
    owner.nonResourceURLs.some((o) => nonResourceURLCovers(o, p)),
  );
  const names =
    sub.resourceNames.length === 0
      ? owner.resourceNames.length === 0
      : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Upstream's validation.Covers: the atomic rules of `servant` that `owner` does not grant. */
export function uncoveredRules(
  owner: readonly PolicyRule[],
  servant: readonly PolicyRule[],
): PolicyRule[] {
  return servant.flatMap(breakdownRule).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
}

function selectorsOf(role: JsonObject): JsonValue[] | undefined {
  const agg = role['aggregationRule'];
  if (!isJsonObject(agg)) return undefined;
  const s = agg['clusterRoleSelectors'];
  return Array.isArray(s) ? s : [];
}

/** Upstream's computeReconciledRole with removeExtraPermissions=false. */
export function reconcileRole(existing: JsonObject, expected: JsonObject): ReconcileResult {
  const { object, changed } = mergeMeta(existing, expected);
  let operation: ReconcileOperation = changed ? 'update' : 'none';
  const missingRules = uncoveredRules(parseRules(existing), parseRules(expected));
  const missing: JsonValue[] = missingRules.map(policyRuleJson);
  if (missingRules.length > 0) {
    const rules = Array.isArray(object['rules']) ? object['rules'] : [];
    object['rules'] = [...rules, ...missingRules.map(policyRuleJson)];
    operation = 'update';
  }
  const have = selectorsOf(existing);
  const want = selectorsOf(expected);
  if (want === undefined && have !== undefined) {
    // Upstream drops an aggregation rule the bootstrap role does not have.
    delete object['aggregationRule'];
    operation = 'update';
  } else if (want !== undefined) {
    const haveKeys = new Set((have ?? []).map(canonical));
    const add = want.filter((s) => !haveKeys.has(canonical(s)));
    if (add.length > 0) {
      object['aggregationRule'] = { clusterRoleSelectors: [...(have ?? []), ...add] };
      missing.push(...add);
      operation = 'update';
    }
  }
  return { operation, protected: isProtected(existing), object, missing };
}

/** Upstream's computeReconciledRoleBinding with removeExtraSubjects=false. */
export function reconcileBinding(existing: JsonObject, expected: JsonObject): ReconcileResult {
  const wantRef = parseRoleRef(expected);
  if (canonical({ ...parseRoleRef(existing) }) !== canonical({ ...wantRef })) {
    // A binding's roleRef cannot change: upstream deletes and recreates it.
    return {
      operation: 'recreate',
      protected: isProtected(existing),
      object: expected,
      missing: [],
    };
  }
  const { object, changed } = mergeMeta(existing, expected);
  let operation: ReconcileOperation = changed ? 'update' : 'none';
  const have = new Set(parseSubjects(existing).map((s) => canonical(subjectJson(s))));
  const add = parseSubjects(expected)
    .map(subjectJson)
    .filter((s) => !have.has(canonical(s)));
  if (add.length > 0) {
    const subjects = Array.isArray(object['subjects']) ? object['subjects'] : [];
    object['subjects'] = [...subjects, ...add];
    operation = 'update';
  }
  return { operation, protected: isProtected(existing), object, missing: add };
}
