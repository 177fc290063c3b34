// The taints the node lifecycle controller owns, as upstream maps conditions to them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Taint } from 'kubernetes-types/core/v1.d.ts';
import { T0, iso, newNode } from '../testing/builders.ts';
import {
  NOT_READY_NO_EXECUTE,
  UNREACHABLE_NO_EXECUTE,
  conditionTaints,
  noExecuteTaintFor,
  noScheduleTaintDiff,
  swapTaints,
} from './node-taints.ts';

const nodeWith = (
  conditions: Record<string, string>,
  taints: Taint[] = [],
  unschedulable = false,
): Node => {
  const n = newNode('n', { taints });
  return {
    ...n,
    spec: { ...n.spec, ...(unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
  };
};
const keys = (ts: readonly Taint[]): string[] => ts.map((t) => `${t.key}:${t.effect}`).sort();

describe('NoSchedule taints from conditions', () => {
  const cases: [string, Record<string, string>, boolean, string[]][] = [
    ['Ready', { Ready: 'True' }, false, []],
    ['NotReady', { Ready: 'False' }, false, ['node.kubernetes.io/not-ready:NoSchedule']],
    ['Unknown', { Ready: 'Unknown' }, false, ['node.kubernetes.io/unreachable:NoSchedule']],
    [
      'pressure',
      { Ready: 'True', MemoryPressure: 'True', DiskPressure: 'True', PIDPressure: 'False' },
      false,
      [
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule',
      ],
    ],
    ['cordoned', { Ready: 'True' }, true, ['node.kubernetes.io/unschedulable:NoSchedule']],
  ];
  for (const [name, conditions, cordoned, want] of cases)
    it(name, () => {
      assert.deepEqual(keys(conditionTaints(nodeWith(conditions, [], cordoned))), want);
    });
  it('diff: adds what is missing, removes only controller-owned taints', () => {
    const n = nodeWith({ Ready: 'Unknown' }, [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    ]);
    const d = noScheduleTaintDiff(n);
    assert.deepEqual(keys(d.add), ['node.kubernetes.io/unreachable:NoSchedule']);
    assert.deepEqual(keys(d.remove), ['node.kubernetes.io/not-ready:NoSchedule']);
  });
});

describe('swapTaints', () => {
  it('adds NoExecute taints with timeAdded, removes the opposite, keeps the rest', () => {
    const before: Taint[] = [
      { key: 'dedicated', value: 'x', effect: 'NoSchedule' },
      NOT_READY_NO_EXECUTE,
    ];
    const after = swapTaints(before, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], T0) ?? [];
    assert.deepEqual(after, [
      { key: 'dedicated', value: 'x', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
    ]);
  });
  it('answers undefined when nothing changes', () => {
    const t: Taint[] = [{ ...UNREACHABLE_NO_EXECUTE, timeAdded: iso(T0) }];
    assert.equal(
      swapTaints(t, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], T0 + 1000),
      undefined,
    );
    assert.equal(swapTaints(undefined, [], [NOT_READY_NO_EXECUTE], T0), undefined);
  });
  it('maps the Ready status to the NoExecute taint', () => {
    assert.deepEqual(noExecuteTaintFor('False'), {
      add: NOT_READY_NO_EXECUTE,
      remove: UNREACHABLE_NO_EXECUTE,
    });
    assert.deepEqual(noExecuteTaintFor('Unknown'), {
      add: UNREACHABLE_NO_EXECUTE,
      remove: NOT_READY_NO_EXECUTE,
    });
    assert.equal(noExecuteTaintFor('True'), undefined);
  });
});
