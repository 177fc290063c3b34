import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.d.ts';
import {
  filterReasons,
  makeNode,
  makePod,
  nodeInfo,
  normalizedScores,
  podInfo,
} from '../test-builders.ts';
import {
  ERR_TOPOLOGY_MISMATCH,
  ERR_TOPOLOGY_MISSING_LABEL,
  podTopologySpread,
} from './pod-topology-spread.ts';

const ZONE = 'topology.kubernetes.io/zone';
const web = { app: 'web' };
const spread = (over: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: ZONE,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: web },
  ...over,
});
const zoned = (name: string, zone?: string) =>
  makeNode(name, zone === undefined ? {} : { labels: { [ZONE]: zone } });
const webPod = (name: string, extra: Parameters<typeof makePod>[1] = {}): Pod =>
  makePod(name, { labels: web, ...extra });

describe('PodTopologySpread filter (DoNotSchedule)', () => {
  test('a domain already ahead by maxSkew is rejected; the emptier one fits', () => {
    const nodes = [
      nodeInfo(zoned('n1', 'a'), [webPod('w1')]),
      nodeInfo(zoned('n2', 'a')),
      nodeInfo(zoned('n3', 'b')),
    ];
    const pod = podInfo('p', { labels: web, spec: { topologySpreadConstraints: [spread()] } });
    assert.deepEqual(filterReasons(podTopologySpread, pod, nodes), {
      n1: ERR_TOPOLOGY_MISMATCH,
      n2: ERR_TOPOLOGY_MISMATCH,
      n3: '',
    });
  });

  test('a node without the topology label is rejected as unresolvable', () => {
    const nodes = [nodeInfo(zoned('n1', 'a')), nodeInfo(zoned('bare'))];
    const pod = podInfo('p', { labels: web, spec: { topologySpreadConstraints: [spread()] } });
    assert.deepEqual(filterReasons(podTopologySpread, pod, nodes), {
      n1: '',
      bare: ERR_TOPOLOGY_MISSING_LABEL,
    });
    const f = podTopologySpread.prepareFilter(pod, nodes);
    assert.equal(f?.(nodes[1] ?? nodes[0]!)?.unresolvable, true);
  });

  const cases: {
    name: string;
    pods: Pod[];
    constraint: TopologySpreadConstraint;
    labels?: Record<string, string>;
    want: Record<string, string>;
  }[] = [
    {
      name: 'terminating pods are not counted',
      pods: [webPod('w1', { terminating: true }), webPod('w2', { terminating: true })],
      constraint: spread(),
      want: { n1: '', n2: '' },
    },
    {
      name: 'pods of another namespace are not counted',
      pods: [webPod('w1', { namespace: 'other' }), webPod('w2', { namespace: 'other' })],
      constraint: spread(),
      want: { n1: '', n2: '' },
    },
    {
      name: 'a pod its own selector does not match adds no skew',
      pods: [webPod('w1')],
      constraint: spread(),
      labels: { app: 'other' },
      want: { n1: '', n2: '' },
    },
    {
      name: 'minDomains above the domains there are: the minimum counts as 0',
      pods: [webPod('w1'), webPod('w2', { nodeName: 'n2' })],
      constraint: spread({ minDomains: 3 }),
      want: { n1: ERR_TOPOLOGY_MISMATCH, n2: ERR_TOPOLOGY_MISMATCH },
    },
    {
      name: 'maxSkew 2 allows one more',
      pods: [webPod('w1')],
      constraint: spread({ maxSkew: 2 }),
      want: { n1: '', n2: '' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const n1 = c.pods.filter((p) => p.spec?.nodeName !== 'n2');
      const n2 = c.pods.filter((p) => p.spec?.nodeName === 'n2');
      const nodes = [nodeInfo(zoned('n1', 'a'), n1), nodeInfo(zoned('n2', 'b'), n2)];
      const pod = podInfo('p', {
        labels: c.labels ?? web,
        spec: { topologySpreadConstraints: [c.constraint] },
      });
      assert.deepEqual(filterReasons(podTopologySpread, pod, nodes), c.want);
    });
  }

  test('only nodes the pod may go to (node selector) make domains', () => {
    const nodes = [
      nodeInfo(makeNode('n1', { labels: { [ZONE]: 'a', disk: 'ssd' } }), [webPod('w1')]),
      nodeInfo(makeNode('n2', { labels: { [ZONE]: 'b' } })),
    ];
    const pod = podInfo('p', {
      labels: web,
      spec: { nodeSelector: { disk: 'ssd' }, topologySpreadConstraints: [spread()] },
    });
    // Zone b is not a domain for this pod, so zone a (1 pod) is the minimum: n1 fits.
    assert.equal(filterReasons(podTopologySpread, pod, nodes)['n1'], '');
  });
});

describe('PodTopologySpread score (ScheduleAnyway, system defaults)', () => {
  test('system default spreading: a replica prefers the node with fewer of its siblings', () => {
    const nodes = [
      nodeInfo(zoned('n1'), [makePod('a', { owner: 'rs1' }), makePod('b', { owner: 'rs1' })]),
      nodeInfo(zoned('n2'), [makePod('c', { owner: 'rs2' })]),
    ];
    // hostname: count·ln(2 + 2) + (3 − 1): n1 = round(4.77) = 5, n2 = 2; reversed: 40, 100.
    assert.deepEqual(normalizedScores(podTopologySpread, podInfo('p', { owner: 'rs1' }), nodes), {
      n1: 40,
      n2: 100,
    });
  });

  test('a pod without owner or constraints is not scored', () => {
    const nodes = [nodeInfo(zoned('n1'))];
    assert.equal(podTopologySpread.prepareScore(podInfo('p'), nodes, nodes), undefined);
  });

  test('explicit constraints ignore nodes without the label (score 0)', () => {
    const nodes = [
      nodeInfo(zoned('n1', 'a'), [webPod('w1')]),
      nodeInfo(zoned('n2', 'b')),
      nodeInfo(zoned('bare')),
    ];
    const pod = podInfo('p', {
      labels: web,
      spec: { topologySpreadConstraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] },
    });
    // zone weight ln(2 + 2): n1 = round(1.39) = 1, n2 = 0 -> max 1, min 0: n1 0, n2 100.
    assert.deepEqual(normalizedScores(podTopologySpread, pod, nodes), { n1: 0, n2: 100, bare: 0 });
  });
});
