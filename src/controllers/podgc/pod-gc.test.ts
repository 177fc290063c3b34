// Pod garbage collection's selections as upstream's gc_controller_test.go tables check them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { T0, newNode, newPod } from '../testing/builders.ts';
import {
  OUT_OF_SERVICE_TAINT,
  missingNodeNames,
  terminatedPodsToDelete,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from './pod-gc.ts';

const names = (pods: readonly Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '');
const evicted = (p: Pod): Pod => ({ ...p, status: { ...p.status, reason: 'Evicted' } });

describe('terminatedPodsToDelete (gcTerminated)', () => {
  const pods = [
    newPod('run', { node: 'n', phase: 'Running' }),
    newPod('ok-new', { node: 'n', phase: 'Succeeded', createdMs: T0 + 3000 }),
    newPod('fail-old', { node: 'n', phase: 'Failed', createdMs: T0 }),
    evicted(newPod('evicted-new', { node: 'n', phase: 'Failed', createdMs: T0 + 5000 })),
    newPod('ok-mid', { node: 'n', phase: 'Succeeded', createdMs: T0 + 1000 }),
  ];
  const cases: { name: string; threshold: number; want: string[] }[] = [
    { name: 'threshold 0 turns it off', threshold: 0, want: [] },
    { name: 'under the threshold: nothing', threshold: 4, want: [] },
    { name: 'at the threshold: nothing', threshold: 10, want: [] },
    { name: 'one over: the evicted pod first', threshold: 3, want: ['evicted-new'] },
    {
      name: 'then the oldest, never a running pod',
      threshold: 1,
      want: ['evicted-new', 'fail-old', 'ok-mid'],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(names(terminatedPodsToDelete(pods, c.threshold)), c.want);
    });
});

describe('orphaned and unscheduled pods', () => {
  it('finds the node names the node cache does not know', () => {
    const pods = [
      newPod('a', { node: 'gone' }),
      newPod('b', { node: 'here' }),
      newPod('c'),
      newPod('d', { node: 'gone' }),
    ];
    assert.deepEqual([...missingNodeNames(pods, (n) => n === 'here')], ['gone']);
  });
  it('finds terminating pods never bound to a node', () => {
    const pods = [
      newPod('pending-deleting', { deleting: true }),
      newPod('pending'),
      newPod('bound-deleting', { node: 'n', deleting: true }),
    ];
    assert.deepEqual(names(unscheduledTerminatingPods(pods)), ['pending-deleting']);
  });
});

describe('terminatingPodsOnOutOfServiceNodes (gcTerminating)', () => {
  const oos = [{ key: OUT_OF_SERVICE_TAINT, effect: 'NoExecute' as const }];
  const nodes = new Map([
    ['down-oos', newNode('down-oos', { ready: false, taints: oos })],
    ['up-oos', newNode('up-oos', { ready: true, taints: oos })],
    ['down', newNode('down', { ready: false })],
  ]);
  it('only terminating pods on NotReady nodes with the out-of-service taint', () => {
    const pods = [
      newPod('hit', { node: 'down-oos', deleting: true }),
      newPod('not-terminating', { node: 'down-oos' }),
      newPod('ready-node', { node: 'up-oos', deleting: true }),
      newPod('no-taint', { node: 'down', deleting: true }),
      newPod('unknown-node', { node: 'nowhere', deleting: true }),
    ];
    assert.deepEqual(names(terminatingPodsOnOutOfServiceNodes(pods, (n) => nodes.get(n))), ['hit']);
  });
});
