import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import {
  configMapPrinter,
  namespacePrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './core-printers.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
/** Upstream's tests create objects 1.9s in the future: still "0s" within the skew tolerance. */
const ALMOST_NOW = new Date(NOW.getTime() + 1900).toISOString();
const meta = (name: string, creationTimestamp?: string): JsonObject => ({
  metadata: creationTimestamp === undefined ? { name } : { name, creationTimestamp },
});

const cases: {
  name: string;
  printer: Printer;
  obj: JsonObject;
  want: readonly (string | number)[];
}[] = [
  // TestPrintNamespace
  {
    name: 'namespace with status and age',
    printer: namespacePrinter,
    obj: { ...meta('namespace1', ALMOST_NOW), status: { phase: 'FooStatus' } },
    want: ['namespace1', 'FooStatus', '0s'],
  },
  {
    name: 'namespace without phase reads the v1 default',
    printer: namespacePrinter,
    obj: meta('namespace2'),
    want: ['namespace2', 'Active', '<unknown>'],
  },
  {
    name: 'terminating namespace',
    printer: namespacePrinter,
    obj: { ...meta('gone', '2024-06-01T11:00:00Z'), status: { phase: 'Terminating' } },
    want: ['gone', 'Terminating', '60m'],
  },
  // TestPrintSecret
  {
    name: 'secret with type and data',
    printer: secretPrinter,
    obj: {
      ...meta('secret1', ALMOST_NOW),
      type: 'kubernetes.io/service-account-token',
      data: { token: 'c2VjcmV0IGRhdGE=' },
    },
    want: ['secret1', 'kubernetes.io/service-account-token', 1, '0s'],
  },
  {
    name: 'secret with type and no data',
    printer: secretPrinter,
    obj: { ...meta('secret1', ALMOST_NOW), type: 'kubernetes.io/service-account-token' },
    want: ['secret1', 'kubernetes.io/service-account-token', 0, '0s'],
  },
  {
    name: 'secret without type reads Opaque; stringData merges into data',
    printer: secretPrinter,
    obj: { ...meta('s2'), data: { a: 'YQ==', b: 'Yg==' }, stringData: { b: 'x', c: 'y' } },
    want: ['s2', 'Opaque', 3, '<unknown>'],
  },
  // TestPrintServiceAccount
  {
    name: 'service account without secrets',
    printer: serviceAccountPrinter,
    obj: { ...meta('sa1', ALMOST_NOW), secrets: [] },
    want: ['sa1', 0, '0s'],
  },
  {
    name: 'service account with two secrets',
    printer: serviceAccountPrinter,
    obj: { ...meta('sa1', ALMOST_NOW), secrets: [{ name: 'Secret1' }, { name: 'Secret2' }] },
    want: ['sa1', 2, '0s'],
  },
  // TestPrintConfigMap
  {
    name: 'config map without data',
    printer: configMapPrinter,
    obj: meta('configmap1', ALMOST_NOW),
    want: ['configmap1', 0, '0s'],
  },
  {
    name: 'config map with one data entry',
    printer: configMapPrinter,
    obj: { ...meta('configmap2', ALMOST_NOW), data: { foo: 'bar' } },
    want: ['configmap2', 1, '0s'],
  },
  {
    name: 'config map with data and binary data',
    printer: configMapPrinter,
    obj: {
      ...meta('configmap3', ALMOST_NOW),
      data: { foo: 'bar' },
      binaryData: { bin: 'YmluYXJ5IGRhdGE=' },
    },
    want: ['configmap3', 2, '0s'],
  },
];

describe('core printers', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(c.printer.cells(c.obj, NOW), c.want);
    });
  }
});

test('core printer columns match upstream', () => {
  const shape = (p: Printer): string[] =>
    p.columns.map((c) => `${c.name}:${c.type}:${String(c.priority)}`);
  assert.deepEqual(shape(namespacePrinter), ['Name:string:0', 'Status:string:0', 'Age:string:0']);
  assert.deepEqual(shape(configMapPrinter), ['Name:string:0', 'Data:string:0', 'Age:string:0']);
  assert.deepEqual(shape(secretPrinter), [
    'Name:string:0',
    'Type:string:0',
    'Data:string:0',
    'Age:string:0',
  ]);
  assert.deepEqual(shape(serviceAccountPrinter), [
    'Name:string:0',
    'Secrets:string:0',
    'Age:string:0',
  ]);
  assert.equal(namespacePrinter.columns[1]?.description, 'The status of the namespace');
  assert.equal(
    secretPrinter.columns[1]?.description,
    'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  );
});
