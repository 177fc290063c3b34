// Zone disruption as upstream's ComputeZoneState and handleDisruption decide it, and the
// rate-limited tainting queue that paces NoExecute taints.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeCondition } from 'kubernetes-types/core/v1.d.ts';
import { FakeClock } from '../../client/index.ts';
import { newNode } from '../testing/builders.ts';
import { NODE_LIFECYCLE_DEFAULTS } from './node-lifecycle-options.ts';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue.ts';
import { computeZoneState, disruptionDecision, zoneKey } from './zone-state.ts';

const c = (status: string): NodeCondition => ({ type: 'Ready', status });
const ready = (n: number) => Array.from({ length: n }, () => c('True'));
const down = (n: number) => Array.from({ length: n }, () => c('Unknown'));

describe('ComputeZoneState', () => {
  const cases: [string, (NodeCondition | undefined)[], string][] = [
    ['all ready', ready(3), 'Normal'],
    ['one of three down', [...ready(2), ...down(1)], 'Normal'],
    ['two of three down (not more than 2)', [...ready(1), ...down(2)], 'Normal'],
    ['three of five down (60 %)', [...ready(2), ...down(3)], 'PartialDisruption'],
    ['three of ten down (30 %)', [...ready(7), ...down(3)], 'Normal'],
    ['all down', down(2), 'FullDisruption'],
    [
      'a node without a Ready condition counts as not ready',
      [undefined, undefined],
      'FullDisruption',
    ],
  ];
  for (const [name, conditions, want] of cases)
    it(name, () => {
      assert.equal(computeZoneState(conditions, 0.55).state, want);
    });
});

describe('handleDisruption', () => {
  const r = NODE_LIFECYCLE_DEFAULTS;
  it('normal zones taint at the normal rate', () => {
    const d = disruptionDecision(new Map([['a', [...ready(2), ...down(1)]]]), r);
    assert.deepEqual([d.allFullyDisrupted, d.rates.get('a')], [false, 0.1]);
  });
  it('a small partially disrupted zone stops tainting; a large one slows down', () => {
    const small = disruptionDecision(new Map([['a', [...ready(2), ...down(3)]]]), r);
    assert.equal(small.rates.get('a'), 0);
    const large = disruptionDecision(new Map([['a', [...ready(20), ...down(40)]]]), r);
    assert.equal(large.rates.get('a'), 0.01);
  });
  it('one fully disrupted zone among healthy ones still taints', () => {
    const d = disruptionDecision(
      new Map([
        ['a', down(2)],
        ['b', ready(2)],
      ]),
      r,
    );
    assert.deepEqual([d.allFullyDisrupted, d.rates.get('a')], [false, 0.1]);
  });
  it('every zone fully disrupted: nothing is tainted', () => {
    const d = disruptionDecision(
      new Map([
        ['a', down(2)],
        ['b', down(1)],
      ]),
      r,
    );
    assert.deepEqual([d.allFullyDisrupted, d.rates.get('a'), d.rates.get('b')], [true, 0, 0]);
  });
  it('zone keys come from the topology labels', () => {
    assert.equal(zoneKey(newNode('n')), '');
    assert.equal(
      zoneKey(
        newNode('n', {
          labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' },
        }),
      ),
      'r:\u0000:z',
    );
  });
});

describe('RateLimitedTimedQueue', () => {
  it('processes the first item at once, then one per 1/qps seconds', async () => {
    const clock = new FakeClock();
    const q = new RateLimitedTimedQueue(clock, 0.1);
    const done: string[] = [];
    q.add('a');
    q.add('b');
    assert.equal(q.add('a'), false, 'unique');
    const take = () =>
      q.tryEach((v) => {
        done.push(v);
        return Promise.resolve(true);
      });
    await take();
    assert.deepEqual(done, ['a']);
    clock.step(5_000);
    await take();
    assert.deepEqual(done, ['a']);
    clock.step(5_000);
    await take();
    assert.deepEqual(done, ['a', 'b']);
    assert.equal(q.size, 0);
  });
  it('a failed item stays and is due again after its delay; rate 0 stops all', async () => {
    const clock = new FakeClock();
    const q = new RateLimitedTimedQueue(clock, 100);
    q.add('a');
    let calls = 0;
    const fn = () => {
      calls++;
      return Promise.resolve(calls >= 2 ? (true as const) : 50);
    };
    await q.tryEach(fn);
    assert.deepEqual([calls, q.size], [1, 1]);
    clock.step(20);
    await q.tryEach(fn);
    assert.equal(calls, 1, 'not due yet');
    clock.step(40);
    await q.tryEach(fn);
    assert.deepEqual([calls, q.size], [2, 0]);
    q.add('b');
    q.setRate(0);
    clock.step(10_000);
    await q.tryEach(fn);
    assert.equal(q.size, 1);
  });
});
