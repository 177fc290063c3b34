/**
 * The in-memory RBAC state the authorizer decides from: every Role, ClusterRole, RoleBinding and
 * ClusterRoleBinding, with bindings indexed by subject so that a decision touches only the
 * bindings that name the user, one of its groups or its service account.
 *
 *   clusterBindingsBySubject: "u:<user>" | "g:<group>" | "sa:<ns>:<name>" -> binding names
 *   roleBindingsBySubject:    namespace -> (subject key -> binding names)
 *
 * ClusterRole aggregation (`aggregationRule.clusterRoleSelectors`) is the
 * clusterrole-aggregation controller's job upstream; k8ts has no such controller yet, so the
 * index computes every aggregated role's rules itself, as the controller's fixed point would be
 * (the union, in name order and without duplicates, of the rules of every other ClusterRole its
 * selectors match; nested aggregation resolves; cycles stop at the role already being
 * computed). The stored objects keep the rules they were written with. Not thread-safe (one
 * event loop); pure apart from its own maps.
 */
import type { JsonObject } from '../../../api/json.ts';
import { isJsonObject } from '../../../api/json.ts';
import type { LabelSelector } from '../../../api/selectors/label-selector.ts';
import { selectorOf } from '../../../api/strategies/workload-rules.ts';
import type { UserInfo } from '../../authn/user-info.ts';
import {
  SERVICE_ACCOUNT_PREFIX,
  parseRoleRef,
  parseRules,
  parseSubjects,
  splitServiceAccountUsername,
} from './policy-rule.ts';
import type { PolicyRule, RoleRef, Subject } from './policy-rule.ts';

export type RbacKind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';

interface IndexedRole {
  readonly name: string;
  readonly rules: readonly PolicyRule[];
  readonly labels: Readonly<Record<string, string>>;
  /** Undefined: not aggregated. A selector that does not parse matches nothing. */
  readonly aggregation: readonly (LabelSelector | undefined)[] | undefined;
}

export interface IndexedBinding {
  readonly name: string;
  /** '' for ClusterRoleBindings. */
  readonly namespace: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
}

/** Why a binding contributes no rules: its role is missing, or its roleRef kind is unknown. */
export class RoleRefError extends Error {
  readonly code = 'RBAC_ROLE_REF';
}

/** The role's rules, or why there are none. */
export type RoleRules =
  | { readonly rules: readonly PolicyRule[]; readonly error?: undefined }
  | { readonly rules?: undefined; readonly error: RoleRefError };

export class RbacIndex {
  readonly #clusterRoles = new Map<string, IndexedRole>();
  /** Key `<ns>/<name>`. */
  readonly #roles = new Map<string, IndexedRole>();
  readonly #clusterBindings = new Map<string, IndexedBinding>();
  /** Key `<ns>/<name>`. */
  readonly #roleBindings = new Map<string, IndexedBinding>();
  readonly #clusterBySubject = new Map<string, Set<string>>();
  readonly #nsBySubject = new Map<string, Map<string, Set<string>>>();
  /** Effective rules of every ClusterRole; dropped on any ClusterRole change. */
  #effective: Map<string, readonly PolicyRule[]> | undefined;

