/**
 * Printers for the simple core/v1 kinds: Namespace (STATUS), ConfigMap (DATA = data + binaryData
 * keys), Secret (TYPE, DATA) and ServiceAccount (SECRETS, still printed in 1.33). Upstream prints
 * the defaulted internal object, so the v1 defaults that show up here are applied when absent.
 */
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import { ageCell } from './age.ts';
import { AGE_COLUMN, column, NAME_COLUMN } from './columns.ts';
import { arrayAt, mapSize, nameOf, objectAt, stringAt } from './fields.ts';

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', { text: 'The status of the namespace' }), AGE_COLUMN],
  // SetDefaults_NamespaceStatus: an empty phase reads as "Active".
  cells: (ns, now) => [nameOf(ns), stringAt(ns, 'status', 'phase') || 'Active', ageCell(ns, now)],
};

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column('Data', 'core/v1 ConfigMap.data'), AGE_COLUMN],
  cells: (cm, now) => [
    nameOf(cm),
    mapSize(cm, 'data') + mapSize(cm, 'binaryData'),
    ageCell(cm, now),
  ],
};

/** `len(secret.Data)` after v1 -> internal conversion, which merges `stringData` into `data`. */
function secretDataCount(secret: JsonObject): number {
  const keys = new Set([
    ...Object.keys(objectAt(secret, 'data') ?? {}),
    ...Object.keys(objectAt(secret, 'stringData') ?? {}),
  ]);
  return keys.size;
}

export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'core/v1 Secret.type'),
    column('Data', 'core/v1 Secret.data'),
    AGE_COLUMN,
  ],
  // SetDefaults_Secret: an empty type reads as "Opaque".
  cells: (secret, now) => [
    nameOf(secret),
    stringAt(secret, 'type') || 'Opaque',
    secretDataCount(secret),
    ageCell(secret, now),
  ],
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, column('Secrets', 'core/v1 ServiceAccount.secrets'), AGE_COLUMN],
  cells: (sa, now) => [nameOf(sa), arrayAt(sa, 'secrets').length, ageCell(sa, now)],
};
