import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.d.ts';
import { filterReasons, makeNode, makePod, nodeInfo, podInfo } from '../test-builders.ts';
import {
  ERR_AFFINITY,
  ERR_ANTI_AFFINITY,
  ERR_EXISTING_ANTI_AFFINITY,
  interPodAffinity,
} from './inter-pod-affinity.ts';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const term = (
  labels: Record<string, string>,
  topologyKey = HOST,
  namespaces?: string[],
): PodAffinityTerm => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...(namespaces === undefined ? {} : { namespaces }),
});
const antiPod = (
  name: string,
  labels: Record<string, string>,
  terms: PodAffinityTerm[],
  nodeName?: string,
): Pod =>
  makePod(name, {
    labels,
    ...(nodeName === undefined ? {} : { nodeName }),
    spec: {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } },
    },
  });
const affinityPod = (name: string, labels: Record<string, string>, terms: PodAffinityTerm[]) =>
  podInfo(name, {
    labels,
    spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } },
  });
const zoned = (name: string, zone?: string) =>
  makeNode(name, zone === undefined ? {} : { labels: { [ZONE]: zone } });

describe('InterPodAffinity: required anti-affinity', () => {
  test('replicas with hostname anti-affinity avoid each other', () => {
    const nodes = [
      nodeInfo(zoned('n1'), [makePod('w1', { labels: { app: 'web' } })]),
      nodeInfo(zoned('n2')),
    ];
    const pod = podInfo('p', {
      labels: { app: 'web' },
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })],
          },
        },
      },
    });
    assert.deepEqual(filterReasons(interPodAffinity, pod, nodes), {
      n1: ERR_ANTI_AFFINITY,
      n2: '',
    });
  });

  test("an existing pod's anti-affinity keeps matching pods out of its domain (symmetry)", () => {
    const nodes = [
      nodeInfo(zoned('n1', 'a'), [antiPod('db', { app: 'db' }, [term({ app: 'web' }, ZONE)])]),
      nodeInfo(zoned('n2', 'a')),
      nodeInfo(zoned('n3', 'b')),
    ];
    assert.deepEqual(
      filterReasons(interPodAffinity, podInfo('p', { labels: { app: 'web' } }), nodes),
      {
        n1: ERR_EXISTING_ANTI_AFFINITY,
        n2: ERR_EXISTING_ANTI_AFFINITY,
        n3: '',
      },
    );
    // A pod the term does not select is not affected.
    assert.equal(
      interPodAffinity.prepareFilter(podInfo('q', { labels: { app: 'x' } }), nodes),
      undefined,
    );
  });

  test('a term selects pods of its own namespace unless it lists others', () => {
    const nodes = [
      nodeInfo(zoned('n1'), [makePod('w1', { labels: { app: 'web' }, namespace: 'other' })]),
    ];
    const anti = (namespaces?: string[]) =>
      podInfo('p', {
        spec: {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                term({ app: 'web' }, HOST, namespaces),
              ],
            },
          },
        },
      });
    assert.equal(filterReasons(interPodAffinity, anti(), nodes)['n1'], '');
    assert.equal(filterReasons(interPodAffinity, anti(['other']), nodes)['n1'], ERR_ANTI_AFFINITY);
  });
});

describe('InterPodAffinity: required affinity', () => {
  const nodes = [
    nodeInfo(zoned('n1', 'a'), [makePod('db', { labels: { app: 'db', tier: 'data' } })]),
    nodeInfo(zoned('n2', 'a')),
    nodeInfo(zoned('n3', 'b')),
    nodeInfo(zoned('bare')),
  ];

  test('goes only to domains holding a matching pod (unresolvable elsewhere)', () => {
    const pod = affinityPod('p', {}, [term({ app: 'db' }, ZONE)]);
    assert.deepEqual(filterReasons(interPodAffinity, pod, nodes), {
      n1: '',
      n2: '',
      n3: ERR_AFFINITY,
      bare: ERR_AFFINITY,
    });
    const f = interPodAffinity.prepareFilter(pod, nodes);
    assert.equal(f?.(nodes[2]!)?.unresolvable, true);
  });

  test('a matching pod must match every term', () => {
    const pod = affinityPod('p', {}, [term({ app: 'db' }, ZONE), term({ tier: 'cache' }, ZONE)]);
    assert.deepEqual(filterReasons(interPodAffinity, pod, nodes), {
      n1: ERR_AFFINITY,
      n2: ERR_AFFINITY,
      n3: ERR_AFFINITY,
      bare: ERR_AFFINITY,
    });
  });

  test('the first pod of a self-selecting group may go anywhere the topology label is', () => {
    const pod = affinityPod('p', { app: 'cache' }, [term({ app: 'cache' }, ZONE)]);
    assert.deepEqual(filterReasons(interPodAffinity, pod, nodes), {
      n1: '',
      n2: '',
      n3: '',
      bare: ERR_AFFINITY,
    });
  });
});
