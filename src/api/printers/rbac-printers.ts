/**
 * Printers for rbac.authorization.k8s.io/v1: Roles and ClusterRoles have no printer upstream and
 * get the apiserver's default table (NAME, CREATED AT as an RFC 3339 UTC string); RoleBindings and
 * ClusterRoleBindings print ROLE ("Kind/name") and the wide USERS, GROUPS, SERVICEACCOUNTS.
 */
import type { JsonObject } from '../json.ts';
import type { Printer, TableColumn } from '../resource.ts';
import { ageCell, formatRFC3339, timestampMs } from './age.ts';
import { AGE_COLUMN, column, NAME_COLUMN, wideColumn } from './columns.ts';
import { nameOf, objectsAt, stringAt, valueAt } from './fields.ts';

/** `rest.NewDefaultTableConvertor` of k8s.io/apiserver (registry/rest/table.go). */
export const defaultTablePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Created At', 'meta/v1 ObjectMeta.creationTimestamp', { type: 'date' }),
  ],
  cells: (obj) => [
    nameOf(obj),
    formatRFC3339(timestampMs(valueAt(obj, 'metadata', 'creationTimestamp'))),
  ],
};

/** `rbac.SubjectsStrings`: users, groups and "namespace/name" service accounts. */
function subjectsStrings(binding: JsonObject): {
  users: string[];
  groups: string[];
  sas: string[];
} {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const subject of objectsAt(binding, 'subjects')) {
    const name = stringAt(subject, 'name');
    switch (stringAt(subject, 'kind')) {
      case 'ServiceAccount':
        sas.push(`${stringAt(subject, 'namespace')}/${name}`);
        break;
      case 'User':
        users.push(name);
        break;
      case 'Group':
        groups.push(name);
        break;
      default:
        // Upstream collects these as "others" and does not print them.
        break;
    }
  }
  return { users, groups, sas };
}

function bindingColumns(kind: 'roleBinding' | 'clusterRoleBinding'): TableColumn[] {
  const roleRefDoc =
    kind === 'roleBinding'
      ? 'rbac/v1beta1 RoleBinding.roleRef'
      : 'rbac/v1beta1 ClusterRoleBinding.roleRef';
  return [
    NAME_COLUMN,
    column('Role', roleRefDoc),
    AGE_COLUMN,
    wideColumn('Users', { text: `Users in the ${kind}` }),
    wideColumn('Groups', { text: `Groups in the ${kind}` }),
    wideColumn('ServiceAccounts', { text: `ServiceAccounts in the ${kind}` }),
  ];
}

function bindingCells(binding: JsonObject, now: Date): string[] {
  const { users, groups, sas } = subjectsStrings(binding);
  return [
    nameOf(binding),
    `${stringAt(binding, 'roleRef', 'kind')}/${stringAt(binding, 'roleRef', 'name')}`,
    ageCell(binding, now),
    users.join(', '),
    groups.join(', '),
    sas.join(', '),
  ];
}

export const roleBindingPrinter: Printer = {
  columns: bindingColumns('roleBinding'),
  cells: bindingCells,
};

export const clusterRoleBindingPrinter: Printer = {
  columns: bindingColumns('clusterRoleBinding'),
  cells: bindingCells,
};