  /** Adds or replaces one object (as a watch ADDED/MODIFIED event). */
  put(kind: RbacKind, obj: JsonObject): void {
    const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
    if (name === '') return;
    this.delete(kind, namespace, name);
    switch (kind) {
      case 'ClusterRole':
      case 'Role': {
        const labels = isJsonObject(meta['labels'])
          ? Object.fromEntries(
              Object.entries(meta['labels']).filter(
                (e): e is [string, string] => typeof e[1] === 'string',
              ),
            )
          : {};
        const agg = obj['aggregationRule'];
        const role: IndexedRole = {
          name,
          rules: parseRules(obj),
          labels,
          aggregation:
            kind === 'ClusterRole' && isJsonObject(agg)
              ? (Array.isArray(agg['clusterRoleSelectors']) ? agg['clusterRoleSelectors'] : []).map(
                  (s) => selectorOf(s),
                )
              : undefined,
        };
        if (kind === 'ClusterRole') {
          this.#clusterRoles.set(name, role);
          this.#effective = undefined;
        } else this.#roles.set(`${namespace}/${name}`, role);
        return;
      }
      case 'ClusterRoleBinding':
      case 'RoleBinding': {
        const binding: IndexedBinding = {
          name,
          namespace: kind === 'RoleBinding' ? namespace : '',
          roleRef: parseRoleRef(obj),
          subjects: parseSubjects(obj),
        };
        const key = kind === 'RoleBinding' ? `${namespace}/${name}` : name;
        (kind === 'RoleBinding' ? this.#roleBindings : this.#clusterBindings).set(key, binding);
        for (const sk of subjectKeys(binding)) {
          const index =
            kind === 'RoleBinding' ? this.#nsIndex(namespace, true) : this.#clusterBySubject;
          let set = index.get(sk);
          if (set === undefined) index.set(sk, (set = new Set()));
          set.add(key);
        }
        return;
      }
    }
  }

  /** Removes one object (a watch DELETED event); unknown objects are ignored. */
  delete(kind: RbacKind, namespace: string, name: string): void {
    switch (kind) {
      case 'ClusterRole':
        if (this.#clusterRoles.delete(name)) this.#effective = undefined;
        return;
      case 'Role':
        this.#roles.delete(`${namespace}/${name}`);
        return;
      case 'ClusterRoleBinding':
      case 'RoleBinding': {
        const namespaced = kind === 'RoleBinding';
        const key = namespaced ? `${namespace}/${name}` : name;
        const map = namespaced ? this.#roleBindings : this.#clusterBindings;
        const old = map.get(key);
        if (old === undefined) return;
        map.delete(key);
        const index = namespaced ? this.#nsIndex(namespace, false) : this.#clusterBySubject;
        if (index === undefined) return;
        for (const sk of subjectKeys(old)) {
          const set = index.get(sk);
          set?.delete(key);
          if (set?.size === 0) index.delete(sk);
        }
        if (namespaced && index.size === 0) this.#nsBySubject.delete(namespace);
        return;
      }
    }
  }

  /** Drops every object of `kind` (before a relist replaces them). */
  clear(kind: RbacKind): void {
    switch (kind) {
      case 'ClusterRole':
        this.#clusterRoles.clear();
        this.#effective = undefined;
        return;
      case 'Role':
        this.#roles.clear();
        return;
      case 'ClusterRoleBinding':
        this.#clusterBindings.clear();
        this.#clusterBySubject.clear();
        return;
      case 'RoleBinding':
        this.#roleBindings.clear();
        this.#nsBySubject.clear();
        return;
    }
  }

  get size(): number {
    return (
      this.#clusterRoles.size +
      this.#roles.size +
      this.#clusterBindings.size +
      this.#roleBindings.size
    );
  }

  /**
   * The ClusterRoleBindings that apply to `user` (name order), then, when `namespace` is set,
   * the RoleBindings of that namespace that apply (name order) — upstream's VisitRulesFor order,
   * made deterministic.
   */
  bindingsFor(user: UserInfo, namespace: string): IndexedBinding[] {
    const keys = userKeys(user);
    const out = collect(this.#clusterBySubject, keys, this.#clusterBindings);
    if (namespace !== '') {
      const index = this.#nsBySubject.get(namespace);
      if (index !== undefined) out.push(...collect(index, keys, this.#roleBindings, namespace));
    }
    return out;
  }

  /** Upstream's GetRoleReferenceRules, with the lister's not-found messages. */
  rulesOf(ref: RoleRef, bindingNamespace: string): RoleRules {
    switch (ref.kind) {
      case 'ClusterRole': {
        const rules = this.#effectiveRules().get(ref.name);
        if (rules === undefined)
          return {
            error: new RoleRefError(
              `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`,
            ),
          };
        return { rules };
      }
      case 'Role': {
        const role = this.#roles.get(`${bindingNamespace}/${ref.name}`);
        if (role === undefined)
          return {
            error: new RoleRefError(`role.rbac.authorization.k8s.io "${ref.name}" not found`),
          };
        return { rules: role.rules };
      }
      default:
        return {
          error: new RoleRefError(`unsupported role reference kind: ${JSON.stringify(ref.kind)}`),
        };
    }
  }

  #nsIndex(namespace: string, create: true): Map<string, Set<string>>;
  #nsIndex(namespace: string, create: false): Map<string, Set<string>> | undefined;
  #nsIndex(namespace: string, create: boolean): Map<string, Set<string>> | undefined {
    let index = this.#nsBySubject.get(namespace);
    if (index === undefined && create)
      this.#nsBySubject.set(namespace, (index = new Map<string, Set<string>>()));
    return index;
  }

  #effectiveRules(): Map<string, readonly PolicyRule[]> {
    if (this.#effective !== undefined) return this.#effective;
    const done = new Map<string, readonly PolicyRule[]>();
    const inProgress = new Set<string>();
    const sortedNames = [...this.#clusterRoles.keys()].sort();
    const resolve = (name: string): readonly PolicyRule[] => {
      const cached = done.get(name);
      if (cached !== undefined) return cached;
      const role = this.#clusterRoles.get(name);
      if (role === undefined) return [];
      if (role.aggregation === undefined) {
        done.set(name, role.rules);
        return role.rules;
      }
      // A cycle: use the stored rules of the role being computed (what the controller last wrote).
      if (inProgress.has(name)) return role.rules;
      inProgress.add(name);
      const union: PolicyRule[] = [];
      const seen = new Set<string>();
      for (const selector of role.aggregation) {
        if (selector === undefined) continue;
        for (const other of sortedNames) {
          if (other === name) continue;
          const candidate = this.#clusterRoles.get(other);
          if (candidate === undefined || !selector.matches(candidate.labels)) continue;
          for (const rule of resolve(other)) {
            const k = ruleKey(rule);
            if (seen.has(k)) continue;
            seen.add(k);
            union.push(rule);
          }
        }
      }
      inProgress.delete(name);
      done.set(name, union);
      return union;
    };
    for (const name of sortedNames) resolve(name);
    this.#effective = done;
    return done;
  }
}

/** Upstream's ruleExists compares rules with reflect.DeepEqual. */
function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([
    rule.verbs,
    rule.apiGroups,
    rule.resources,
    rule.resourceNames,
    rule.nonResourceURLs,
  ]);
}

/** The index keys a binding's subjects can match under (see appliesToUser). */
function subjectKeys(binding: IndexedBinding): Set<string> {
  const keys = new Set<string>();
  for (const s of binding.subjects) {
    switch (s.kind) {
      case 'User':
        keys.add(`u:${s.name}`);
        break;
      case 'Group':
        keys.add(`g:${s.name}`);
        break;
      case 'ServiceAccount': {
        // A RoleBinding's service account defaults to the binding's namespace.
        const ns = s.namespace !== '' ? s.namespace : binding.namespace;
        if (ns !== '') keys.add(`sa:${ns}:${s.name}`);
        break;
      }
    }
  }
  return keys;
}

function userKeys(user: UserInfo): string[] {
  const keys = [`u:${user.name}`];
  for (const g of user.groups) keys.push(`g:${g}`);
  if (user.name.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const sa = splitServiceAccountUsername(user.name);
    if (sa !== undefined) keys.push(`sa:${sa.namespace}:${sa.name}`);
  }
  return keys;
}

function collect(
  index: Map<string, Set<string>>,
  keys: readonly string[],
  bindings: Map<string, IndexedBinding>,
  namespace?: string,
): IndexedBinding[] {
  let found: Set<string> | undefined;
  let only: Set<string> | undefined;
  for (const k of keys) {
    const set = index.get(k);
    if (set === undefined) continue;
    if (only === undefined) {
      only = set;
      continue;
    }
    found ??= new Set(only);
    for (const b of set) found.add(b);
  }
  const names = found ?? only;
  if (names === undefined) return [];
  const out: IndexedBinding[] = [];
  for (const key of names) {
    const b = bindings.get(key);
    if (b !== undefined && (namespace === undefined || b.namespace === namespace)) out.push(b);
  }
  if (out.length > 1) out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}
