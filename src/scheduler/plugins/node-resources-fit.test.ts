import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  filterReasons,
  makeNode,
  makePod,
  nodeInfo,
  normalizedScores,
  podInfo,
} from '../test-builders.ts';
import { balancedAllocation, leastRequestedScore, nodeResourcesFit } from './node-resources-fit.ts';

describe('NodeResourcesFit filter', () => {
  const cases: {
    name: string;
    node: ReturnType<typeof makeNode>;
    existing?: ReturnType<typeof makePod>[];
    pod: ReturnType<typeof podInfo>;
    want: string;
  }[] = [
    { name: 'fits', node: makeNode('n', { cpu: '2' }), pod: podInfo('p', { cpu: '1' }), want: '' },
    {
      name: 'exactly fits what is left',
      node: makeNode('n', { cpu: '2' }),
      existing: [makePod('a', { cpu: '1500m' })],
      pod: podInfo('p', { cpu: '500m' }),
      want: '',
    },
    {
      name: 'insufficient cpu counting pods already there',
      node: makeNode('n', { cpu: '2' }),
      existing: [makePod('a', { cpu: '1500m' })],
      pod: podInfo('p', { cpu: '501m' }),
      want: 'Insufficient cpu',
    },
    {
      name: 'insufficient cpu and memory, both reported',
      node: makeNode('n', { cpu: '1', memory: '1Gi' }),
      pod: podInfo('p', { cpu: '2', memory: '2Gi' }),
      want: 'Insufficient cpu, Insufficient memory',
    },
    {
      name: 'too many pods, even for a pod that requests nothing',
      node: makeNode('n', { pods: '1' }),
      existing: [makePod('a')],
      pod: podInfo('p'),
      want: 'Too many pods',
    },
    {
      name: 'a pod without requests fits a full node',
      node: makeNode('n', { cpu: '1' }),
      existing: [makePod('a', { cpu: '1' })],
      pod: podInfo('p'),
      want: '',
    },
    {
      name: 'a pod asking only memory fits a node whose cpu is overcommitted',
      node: makeNode('n', { cpu: '1' }),
      existing: [makePod('a', { cpu: '2' })],
      pod: podInfo('p', { memory: '1Gi' }),
      want: '',
    },
    {
      name: 'extended resource the node lacks',
      node: makeNode('n'),
      pod: podInfo('p', { extra: { 'example.com/gpu': '1' } }),
      want: 'Insufficient example.com/gpu',
    },
    {
      name: 'extended resource used up by another pod',
      node: makeNode('n', { extra: { 'example.com/gpu': '1' } }),
      existing: [makePod('a', { extra: { 'example.com/gpu': '1' } })],
      pod: podInfo('p', { extra: { 'example.com/gpu': '1' } }),
      want: 'Insufficient example.com/gpu',
    },
    {
      name: 'extended resource available',
      node: makeNode('n', { extra: { 'example.com/gpu': '2' } }),
      existing: [makePod('a', { extra: { 'example.com/gpu': '1' } })],
      pod: podInfo('p', { extra: { 'example.com/gpu': '1' } }),
      want: '',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = filterReasons(nodeResourcesFit, c.pod, [nodeInfo(c.node, c.existing)]);
      assert.equal(got['n'], c.want);
    });
  }
});

describe('NodeResourcesFit score (LeastAllocated) and BalancedAllocation', () => {
  test('leastRequestedScore is integer arithmetic as upstream', () => {
    assert.equal(leastRequestedScore(0, 4000), 100);
    assert.equal(leastRequestedScore(1000, 3000), 66);
    assert.equal(leastRequestedScore(5000, 4000), 0);
    assert.equal(leastRequestedScore(1, 0), 0);
  });

  test('least allocated prefers the emptier node; unset requests count as 100m/200Mi', () => {
    const empty = nodeInfo(makeNode('empty', { cpu: '4', memory: '8Gi' }));
    const busy = nodeInfo(makeNode('busy', { cpu: '4', memory: '8Gi' }), [
      makePod('a', { cpu: '2', memory: '4Gi' }),
    ]);
    const scores = normalizedScores(nodeResourcesFit, podInfo('p'), [empty, busy]);
    // empty: cpu (4000-100)/4000 -> 97, memory (8Gi-200Mi)/8Gi -> 97; busy: 47 and 47.
    assert.deepEqual(scores, { empty: 97, busy: 47 });
  });

  test('a resource the node does not have is left out of the average', () => {
    const noMemory = nodeInfo(makeNode('n', { cpu: '4', memory: '0' }));
    assert.deepEqual(normalizedScores(nodeResourcesFit, podInfo('p', { cpu: '1' }), [noMemory]), {
      n: 75,
    });
  });

  const balanced: { name: string; cpu: string; memory: string; want: number }[] = [
    { name: 'equal fractions', cpu: '2', memory: '4Gi', want: 100 },
    { name: 'cpu 50 %, memory 0 %', cpu: '2', memory: '0', want: 75 },
    { name: 'over-requested caps at 1', cpu: '8', memory: '0', want: 50 },
  ];
  for (const c of balanced) {
    test(`balanced allocation: ${c.name}`, () => {
      const node = nodeInfo(makeNode('n', { cpu: '4', memory: '8Gi' }));
      const pod = podInfo('p', { cpu: c.cpu, ...(c.memory === '0' ? {} : { memory: c.memory }) });
      assert.equal(normalizedScores(balancedAllocation, pod, [node])['n'], c.want);
    });
  }
});
