import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeSelectorRequirement, PodSpec } from 'kubernetes-types/core/v1.d.ts';
import { filterReasons, makeNode, nodeInfo, normalizedScores, podInfo } from '../test-builders.ts';
import { ERR_NODE_AFFINITY, nodeAffinity } from './node-affinity.ts';

const required = (...exprs: NodeSelectorRequirement[]): Partial<PodSpec> => ({
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: exprs }],
      },
    },
  },
});

describe('NodeAffinity filter', () => {
  const node = nodeInfo(makeNode('n1', { labels: { disk: 'ssd', cores: '8', zone: 'a' } }));
  const cases: { name: string; spec: Partial<PodSpec>; fits: boolean }[] = [
    { name: 'no selector', spec: {}, fits: true },
    { name: 'nodeSelector matches', spec: { nodeSelector: { disk: 'ssd' } }, fits: true },
    { name: 'nodeSelector differs', spec: { nodeSelector: { disk: 'hdd' } }, fits: false },
    {
      name: 'nodeSelector on a missing label',
      spec: { nodeSelector: { gpu: 'yes' } },
      fits: false,
    },
    { name: 'In', spec: required({ key: 'zone', operator: 'In', values: ['a', 'b'] }), fits: true },
    {
      name: 'NotIn',
      spec: required({ key: 'zone', operator: 'NotIn', values: ['a'] }),
      fits: false,
    },
    {
      name: 'NotIn on a missing label',
      spec: required({ key: 'gpu', operator: 'NotIn', values: ['x'] }),
      fits: true,
    },
    { name: 'Exists', spec: required({ key: 'disk', operator: 'Exists' }), fits: true },
    {
      name: 'DoesNotExist',
      spec: required({ key: 'disk', operator: 'DoesNotExist' }),
      fits: false,
    },
    { name: 'Gt', spec: required({ key: 'cores', operator: 'Gt', values: ['4'] }), fits: true },
    { name: 'Lt', spec: required({ key: 'cores', operator: 'Lt', values: ['4'] }), fits: false },
    {
      name: 'Gt on a non-integer',
      spec: required({ key: 'disk', operator: 'Gt', values: ['4'] }),
      fits: false,
    },
    {
      name: 'expressions in one term are ANDed',
      spec: required(
        { key: 'disk', operator: 'In', values: ['ssd'] },
        { key: 'zone', operator: 'In', values: ['b'] },
      ),
      fits: false,
    },
    {
      name: 'terms are ORed',
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
              ],
            },
          },
        },
      },
      fits: true,
    },
    {
      name: 'an empty term matches nothing',
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] },
          },
        },
      },
      fits: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = filterReasons(nodeAffinity, podInfo('p', { spec: c.spec }), [node]);
      assert.equal(got['n1'], c.fits ? '' : ERR_NODE_AFFINITY);
    });
  }

  test('a rejection is unresolvable (preemption cannot help)', () => {
    const f = nodeAffinity.prepareFilter(podInfo('p', { spec: { nodeSelector: { a: 'b' } } }), [
      node,
    ]);
    assert.equal(f?.(node)?.unresolvable, true);
  });
});

describe('NodeAffinity score', () => {
  test('sums the weights of matched preferred terms, normalized by the maximum', () => {
    const nodes = [
      nodeInfo(makeNode('both', { labels: { disk: 'ssd', zone: 'a' } })),
      nodeInfo(makeNode('ssd', { labels: { disk: 'ssd' } })),
      nodeInfo(makeNode('none')),
    ];
    const pod = podInfo('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 30,
                preference: {
                  matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }],
                },
              },
              {
                weight: 10,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(normalizedScores(nodeAffinity, pod, nodes), { both: 100, ssd: 75, none: 0 });
    assert.equal(nodeAffinity.prepareScore(podInfo('plain'), nodes, nodes), undefined);
  });
});
