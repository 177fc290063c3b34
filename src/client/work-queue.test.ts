// Cases from client-go's util/workqueue/queue_test.go, for async workers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function expectItem<T>(q: WorkQueue<T>, want: T): Promise<T> {
  assert.deepEqual(await q.get(), { shutdown: false, item: want });
  return want;
}

describe('WorkQueue', () => {
  for (const shutDown of ['shutDown', 'shutDownWithDrain'] as const) {
    it(`basic: 50 producers, 10 consumers, then ${shutDown}`, async () => {
      const q = new WorkQueue<number | string>();
      const processing = new Set<number | string>();
      let processed = 0;
      const producers = Array.from({ length: 50 }, async (_, i) => {
        for (let j = 0; j < 50; j++) {
          q.add(i);
          await tick();
        }
      });
      const consumers = Array.from({ length: 10 }, async () => {
        for (;;) {
          const r = await q.get();
          if (r.shutdown) return;
          assert.notEqual(r.item, 'added after shutdown!');
          // Stingy: never two workers on one item.
          assert.ok(!processing.has(r.item), `${String(r.item)} processed twice at once`);
          processing.add(r.item);
          await tick();
          processing.delete(r.item);
          processed++;
          q.done(r.item);
        }
      });
      await Promise.all(producers);
      let drained = Promise.resolve();
      if (shutDown === 'shutDown') q.shutDown();
      else drained = q.shutDownWithDrain();
      q.add('added after shutdown!');
      await Promise.all(consumers);
      await drained;
      assert.equal(q.len(), 0);
      assert.ok(processed >= 50);
    });

    it(`add while processing: every item re-added once, then ${shutDown}`, async () => {
      const q = new WorkQueue<number>();
      for (let i = 0; i < 50; i++) q.add(i);
      const consumers = Array.from({ length: 10 }, async () => {
        const counters = new Map<number, number>();
        for (;;) {
          const r = await q.get();
          if (r.shutdown) return;
          const n = (counters.get(r.item) ?? 0) + 1;
          counters.set(r.item, n);
          if (n < 2) q.add(r.item);
          await tick();
          q.done(r.item);
        }
      });
      // Let the workers run until everything has settled, then stop.
      for (let i = 0; i < 200 && q.len() > 0; i++) await tick();
      let drained = Promise.resolve();
      if (shutDown === 'shutDown') q.shutDown();
      else drained = q.shutDownWithDrain();
      await Promise.all(consumers);
      await drained;
      assert.equal(q.len(), 0);
    });
  }

  it('len does not count an item added twice', () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    assert.equal(q.len(), 1);
    q.add('bar');
    assert.equal(q.len(), 2);
    q.add('foo');
    assert.equal(q.len(), 2);
  });

  it('reinsert: an item added while processing comes back after done', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    const i = await expectItem(q, 'foo');
    q.add(i);
    q.done(i);
    await expectItem(q, 'foo');
    q.done('foo');
    assert.equal(q.len(), 0);
  });

  it('collapse: adding twice before processing processes once', async () => {
    const q = new WorkQueue<string>();
    q.add('bar');
    q.add('bar');
    await expectItem(q, 'bar');
    q.done('bar');
    assert.equal(q.len(), 0);
  });

  it('collapse while processing: a second worker waits until done', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    await expectItem(q, 'foo');
    q.add('foo');
    q.add('foo');
    let secondGot = false;
    const second = q.get().then((r) => {
      secondGot = true;
      assert.deepEqual(r, { shutdown: false, item: 'foo' });
      q.done('foo');
    });
    await tick();
    assert.equal(secondGot, false, 'worker should be blocked until the first is done');
    q.done('foo');
    await second;
    assert.equal(q.len(), 0);
  });

  it('shutDownWithDrain waits for items being processed', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    q.add('bar');
    const first = await q.get();
    const second = await q.get();
    let finished = false;
    const drain = q.shutDownWithDrain().then(() => {
      finished = true;
    });
    assert.deepEqual(await q.get(), { shutdown: true });
    await tick();
    assert.equal(finished, false);
    if (!first.shutdown) q.done(first.item);
    if (!second.shutdown) q.done(second.item);
    await drain;
    assert.equal(finished, true);
  });

  it('shutDown does not wait for items being processed', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    q.add('bar');
    await q.get();
    await q.get();
    q.shutDown();
    assert.deepEqual(await q.get(), { shutdown: true });
  });

  it('shutDown forces a pending shutDownWithDrain to return', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    q.add('bar');
    await q.get();
    await q.get();
    const drain = q.shutDownWithDrain();
    assert.deepEqual(await q.get(), { shutdown: true });
    q.shutDown();
    await drain;
  });

  it('shutDownWithDrain with a dirty item: it is processed again first', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    await expectItem(q, 'foo');
    q.add('foo');
    const drain = q.shutDownWithDrain();
    assert.deepEqual(await q.get(), { shutdown: true });
    q.done('foo');
    await expectItem(q, 'foo');
    q.done('foo');
    assert.deepEqual(await q.get(), { shutdown: true });
    await drain;
  });

  it('queued items are still handed out after shutDown', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.shutDown();
    q.add('c');
    await expectItem(q, 'a');
    await expectItem(q, 'b');
    assert.deepEqual(await q.get(), { shutdown: true });
  });

  it('is fair: first in, first out', async () => {
    const q = new WorkQueue<number>();
    for (const n of [3, 1, 2]) q.add(n);
    assert.deepEqual(
      [await q.get(), await q.get(), await q.get()].map((r) => (r.shutdown ? -1 : r.item)),
      [3, 1, 2],
    );
  });
});
