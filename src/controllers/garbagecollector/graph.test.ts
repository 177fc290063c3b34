// The garbage collector's pure parts as upstream's garbagecollector_test.go tables check them:
// attemptToDeleteItem's decision per owner state, and which uids each graph transition enqueues.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { KubeObject } from '../../client/index.ts';
import {
  AbsentOwnerCache,
  DependencyGraph,
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  decide,
  parseApiVersion,
} from './graph.ts';
import type { DeleteDecision, OwnerState } from './graph.ts';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const RS = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };

const ref = (uid: string, blockOwnerDeletion?: boolean): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: `rs-${uid}`,
  uid,
  ...(blockOwnerDeletion === undefined ? {} : { blockOwnerDeletion }),
});

const obj = (
  uid: string,
  o: { owners?: OwnerReference[]; finalizers?: string[]; deleting?: boolean } = {},
): KubeObject => ({
  metadata: {
    name: `obj-${uid}`,
    namespace: 'ns',
    uid,
    ...(o.owners === undefined ? {} : { ownerReferences: o.owners }),
    ...(o.finalizers === undefined ? {} : { finalizers: o.finalizers }),
    ...(o.deleting === true ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
});

describe('decide (attemptToDeleteItem)', () => {
  const cases: {
    name: string;
    finalizers?: string[];
    owners: [string, OwnerState][];
    hasDependents?: boolean;
    want: DeleteDecision;
  }[] = [
    { name: 'no owners: left alone', owners: [], want: { action: 'none' } },
    { name: 'a solid owner: left alone', owners: [['a', 'solid']], want: { action: 'none' } },
    {
      name: 'a solid owner and a dangling one: the dangling reference goes',
      owners: [
        ['a', 'solid'],
        ['b', 'dangling'],
      ],
      want: { action: 'removeOwnerRefs', uids: ['b'] },
    },
    {
      name: 'a solid owner and one deleting in the foreground: that reference goes too',
      owners: [
        ['a', 'solid'],
        ['b', 'dangling'],
        ['c', 'waitingForDependentsDeletion'],
      ],
      want: { action: 'removeOwnerRefs', uids: ['b', 'c'] },
    },
    {
      name: 'only dangling owners: deleted in the background',
      owners: [['b', 'dangling']],
      want: { action: 'delete', policy: 'Background' },
    },
    {
      name: 'dangling owners and an orphan finalizer: deleted with Orphan',
      finalizers: [ORPHAN_FINALIZER],
      owners: [['b', 'dangling']],
      want: { action: 'delete', policy: 'Orphan' },
    },
    {
      name: 'dangling owners and a foreground finalizer: deleted with Foreground',
      finalizers: [FOREGROUND_FINALIZER],
      owners: [['b', 'dangling']],
      want: { action: 'delete', policy: 'Foreground' },
    },
    {
      name: 'an owner waiting for dependents, no dependents of its own: Background',
      owners: [['c', 'waitingForDependentsDeletion']],
      want: { action: 'delete', policy: 'Background' },
    },
    {
      name: 'an owner waiting for dependents, with dependents of its own: Foreground',
      owners: [['c', 'waitingForDependentsDeletion']],
      hasDependents: true,
      want: { action: 'delete', policy: 'Foreground' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const o = obj('x', c.finalizers === undefined ? {} : { finalizers: c.finalizers });
      const owners = c.owners.map(([uid, state]) => ({ uid, state }));
      assert.deepEqual(decide(o, owners, c.hasDependents ?? false), c.want);
    });
  }
});

describe('DependencyGraph transitions', () => {
  it('an unseen owner becomes a virtual node to verify; observing it makes it real', () => {
    const g = new DependencyGraph();
    const ch = g.observe(obj('p', { owners: [ref('rs1')] }), POD);
    assert.deepEqual(ch, { attemptToDelete: ['rs1'], attemptToOrphan: [] });
    assert.equal(g.get('rs1')?.virtual, true);
    assert.equal(g.get('rs1')?.identity.namespace, 'ns');
    assert.deepEqual(g.observe(obj('rs1'), RS), { attemptToDelete: [], attemptToOrphan: [] });
    assert.equal(g.get('rs1')?.virtual, false);
    assert.equal(g.get('rs1')?.dependents.size, 1);
  });

  it('a deleted owner enqueues its dependents', () => {
    const g = new DependencyGraph();
    g.observe(obj('rs1'), RS);
    g.observe(obj('p1', { owners: [ref('rs1')] }), POD);
    g.observe(obj('p2', { owners: [ref('rs1')] }), POD);
    assert.deepEqual(g.remove('rs1').attemptToDelete.sort(), ['p1', 'p2']);
    assert.equal(g.get('rs1'), undefined);
  });

  it('an owner deleting with the orphan finalizer is enqueued to orphan', () => {
    const g = new DependencyGraph();
    g.observe(obj('rs1'), RS);
    const ch = g.observe(obj('rs1', { deleting: true, finalizers: [ORPHAN_FINALIZER] }), RS);
    assert.deepEqual(ch, { attemptToDelete: [], attemptToOrphan: ['rs1'] });
  });

  it('foreground deletion: the owner and every dependent are enqueued; a blocking dependent going unblocks it', () => {
    const g = new DependencyGraph();
    g.observe(obj('rs1'), RS);
    g.observe(obj('p1', { owners: [ref('rs1', true)] }), POD);
    g.observe(obj('p2', { owners: [ref('rs1', false)] }), POD);
    const ch = g.observe(obj('rs1', { deleting: true, finalizers: [FOREGROUND_FINALIZER] }), RS);
    assert.deepEqual(ch.attemptToDelete.sort(), ['p1', 'p2', 'rs1']);
    const owner = g.get('rs1')!;
    assert.equal(owner.deletingDependents, true);
    assert.deepEqual(
      g.blockingDependents(owner).map((d) => d.identity.uid),
      ['p1'],
    );
    // The blocking dependent goes: the owner is looked at again.
    assert.deepEqual(g.remove('p1').attemptToDelete, ['rs1']);
    assert.deepEqual(g.blockingDependents(owner), []);
  });

  it('a dependent dropping blockOwnerDeletion, or its reference, unblocks a foreground owner', () => {
    const g = new DependencyGraph();
    g.observe(obj('rs1', { deleting: true, finalizers: [FOREGROUND_FINALIZER] }), RS);
    g.observe(obj('p1', { owners: [ref('rs1', true)] }), POD);
    g.observe(obj('p2', { owners: [ref('rs1', true)] }), POD);
    assert.deepEqual(g.observe(obj('p1', { owners: [ref('rs1', false)] }), POD).attemptToDelete, [
      'rs1',
    ]);
    assert.deepEqual(g.observe(obj('p2', { owners: [] }), POD).attemptToDelete, ['rs1']);
    assert.deepEqual(g.blockingDependents(g.get('rs1')!), []);
    // A non-blocking change does not enqueue anything.
    assert.deepEqual(
      g.observe(obj('p1', { owners: [ref('rs1', false)] }), POD).attemptToDelete,
      [],
    );
  });
});

describe('AbsentOwnerCache', () => {
  it('is an LRU of bounded size', () => {
    const c = new AbsentOwnerCache(2);
    c.add('a');
    c.add('b');
    assert.equal(c.has('a'), true); // a is now the most recent
    c.add('c'); // evicts b
    assert.deepEqual([c.has('a'), c.has('b'), c.has('c')], [true, false, true]);
  });
});

describe('parseApiVersion', () => {
  it('splits group and version; the core group is empty', () => {
    assert.deepEqual(parseApiVersion('v1'), { group: '', version: 'v1' });
    assert.deepEqual(parseApiVersion('apps/v1'), { group: 'apps', version: 'v1' });
  });
});
