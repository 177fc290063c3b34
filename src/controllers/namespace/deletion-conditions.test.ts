// A terminating namespace's deletion conditions as upstream's namespaced_resources_deleter
// writes them: all five types always present, failing ones with upstream's reasons and
// messages, transitions kept when nothing changed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NamespaceCondition } from 'kubernetes-types/core/v1.d.ts';
import { nextConditions, reportConditions, sameConditions } from './deletion-conditions.ts';
import type { DeletionReport } from './deletion-conditions.ts';

const empty: DeletionReport = {
  discoveryFailures: new Map(),
  contentFailures: [],
  remaining: new Map(),
  finalizers: new Map(),
};

describe('reportConditions', () => {
  const cases: {
    name: string;
    report: Partial<DeletionReport>;
    want: [string, string, string][];
  }[] = [
    { name: 'nothing to report', report: {}, want: [] },
    {
      name: 'discovery failed',
      report: { discoveryFailures: new Map([['metrics.k8s.io/v1beta1', 'unavailable']]) },
      want: [
        [
          'NamespaceDeletionDiscoveryFailure',
          'DiscoveryFailed',
          'Discovery failed for some groups, 1 failing: metrics.k8s.io/v1beta1: unavailable',
        ],
      ],
    },
    {
      name: 'content deletion failed',
      report: { contentFailures: ['configmaps: boom', 'secrets: bang'] },
      want: [
        [
          'NamespaceDeletionContentFailure',
          'ContentDeletionFailed',
          'Failed to delete all resource types, 2 remaining: configmaps: boom, secrets: bang',
        ],
      ],
    },
    {
      name: 'content and finalizers remain, sorted',
      report: {
        remaining: new Map([
          ['widgets.example.com', 1],
          ['pods', 2],
        ]),
        finalizers: new Map([['example.com/hold', 3]]),
      },
      want: [
        [
          'NamespaceContentRemaining',
          'SomeResourcesRemain',
          'Some resources are remaining: pods has 2 resource instances, widgets.example.com has 1 resource instances',
        ],
        [
          'NamespaceFinalizersRemaining',
          'SomeFinalizersRemain',
          'Some content in the namespace has finalizers remaining: example.com/hold in 3 resource instances',
        ],
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(
        reportConditions({ ...empty, ...c.report }).map((x) => [x.type, x.reason, x.message]),
        c.want,
      );
      for (const x of reportConditions({ ...empty, ...c.report })) assert.equal(x.status, 'True');
    });
});

describe('nextConditions', () => {
  it('writes all five types, okay ones False with upstream’s reasons', () => {
    const out = nextConditions([], empty, 't1');
    assert.deepEqual(
      out.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]),
      [
        ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 't1'],
        ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 't1'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 't1'],
        ['NamespaceContentRemaining', 'False', 'ContentRemoved', 't1'],
        ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 't1'],
      ],
    );
  });

  it('keeps lastTransitionTime of unchanged conditions and other types as they are', () => {
    const other: NamespaceCondition = { type: 'Custom', status: 'True' };
    const first = nextConditions([other], { ...empty, remaining: new Map([['pods', 1]]) }, 't1');
    const again = nextConditions(first, { ...empty, remaining: new Map([['pods', 1]]) }, 't2');
    assert.equal(sameConditions(first, again), true);
    const done = nextConditions(again, empty, 't3');
    const byType = new Map(done.map((c) => [c.type, c]));
    assert.equal(byType.get('Custom'), other);
    assert.deepEqual(
      [
        byType.get('NamespaceContentRemaining')?.status,
        byType.get('NamespaceContentRemaining')?.lastTransitionTime,
      ],
      ['False', 't3'],
    );
    assert.equal(byType.get('NamespaceDeletionDiscoveryFailure')?.lastTransitionTime, 't1');
  });
});
