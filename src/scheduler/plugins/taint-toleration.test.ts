import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.d.ts';
import { filterReasons, makeNode, nodeInfo, normalizedScores, podInfo } from '../test-builders.ts';
import { ERR_UNTOLERATED, taintToleration, toleratesTaint } from './taint-toleration.ts';

const CP: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

describe('toleratesTaint (v1.Toleration.ToleratesTaint)', () => {
  const cases: [string, Toleration, Taint, boolean][] = [
    ['Exists on the key', { key: CP.key, operator: 'Exists' }, CP, true],
    ['empty key with Exists tolerates everything', { operator: 'Exists' }, CP, true],
    [
      'Equal with the same value',
      { key: 'k', value: 'v' },
      { key: 'k', value: 'v', effect: 'NoSchedule' },
      true,
    ],
    [
      'Equal with another value',
      { key: 'k', value: 'x' },
      { key: 'k', value: 'v', effect: 'NoSchedule' },
      false,
    ],
    ['another effect', { key: CP.key, operator: 'Exists', effect: 'NoExecute' }, CP, false],
    ['empty effect matches any effect', { key: CP.key, operator: 'Exists', effect: '' }, CP, true],
    ['another key', { key: 'other', operator: 'Exists' }, CP, false],
    ['unknown operator', { key: CP.key, operator: 'Lt' }, CP, false],
  ];
  for (const [name, t, taint, want] of cases) {
    test(name, () => {
      assert.equal(toleratesTaint(t, taint), want);
    });
  }
});

describe('TaintToleration filter', () => {
  const cases: { name: string; taints: Taint[]; tolerations?: Toleration[]; want: string }[] = [
    { name: 'no taints', taints: [], want: '' },
    { name: 'untolerated NoSchedule', taints: [CP], want: ERR_UNTOLERATED },
    {
      name: 'untolerated NoExecute',
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }],
      want: ERR_UNTOLERATED,
    },
    {
      name: 'PreferNoSchedule never rejects',
      taints: [{ key: 'k', effect: 'PreferNoSchedule' }],
      want: '',
    },
    {
      name: 'tolerated',
      taints: [CP],
      tolerations: [{ key: CP.key, operator: 'Exists', effect: 'NoSchedule' }],
      want: '',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const node = nodeInfo(makeNode('n', { taints: c.taints }));
      const pod = podInfo('p', {
        spec: c.tolerations === undefined ? {} : { tolerations: c.tolerations },
      });
      assert.equal(filterReasons(taintToleration, pod, [node])['n'], c.want);
    });
  }

  test('the reason names no taint (upstream no longer discloses keys and values)', () => {
    const node = nodeInfo(
      makeNode('n', { taints: [{ key: 'secret-team', value: 'x', effect: 'NoSchedule' }] }),
    );
    const f = taintToleration.prepareFilter(podInfo('p'), [node])?.(node);
    assert.ok(f !== undefined);
    assert.equal(f.unresolvable, true);
    assert.doesNotMatch(f.reasons.join(), /secret-team/);
  });
});

describe('TaintToleration score', () => {
  test('fewer untolerated PreferNoSchedule taints score higher', () => {
    const prefer = (key: string): Taint => ({ key, effect: 'PreferNoSchedule' });
    const nodes = [
      nodeInfo(makeNode('clean')),
      nodeInfo(makeNode('one', { taints: [prefer('a')] })),
      nodeInfo(makeNode('two', { taints: [prefer('a'), prefer('b')] })),
    ];
    assert.deepEqual(normalizedScores(taintToleration, podInfo('p'), nodes), {
      clean: 100,
      one: 50,
      two: 0,
    });
    const tolerant = podInfo('p', { spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } });
    assert.deepEqual(normalizedScores(taintToleration, tolerant, nodes), {
      clean: 100,
      one: 100,
      two: 0,
    });
  });
});
