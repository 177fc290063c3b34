// client-go's util/workqueue/rate_limiting_queue_test.go, with a fake clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.ts';
import { RateLimitingQueue } from './rate-limiting-queue.ts';

describe('RateLimitingQueue', () => {
  it('waits as the limiter says, per item; forget starts over', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(1, 1000),
    });
    /** Steps until `item` is queued and answers how long that took. */
    const readyAfter = async (item: string): Promise<number> => {
      for (let ms = 0; ms <= 1000; ms++) {
        if (q.len() > 0) {
          const r = await q.get();
          assert.deepEqual(r, { shutdown: false, item });
          q.done(item);
          return ms;
        }
        clock.step(1);
      }
      throw new Error(`${item} never became ready`);
    };

    q.addRateLimited('one');
    assert.equal(await readyAfter('one'), 1);
    q.addRateLimited('one');
    assert.equal(await readyAfter('one'), 2);
    assert.equal(q.numRequeues('one'), 2);

    q.addRateLimited('two');
    assert.equal(await readyAfter('two'), 1);
    q.addRateLimited('two');
    assert.equal(await readyAfter('two'), 2);

    q.forget('one');
    assert.equal(q.numRequeues('one'), 0);
    q.addRateLimited('one');
    assert.equal(await readyAfter('one'), 1);
    q.shutDown();
  });

  it('uses the default controller limiter when given none', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock });
    q.addRateLimited('a');
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    clock.step(4);
    assert.equal(q.len(), 0);
    // The second failure asked for 10 ms, but the earlier 5 ms wait wins (earlier ready time).
    clock.step(1);
    assert.equal(q.len(), 1);
    q.shutDown();
  });
});
