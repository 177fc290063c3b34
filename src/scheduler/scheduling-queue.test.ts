import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../client/index.ts';
import { SchedulingQueue } from './scheduling-queue.ts';
import type { QueuedPodInfo } from './scheduling-queue.ts';
import { makePod } from './test-builders.ts';

const newQueue = (clock = new FakeClock()) => ({ clock, queue: new SchedulingQueue({ clock }) });
const popName = async (q: SchedulingQueue): Promise<string> =>
  (await q.pop())?.podInfo.pod.metadata?.name ?? '';

/** Pops `name` and reports it unschedulable, rejected by `plugins`, in the cycle it was popped. */
async function failWith(q: SchedulingQueue, plugins: string[]): Promise<QueuedPodInfo> {
  const popped = await q.pop();
  assert.ok(popped !== undefined);
  const cycle = q.schedulingCycle;
  popped.unschedulablePlugins = new Set(plugins);
  q.addUnschedulable(popped, cycle);
  return popped;
}

describe('SchedulingQueue', () => {
  test('activeQ: higher priority first, then first come first served', async () => {
    const { clock, queue } = newQueue();
    queue.add(makePod('low', { priority: 0 }));
    clock.step(1);
    queue.add(makePod('high', { priority: 100 }));
    clock.step(1);
    queue.add(makePod('low2', { priority: 0 }));
    assert.deepEqual(
      [await popName(queue), await popName(queue), await popName(queue)],
      ['high', 'low', 'low2'],
    );
  });

  test('pop waits for a pod, and settles undefined on abort or close', async () => {
    const { queue } = newQueue();
    const waiting = queue.pop();
    queue.add(makePod('p'));
    assert.equal((await waiting)?.podInfo.key, 'default/p');
    const ac = new AbortController();
    const aborted = queue.pop(ac.signal);
    ac.abort();
    assert.equal(await aborted, undefined);
    const closed = queue.pop();
    queue.close();
    assert.equal(await closed, undefined);
  });

  test('backoff: 1 s doubling per attempt up to 10 s', () => {
    const { queue } = newQueue();
    const q = (attempts: number) => ({ attempts }) as QueuedPodInfo;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => queue.backoffDurationMs(q(a))),
      [1_000, 2_000, 4_000, 8_000, 10_000, 10_000],
    );
  });

  test('an unschedulable pod waits for an event one of its rejecting plugins cares about', async () => {
    const { clock, queue } = newQueue();
    queue.add(makePod('p'));
    await failWith(queue, ['NodeResourcesFit']);
    assert.deepEqual(queue.lengths, { active: 0, backoff: 0, unschedulable: 1 });
    queue.moveAllToActiveOrBackoff('AssignedPodAdd'); // a new pod frees nothing
    assert.equal(queue.lengths.unschedulable, 1);
    clock.step(5_000); // past its backoff
    queue.moveAllToActiveOrBackoff('AssignedPodDelete'); // may free cpu
    assert.deepEqual(queue.lengths, { active: 1, backoff: 0, unschedulable: 0 });
  });

  test('moved while still backing off: to backoffQ, then to activeQ once it expired', async () => {
    const { clock, queue } = newQueue();
    queue.add(makePod('p'));
    await failWith(queue, ['TaintToleration']);
    clock.step(200);
    queue.moveAllToActiveOrBackoff('NodeUpdate');
    assert.deepEqual(queue.lengths, { active: 0, backoff: 1, unschedulable: 0 });
    clock.step(500);
    queue.flushBackoffCompleted();
    assert.equal(queue.lengths.backoff, 1, '1 s not over yet');
    clock.step(400);
    queue.flushBackoffCompleted();
    assert.deepEqual(queue.lengths, { active: 1, backoff: 0, unschedulable: 0 });
  });

  test('a move request during the pod’s cycle sends it to backoffQ, not unschedulable', async () => {
    const { queue } = newQueue();
    queue.add(makePod('p'));
    const popped = await queue.pop();
    assert.ok(popped !== undefined);
    const cycle = queue.schedulingCycle;
    queue.moveAllToActiveOrBackoff('NodeAdd'); // a node arrived while it was being scheduled
    popped.unschedulablePlugins = new Set(['NodeResourcesFit']);
    queue.addUnschedulable(popped, cycle);
    assert.deepEqual(queue.lengths, { active: 0, backoff: 1, unschedulable: 0 });
  });

  test('an error (no rejecting plugin) goes to backoffQ', async () => {
    const { queue } = newQueue();
    queue.add(makePod('p'));
    await failWith(queue, []);
    assert.equal(queue.lengths.backoff, 1);
  });

  test('unschedulable for longer than 5 minutes: retried anyway', async () => {
    const { clock, queue } = newQueue();
    queue.add(makePod('p'));
    await failWith(queue, ['NodeAffinity']);
    clock.step(299_000);
    queue.flushUnschedulableLeftover();
    assert.equal(queue.lengths.unschedulable, 1);
    clock.step(2_000);
    queue.flushUnschedulableLeftover();
    assert.equal(queue.lengths.active, 1);
  });

  test('an update to an unschedulable pod gives it another chance; delete removes it', async () => {
    const { clock, queue } = newQueue();
    queue.add(makePod('p'));
    await failWith(queue, ['NodeAffinity']);
    clock.step(2_000);
    queue.update(makePod('p', { labels: { fixed: 'yes' } }));
    assert.equal(queue.lengths.active, 1);
    const again = await queue.pop();
    assert.ok(again !== undefined);
    assert.deepEqual(again.podInfo.labels, { fixed: 'yes' });
    assert.equal(again.attempts, 2);
    queue.add(makePod('q'));
    queue.delete('default/q');
    assert.equal(queue.lengths.active, 0);
  });

  test('run() flushes backoffQ every second until aborted', async () => {
    const { clock, queue } = newQueue();
    const ac = new AbortController();
    const running = queue.run(ac.signal);
    queue.add(makePod('p'));
    await failWith(queue, []);
    clock.step(999);
    assert.equal(queue.lengths.backoff, 1);
    clock.step(1);
    assert.equal(queue.lengths.active, 1);
    ac.abort();
    await running;
    assert.equal(await popName(queue), 'p', 'what is queued can still be taken');
    assert.equal(await queue.pop(), undefined, 'closed: no waiting');
  });
});
