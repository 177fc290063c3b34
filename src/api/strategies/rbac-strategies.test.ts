import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import { formatFieldError } from '../validation/field-error.ts';
import {
  clusterRoleBindingStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  roleStrategy,
} from './rbac-strategies.ts';

const check = (strategy: ResourceStrategy, obj: JsonObject): string[] => {
  strategy.defaults?.(obj);
  return (strategy.validate?.(obj) ?? []).map(formatFieldError);
};

describe('RBAC defaults', () => {
  it('roleRef and User/Group subjects get the RBAC group', () => {
    const b: JsonObject = {
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'jane' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' },
      ],
    };
    assert.deepEqual(check(roleBindingStrategy, b), []);
    assert.deepEqual(b, {
      roleRef: { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' },
      subjects: [
        { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' },
      ],
    });
  });
});

describe('RBAC validation', () => {
  const cases: { name: string; strategy: ResourceStrategy; obj: JsonObject; want: string[] }[] = [
    {
      name: 'rule without verbs, groups or resources',
      strategy: roleStrategy,
      obj: { rules: [{}] },
      want: [
        'rules[0].verbs: Required value: verbs must contain at least one value',
        'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
        'rules[0].resources: Required value: resource rules must supply at least one resource',
      ],
    },
    {
      name: 'non-resource URLs in a Role',
      strategy: roleStrategy,
      obj: { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] },
      want: [
        'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
      ],
    },
    {
      name: 'non-resource URLs in a ClusterRole',
      strategy: clusterRoleStrategy,
      obj: { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] },
      want: [],
    },
    {
      name: 'ClusterRoleBinding to a Role, bad subjects',
      strategy: clusterRoleBindingStrategy,
      obj: {
        roleRef: { kind: 'Role', name: 'r' },
        subjects: [
          { kind: 'ServiceAccount', name: 'sa' },
          { kind: 'Robot', name: 'r2' },
        ],
      },
      want: [
        'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
        'subjects[0].namespace: Required value',
        'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(check(c.strategy, c.obj), c.want);
    });

  it('roleRef cannot change', () => {
    const old: JsonObject = {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    };
    const next: JsonObject = {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    };
    assert.deepEqual(
      (roleBindingStrategy.validateUpdate?.(next, old) ?? []).map(formatFieldError),
      [
        'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
      ],
    );
  });
});
