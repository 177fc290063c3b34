// Which pod a ReplicaSet deletes first, against upstream's TestSortingActivePodsWithRanks
// (controller_utils_test.go) with PodDeletionCost and LogarithmicScaleDown on, as by default.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { iso } from '../testing/builders.ts';
import { POD_DELETION_COST_ANNOTATION, deleteBefore, podsToDelete } from './pod-ranking.ts';

const now = Date.UTC(2026, 5, 1, 12, 0, 0);
const then1Month = Date.UTC(2026, 4, 1, 12, 0, 0);
const then2Hours = now - 2 * 3600_000;
const then5Hours = now - 5 * 3600_000;
const then8Hours = now - 8 * 3600_000;
const zero = 0;

/** upstream's pod(name, node, phase, ready, restarts, readySince, created, annotations). */
function pod(
  name: string,
  node: string,
  phase: string,
  ready: boolean,
  restarts: number,
  readySince: number,
  created: number,
  annotations?: Record<string, string>,
): Pod {
  return {
    metadata: {
      name,
      ...(created === zero ? {} : { creationTimestamp: iso(created) }),
      ...(annotations === undefined ? {} : { annotations }),
    },
    spec: { containers: [], ...(node === '' ? {} : { nodeName: node }) },
    status: {
      phase,
      ...(ready
        ? {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                ...(readySince === zero ? {} : { lastTransitionTime: iso(readySince) }),
              },
            ],
            containerStatuses: [
              { name: 'c', image: '', imageID: '', ready: true, restartCount: restarts },
            ],
          }
        : {}),
    },
  };
}

const unscheduled = pod('unscheduled', '', 'Pending', false, 0, zero, zero);
const scheduledPending = pod('pending', 'node', 'Pending', false, 0, zero, zero);
const unknownPhase = pod('unknown-phase', 'node', 'Unknown', false, 0, zero, zero);
const runningNotReady = pod('not-ready', 'node', 'Running', false, 0, zero, zero);
const readyNoTransition = pod('ready-no-ltt', 'node', 'Running', true, 0, zero, zero);
const readyNow = pod('ready-now', 'node', 'Running', true, 0, now, now);
const readyThen = pod('ready-then', 'node', 'Running', true, 0, then1Month, then1Month);
const readyHighRestarts = pod('ready-high-restarts', 'node', 'Running', true, 9001, now, now);
const readyNowCreatedThen = pod(
  'ready-now-created-then',
  'node',
  'Running',
  true,
  0,
  now,
  then1Month,
);
const lowCost = pod('low-cost', 'node', 'Running', true, 0, now, then1Month, {
  [POD_DELETION_COST_ANNOTATION]: '10',
});
const highCost = pod('high-cost', 'node', 'Running', true, 0, now, then1Month, {
  [POD_DELETION_COST_ANNOTATION]: '100',
});
const unscheduled5Hours = pod('unscheduled-5h', '', 'Pending', false, 0, then5Hours, then5Hours);
const unscheduled8Hours = pod('unscheduled-8h', '', 'Pending', false, 0, then8Hours, then8Hours);
const ready2Hours = pod('ready-2h', '', 'Running', true, 0, then2Hours, then1Month);
const ready5Hours = pod('ready-5h', '', 'Running', true, 0, then5Hours, then1Month);
const ready8Hours = pod('ready-8h', '', 'Running', true, 0, then8Hours, then1Month);

describe('ActivePodsWithRanks.Less', () => {
  const equal: [Pod, Pod][] = [
    [unscheduled, unscheduled],
    [scheduledPending, scheduledPending],
    [unknownPhase, unknownPhase],
    [runningNotReady, runningNotReady],
    [readyNowCreatedThen, readyNowCreatedThen],
    [readyNow, readyNow],
    [readyThen, readyThen],
    [readyHighRestarts, readyHighRestarts],
    // Same log2 bucket of age: equal (upstream breaks such ties by UID; these have none).
    [unscheduled5Hours, unscheduled8Hours],
    [ready5Hours, ready8Hours],
  ];
  for (const [a, b] of equal)
    it(`${a.metadata?.name ?? ''} ~ ${b.metadata?.name ?? ''}`, () => {
      const ra = { pod: a, rank: 1 };
      const rb = { pod: b, rank: 1 };
      assert.equal(deleteBefore(ra, rb, now) || deleteBefore(rb, ra, now), false);
    });
  it('within one bucket, the UID decides', () => {
    const withUid = (p: Pod, uid: string): Pod => ({ ...p, metadata: { ...p.metadata, uid } });
    const a = { pod: withUid(ready5Hours, 'a'), rank: 1 };
    const b = { pod: withUid(ready8Hours, 'b'), rank: 1 };
    assert.deepEqual([deleteBefore(a, b, now), deleteBefore(b, a, now)], [true, false]);
  });

  const lesser: [Pod, number, Pod, number][] = [
    [unscheduled, 1, scheduledPending, 2],
    [unscheduled, 2, scheduledPending, 1],
    [scheduledPending, 1, unknownPhase, 2],
    [unknownPhase, 1, runningNotReady, 2],
    [runningNotReady, 1, readyNoTransition, 1],
    [readyNoTransition, 1, readyNow, 1],
    [readyNow, 2, readyNoTransition, 1],
    [readyNow, 1, readyThen, 1],
    [readyNow, 2, readyThen, 1],
    [readyHighRestarts, 1, readyNow, 1],
    [readyNow, 2, readyHighRestarts, 1],
    [readyNow, 1, readyNowCreatedThen, 1],
    [readyNowCreatedThen, 2, readyNow, 1],
    [lowCost, 2, highCost, 1],
    [ready2Hours, 1, ready5Hours, 1],
  ];
  for (const [a, rankA, b, rankB] of lesser)
    it(`${a.metadata?.name ?? ''}(rank ${String(rankA)}) goes before ${b.metadata?.name ?? ''}(rank ${String(rankB)})`, () => {
      const ra = { pod: a, rank: rankA };
      const rb = { pod: b, rank: rankB };
      assert.equal(deleteBefore(ra, rb, now), true);
      assert.equal(deleteBefore(rb, ra, now), false);
    });
});

describe('getPodsToDelete', () => {
  it('deletes the least valuable pods, spreading what remains across nodes', () => {
    const onA = [1, 2, 3].map((i) =>
      pod(`a${String(i)}`, 'node-a', 'Running', true, 0, then2Hours, then2Hours),
    );
    const onB = pod('b1', 'node-b', 'Running', true, 0, then2Hours, then2Hours);
    const notReady = pod('nr', 'node-b', 'Running', false, 0, zero, then2Hours);
    const all = [...onA, onB, notReady];
    const chosen = podsToDelete(all, all, 3, now).map((p) => p.metadata?.name);
    // The not-ready pod first, then pods of the crowded node.
    assert.equal(chosen[0], 'nr');
    assert.ok(chosen.slice(1).every((n) => n?.startsWith('a')));
  });
  it('takes them all when all go', () => {
    assert.equal(podsToDelete([readyNow, readyThen], [], 5, now).length, 2);
  });
});
