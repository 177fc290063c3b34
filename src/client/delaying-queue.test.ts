// Cases from client-go's util/workqueue/delaying_queue_test.go, with a fake clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { DelayingQueue } from './delaying-queue.ts';

async function next(q: DelayingQueue<string>): Promise<string> {
  const r = await q.get();
  if (r.shutdown) assert.fail('the queue shut down');
  q.done(r.item);
  return r.item;
}

describe('DelayingQueue', () => {
  it('simple: added after the delay, not before, and only once', async () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 50);
    assert.equal(q.len(), 0);
    clock.step(60);
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'foo');
    clock.step(10_000);
    assert.equal(q.len(), 0);
  });

  it('dedupes: a later addAfter does not delay, an earlier one wins', async () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 50);
    q.addAfter('foo', 70);
    assert.equal(q.waitingLen(), 1);
    clock.step(60);
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'foo');
    clock.step(20);
    assert.equal(q.len(), 0);

    q.addAfter('foo', 50);
    q.addAfter('foo', 30);
    assert.equal(q.len(), 0);
    clock.step(40);
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'foo');
    clock.step(20);
    assert.equal(q.len(), 0);
  });

  it('add two, the earlier fires first', async () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 1000);
    q.addAfter('bar', 50);
    clock.step(60);
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'bar');
    q.addAfter('baz', 2000);
    clock.step(1000);
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'foo');
    clock.step(2000);
    assert.equal(q.len(), 1);
    assert.equal(await next(q), 'baz');
  });

  it('copy shifting: items come out in ready order', async () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 1000);
    q.addAfter('bar', 500);
    q.addAfter('baz', 250);
    assert.equal(q.len(), 0);
    clock.step(2000);
    assert.equal(q.len(), 3);
    assert.deepEqual([await next(q), await next(q), await next(q)], ['baz', 'bar', 'foo']);
  });

  it('a zero or negative delay adds at once', () => {
    const q = new DelayingQueue<string>({ clock: new FakeClock() });
    q.addAfter('now', 0);
    q.addAfter('past', -5);
    assert.equal(q.len(), 2);
  });

  it('shutDown drops waiting items and cancels the timer', async () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 50);
    q.shutDown();
    assert.equal(clock.pendingTimers, 0);
    q.addAfter('bar', 10);
    clock.step(100);
    assert.equal(q.len(), 0);
    assert.deepEqual(await q.get(), { shutdown: true });
  });
});
