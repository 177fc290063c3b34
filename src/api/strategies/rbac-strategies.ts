/**
 * rbac.authorization.k8s.io/v1 (pkg/apis/rbac/v1/defaults.go and pkg/apis/rbac/validation,
 * v1.33): roleRef and User/Group subjects default to the RBAC API group; rules need verbs and
 * either resources with API groups or (cluster roles only) non-resource URLs; bindings need a
 * valid roleRef and subjects, and roleRef never changes. Aggregation rules' selectors are
 * validated for syntax only.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid, notSupported, required, stringSliceValue } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { goQuote } from '../validation/go-format.ts';
import { validateLabelSelector } from '../validation/labels.ts';
import { validatePathSegmentName } from '../validation/name-validators.ts';
import { isDNS1123Subdomain } from '../validation/names.ts';
import { defaultEmpty, ensureObj, obj, objs, str, strs } from './json-fields.ts';
import { semanticEqual } from './semantic-equal.ts';
import { labelSelectorInput } from './workload-rules.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** SetDefaults_RoleBinding / ClusterRoleBinding and SetDefaults_Subject. */
export function defaultBinding(binding: JsonObject): void {
  defaultEmpty(ensureObj(binding, 'roleRef'), 'apiGroup', RBAC_GROUP);
  for (const subject of objs(binding, 'subjects')) {
    const kind = str(subject, 'kind');
    if (kind === 'User' || kind === 'Group') defaultEmpty(subject, 'apiGroup', RBAC_GROUP);
  }
}

/** Upstream's ValidatePolicyRule. */
function validatePolicyRule(rule: JsonObject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (strs(rule, 'verbs').length === 0) {
    errs.push(required(childPath(path, 'verbs'), 'verbs must contain at least one value'));
  }
  const urls = strs(rule, 'nonResourceURLs');
  if (urls.length > 0) {
    const value = stringSliceValue(urls);
    const p = childPath(path, 'nonResourceURLs');
    if (namespaced)
      errs.push(invalid(p, value, 'namespaced rules cannot apply to non-resource URLs'));
    const hasResources = ['apiGroups', 'resources', 'resourceNames'].some(
      (f) => strs(rule, f).length > 0,
    );
    if (hasResources) {
      errs.push(
        invalid(p, value, 'rules cannot apply to both regular resources and non-resource URLs'),
      );
    }
    return errs;
  }
  if (strs(rule, 'apiGroups').length === 0) {
    errs.push(
      required(childPath(path, 'apiGroups'), 'resource rules must supply at least one api group'),
    );
  }
  if (strs(rule, 'resources').length === 0) {
    errs.push(
      required(childPath(path, 'resources'), 'resource rules must supply at least one resource'),
    );
  }
  return errs;
}

function validateRules(role: JsonObject, namespaced: boolean): FieldError[] {
  return objs(role, 'rules').flatMap((r, i) =>
    validatePolicyRule(r, namespaced, indexPath('rules', i)),
  );
}

function validateClusterRole(role: JsonObject): FieldError[] {
  const errs = validateRules(role, false);
  const aggregation = obj(role, 'aggregationRule');
  if (aggregation !== undefined) {
    const path = 'aggregationRule.clusterRoleSelectors';
    const selectors = objs(aggregation, 'clusterRoleSelectors');
    if (selectors.length === 0) {
      errs.push(
        required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil'),
      );
    }
    selectors.forEach((s, i) => {
      errs.push(...validateLabelSelector(labelSelectorInput(s), {}, indexPath(path, i)));
    });
  }
  return errs;
}

/** Upstream's ValidateRoleBindingSubject. */
function validateSubject(subject: JsonObject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(subject, 'name');
  const apiGroup = str(subject, 'apiGroup');
  if (name === '') errs.push(required(childPath(path, 'name')));
  switch (str(subject, 'kind')) {
    case 'ServiceAccount':
      if (name !== '') {
        for (const msg of isDNS1123Subdomain(name))
          errs.push(invalid(childPath(path, 'name'), name, msg));
      }
      if (apiGroup !== '') errs.push(notSupported(childPath(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && str(subject, 'namespace') === '') {
        errs.push(required(childPath(path, 'namespace')));
      }
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) {
        errs.push(notSupported(childPath(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      }
      break;
    default:
      errs.push(
        notSupported(childPath(path, 'kind'), str(subject, 'kind'), [
          'ServiceAccount',
          'User',
          'Group',
        ]),
      );
  }
  return errs;
}

/** Upstream's ValidateRoleBinding / ValidateClusterRoleBinding. */
function validateBinding(binding: JsonObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = obj(binding, 'roleRef');
  const apiGroup = str(ref, 'apiGroup');
  const kind = str(ref, 'kind');
  const name = str(ref, 'name');
  if (apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(kind)) errs.push(notSupported('roleRef.kind', kind, kinds));
  if (name === '') errs.push(required('roleRef.name'));
  else {
    for (const msg of validatePathSegmentName(name, false)) {
      errs.push(invalid('roleRef.name', name, msg));
    }
  }
  objs(binding, 'subjects').forEach((s, i) => {
    errs.push(...validateSubject(s, namespaced, indexPath('subjects', i)));
  });
  return errs;
}

/** ValidateRoleBindingUpdate's rule, with the internal RoleRef printed as Go does. */
function validateRoleRefUnchanged(binding: JsonObject, old: JsonObject): FieldError[] {
  const ref = obj(binding, 'roleRef');
  if (semanticEqual(ref, obj(old, 'roleRef'))) return [];
  const value = {
    goSyntax: `rbac.RoleRef{APIGroup:${goQuote(str(ref, 'apiGroup'))}, Kind:${goQuote(str(ref, 'kind'))}, Name:${goQuote(str(ref, 'name'))}}`,
  };
  return [invalid('roleRef', value, 'cannot change roleRef')];
}

export const roleStrategy: ResourceStrategy = {
  validate: (role) => validateRules(role, true),
  validateUpdate: (role) => validateRules(role, true),
};

export const clusterRoleStrategy: ResourceStrategy = {
  validate: validateClusterRole,
  validateUpdate: (role) => validateClusterRole(role),
};

export const roleBindingStrategy: ResourceStrategy = {
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, true),
  validateUpdate: (b, old) => [...validateBinding(b, true), ...validateRoleRefUnchanged(b, old)],
};

export const clusterRoleBindingStrategy: ResourceStrategy = {
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, false),
  validateUpdate: (b, old) => [...validateBinding(b, false), ...validateRoleRefUnchanged(b, old)],
};
