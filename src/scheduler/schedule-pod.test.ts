import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Taint } from 'kubernetes-types/core/v1.d.ts';
import { NO_NODES_AVAILABLE, numFeasibleNodesToFind, schedulePod } from './schedule-pod.ts';
import type { ScheduleResult } from './schedule-pod.ts';
import { defaultProfile } from './profile.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { makeNode, makePod, nodeInfo, podInfo } from './test-builders.ts';

const messageOf = (r: ScheduleResult): string => (r.kind === 'unschedulable' ? r.message : '');
const reasonOf = (r: ScheduleResult): string => (r.kind === 'unschedulable' ? r.reason : '');
const nodeOf = (r: ScheduleResult): string => (r.kind === 'scheduled' ? r.nodeName : '');
const evaluatedOf = (r: ScheduleResult): number => (r.kind === 'scheduled' ? r.evaluatedNodes : 0);

const CP: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

describe('numFeasibleNodesToFind (upstream adaptive percentage)', () => {
  const cases: [number, number][] = [
    [0, 0],
    [50, 50],
    [99, 99],
    [100, 100],
    [500, 230], // 50 − 4 = 46 %
    [1_000, 420], // 50 − 8 = 42 %
    [5_000, 500], // 50 − 40 = 10 %
    [6_000, 300], // floor 5 %
  ];
  for (const [nodes, want] of cases) {
    test(`${String(nodes)} nodes -> ${String(want)}`, () => {
      assert.equal(numFeasibleNodesToFind(nodes), want);
    });
  }
  test('an explicit percentage, floored at 100 nodes', () => {
    assert.equal(numFeasibleNodesToFind(1_000, 50), 500);
    assert.equal(numFeasibleNodesToFind(1_000, 1), 100);
  });
});

describe('schedulePod', () => {
  test('the FailedScheduling message has upstream shape, with the preemption verdicts', () => {
    const nodes = [
      nodeInfo(makeNode('cp', { cpu: '4', taints: [CP] })),
      nodeInfo(makeNode('w1', { cpu: '2' })),
      nodeInfo(makeNode('w2', { cpu: '2' })),
    ];
    const r = schedulePod(podInfo('big', { cpu: '3' }), nodes, defaultProfile);
    assert.equal(r.kind, 'unschedulable');
    assert.equal(
      messageOf(r),
      '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  test('preemption verdicts with lower-priority pods, and preemptionPolicy Never', () => {
    const low = (name: string, cpu: string) => makePod(name, { cpu, priority: -1 });
    const nodes = [
      // Evicting the low-priority pod would free enough cpu (upstream would preempt).
      nodeInfo(makeNode('evictable', { cpu: '2' }), [low('l1', '1500m')]),
      // Even with the low-priority pod gone, 1 cpu is not enough.
      nodeInfo(makeNode('small', { cpu: '1' }), [low('l2', '500m')]),
    ];
    const r = schedulePod(podInfo('p', { cpu: '1500m', priority: 10 }), nodes, defaultProfile);
    assert.equal(
      messageOf(r),
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 k8ts does not preempt lower-priority pods.',
    );
    const never = schedulePod(
      podInfo('p', { cpu: '1500m', priority: 10, spec: { preemptionPolicy: 'Never' } }),
      nodes,
      defaultProfile,
    );
    assert.equal(
      messageOf(never),
      '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });

  test('no nodes at all: upstream’s scheduler error, not a fit error', () => {
    const r = schedulePod(podInfo('p'), [], defaultProfile);
    assert.equal(r.kind, 'unschedulable');
    assert.equal(reasonOf(r), 'SchedulerError');
    assert.equal(messageOf(r), NO_NODES_AVAILABLE);
  });

  test('round robin: each cycle starts where the last one stopped looking', () => {
    const nodes = Array.from({ length: 200 }, (_, i) => nodeInfo(makeNode(`n${String(i)}`)));
    const first = schedulePod(podInfo('a'), nodes, defaultProfile, { random: () => 0 });
    assert.equal(first.kind, 'scheduled');
    assert.equal(evaluatedOf(first), 100);
    assert.equal(first.nextStartNodeIndex, 100);
    const second = schedulePod(podInfo('b'), nodes, defaultProfile, {
      startNodeIndex: first.nextStartNodeIndex,
      random: () => 0,
    });
    assert.equal(second.nextStartNodeIndex, 0);
  });

  test('ties are broken at random among the top scorers', () => {
    const nodes = [nodeInfo(makeNode('a')), nodeInfo(makeNode('b')), nodeInfo(makeNode('c'))];
    const picks = new Set<string>();
    for (const r of [0, 0.4, 0.9]) {
      const res = schedulePod(podInfo('p'), nodes, defaultProfile, { random: () => r });
      picks.add(nodeOf(res));
    }
    assert.ok(picks.size >= 2, [...picks].join());
  });

  test('assumed pods count at once: back-to-back decisions do not overbook a node', () => {
    const cache = new SchedulerCache();
    for (const n of ['n1', 'n2', 'n3']) cache.upsertNode(makeNode(n, { cpu: '1' }));
    const placed: string[] = [];
    for (let i = 0; i < 4; i++) {
      // Each decision is made before any binding returned (nothing confirmed by the API yet).
      const pod = podInfo(`p${String(i)}`, { cpu: '600m' });
      const r = schedulePod(pod, cache.nodeInfos(), defaultProfile);
      const node = nodeOf(r);
      if (node !== '') cache.assume(pod, node);
      placed.push(node === '' ? 'none' : node);
    }
    assert.equal(new Set(placed.slice(0, 3)).size, 3, `one per node: ${placed.join()}`);
    assert.equal(placed[3], 'none');
    // A failed binding gives the room back.
    cache.forget('default/p0');
    const again = schedulePod(podInfo('p4', { cpu: '600m' }), cache.nodeInfos(), defaultProfile);
    assert.equal(nodeOf(again), placed[0]);
  });
});
