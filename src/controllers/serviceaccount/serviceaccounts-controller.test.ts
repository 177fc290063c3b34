// Which ServiceAccounts a namespace lacks, as upstream's serviceaccounts_controller_test.go
// tables check it: only Active namespaces get them, existing ones are never re-created.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace } from 'kubernetes-types/core/v1.d.ts';
import { missingAccounts } from './serviceaccounts-controller.ts';

const ns = (o: { phase?: string; deleting?: boolean } = {}): Namespace => ({
  metadata: {
    name: 'team',
    ...(o.deleting === true ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  ...(o.phase === undefined ? {} : { status: { phase: o.phase } }),
});

describe('missingAccounts', () => {
  const cases: {
    name: string;
    namespace: Namespace | undefined;
    has: string[];
    accounts?: string[];
    want: string[];
  }[] = [
    {
      name: 'an Active namespace without default',
      namespace: ns({ phase: 'Active' }),
      has: [],
      want: ['default'],
    },
    {
      name: 'a namespace with no phase yet counts as Active',
      namespace: ns(),
      has: [],
      want: ['default'],
    },
    { name: 'default already there', namespace: ns(), has: ['default'], want: [] },
    { name: 'a Terminating namespace', namespace: ns({ phase: 'Terminating' }), has: [], want: [] },
    { name: 'a namespace being deleted', namespace: ns({ deleting: true }), has: [], want: [] },
    { name: 'a namespace that is gone', namespace: undefined, has: [], want: [] },
    {
      name: 'several accounts, some present',
      namespace: ns(),
      has: ['default'],
      accounts: ['default', 'builder', 'deployer'],
      want: ['builder', 'deployer'],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(
        missingAccounts(c.namespace, (n) => c.has.includes(n), c.accounts ?? ['default']),
        c.want,
      );
    });
});
