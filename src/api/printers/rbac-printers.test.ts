import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../json.ts';
import {
  clusterRoleBindingPrinter,
  defaultTablePrinter,
  roleBindingPrinter,
} from './rbac-printers.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const ALMOST_NOW = new Date(NOW.getTime() + 1900).toISOString();

const binding = (name: string, subjects: JsonObject[]): JsonObject => ({
  metadata: { name, creationTimestamp: ALMOST_NOW },
  subjects,
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'role-name' },
});

// TestPrintRoleBinding / TestPrintClusterRoleBinding: NAME ROLE AGE | USERS GROUPS SERVICEACCOUNTS.
for (const [kind, printer] of [
  ['RoleBinding', roleBindingPrinter],
  ['ClusterRoleBinding', clusterRoleBindingPrinter],
] as const) {
  test(`${kind}: role, users, groups, service accounts`, () => {
    const b = binding('binding2', [
      { kind: 'User', name: 'user-name' },
      { kind: 'Group', name: 'group-name' },
      {
        kind: 'ServiceAccount',
        name: 'service-account-name',
        namespace: 'service-account-namespace',
      },
    ]);
    assert.deepEqual(printer.cells(b, NOW), [
      'binding2',
      'Role/role-name',
      '0s',
      'user-name',
      'group-name',
      'service-account-namespace/service-account-name',
    ]);
  });

  test(`${kind}: several of a kind are joined with ", "; unknown kinds are dropped`, () => {
    const b = binding('b', [
      { kind: 'User', name: 'alice' },
      { kind: 'Other', name: 'x' },
      { kind: 'User', name: 'bob' },
    ]);
    assert.deepEqual(printer.cells(b, NOW).slice(3), ['alice, bob', '', '']);
  });
}

test('binding columns carry upstream descriptions', () => {
  assert.deepEqual(
    roleBindingPrinter.columns.map((c) => [c.name, c.priority, c.description.slice(0, 40)]),
    [
      ['Name', 0, 'Name must be unique within a namespace. '],
      ['Role', 0, 'RoleRef can reference a Role in the curr'],
      ['Age', 0, 'CreationTimestamp is a timestamp represe'],
      ['Users', 1, 'Users in the roleBinding'],
      ['Groups', 1, 'Groups in the roleBinding'],
      ['ServiceAccounts', 1, 'ServiceAccounts in the roleBinding'],
    ],
  );
  assert.equal(
    clusterRoleBindingPrinter.columns[3]?.description,
    'Users in the clusterRoleBinding',
  );
  assert.equal(
    clusterRoleBindingPrinter.columns[1]?.description,
    'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
  );
});

test('roles get the apiserver default table: Name, Created At (RFC 3339, UTC)', () => {
  assert.deepEqual(
    defaultTablePrinter.columns.map((c) => [c.name, c.type, c.format]),
    [
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ],
  );
  const role = { metadata: { name: 'admin', creationTimestamp: '2024-05-01T08:09:10Z' } };
  assert.deepEqual(defaultTablePrinter.cells(role, NOW), ['admin', '2024-05-01T08:09:10Z']);
  assert.deepEqual(defaultTablePrinter.cells({ metadata: { name: 'x' } }, NOW), [
    'x',
    '0001-01-01T00:00:00Z',
  ]);
});
