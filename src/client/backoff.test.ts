import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.ts';
import { FakeClock, sleep } from './clock.ts';

describe('Backoff', () => {
  it('doubles from 800 ms to the 30 s cap without jitter', () => {
    const b = new Backoff({ jitter: 0 }, new FakeClock());
    assert.deepEqual(
      Array.from({ length: 8 }, () => b.next()),
      [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000],
    );
  });

  it('adds up to jitter·d at random', () => {
    const b = new Backoff({ initialMs: 100, jitter: 1 }, new FakeClock(), () => 0.5);
    assert.equal(b.next(), 150);
    assert.equal(b.next(), 300);
  });

  it('starts over after a quiet period', () => {
    const clock = new FakeClock();
    const b = new Backoff({ initialMs: 100, jitter: 0, resetAfterMs: 1000 }, clock);
    b.next();
    b.next();
    assert.equal(b.next(), 400);
    clock.step(1001);
    assert.equal(b.next(), 100);
  });
});

describe('FakeClock', () => {
  it('fires due timers in order, including ones set while stepping', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b@20'), 20);
    clock.setTimer(() => {
      fired.push('a@10');
      clock.setTimer(() => fired.push('c@15'), 5);
    }, 10);
    const cancelled = clock.setTimer(() => fired.push('never'), 12);
    cancelled.cancel();
    clock.step(30);
    assert.deepEqual(fired, ['a@10', 'c@15', 'b@20']);
    assert.equal(clock.now(), 30);
    assert.equal(clock.pendingTimers, 0);
  });

  it('sleep resolves on the clock or at once on abort', async () => {
    const clock = new FakeClock(0);
    let woke = false;
    const s = sleep(clock, 100).then(() => (woke = true));
    clock.step(99);
    await Promise.resolve();
    assert.equal(woke, false);
    clock.step(1);
    await s;
    const ac = new AbortController();
    const aborted = sleep(clock, 1000, ac.signal);
    ac.abort();
    await aborted;
    assert.equal(clock.pendingTimers, 0);
  });
});
