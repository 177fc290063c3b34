import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { FakeLock, FakeLockStore } from './fake-lock.ts';
import { NotLeadingError } from './errors.ts';
import { LEADER_ELECTION_DEFAULTS } from './leader-election-timings.ts';
import { LeaderElector } from './leader-elector.ts';
import type { LeaderCallbacks } from './leader-elector-options.ts';

/** A leadership term as the tests see it: the elector, its lock and what happened when. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

async function advance(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.step(Math.min(stepMs, ms - t));
    await flush();
  }
}

/** A clock that can run ahead of the timers (an event loop that stalled: time passed, no timer ran yet). */
class StallableClock implements Clock {
  aheadMs = 0;
  readonly base: FakeClock;
  constructor(base: FakeClock) {
    this.base = base;
  }
  now(): number {
    return this.base.now() + this.aheadMs;
  }
  setTimer(callback: () => void, delayMs: number): ReturnType<Clock['setTimer']> {
    return this.base.setTimer(callback, delayMs - this.aheadMs);
  }
}

/** Read through a call, so earlier assertions do not narrow the value. */
const term = (terms: readonly AbortSignal[]): AbortSignal | undefined => terms[0];
const holder = (store: FakeLockStore): string | undefined => store.record?.holderIdentity;

function start(
  lock: FakeLock,
  clock: Clock,
  onStartedLeading: LeaderCallbacks['onStartedLeading'],
): { elector: LeaderElector; stop: AbortController; done: Promise<void> } {
  const elector = new LeaderElector({
    lock,
    clock,
    random: () => 0,
    callbacks: { onStartedLeading },
  });
  const stop = new AbortController();
  return { elector, stop, done: elector.run(stop.signal) };
}

describe('LeaderElector: the term', () => {
  test('renews with one optimistic update; a foreign write to the lock falls back to get + update', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const lock = new FakeLock(store, 'a_1');
    const terms: AbortSignal[] = [];
    const a = start(lock, clock, (s) => {
      terms.push(s);
    });
    await advance(clock, 10);
    assert.equal(store.record?.holderIdentity, 'a_1');
    const before = { ...lock.calls };
    await advance(clock, 2_000);
    const renews = lock.calls.update - before.update;
    assert.ok(renews >= 4, `${String(renews)} renews`);
    assert.equal(lock.calls.get, before.get, 'no get while the optimistic update succeeds');
    // Someone else writes the Lease (same record, new version): the next optimistic update
    // conflicts, the slow path reads it back and renews over it.
    store.version++;
    const gets = lock.calls.get;
    await advance(clock, LEADER_ELECTION_DEFAULTS.retryPeriodMs + 20);
    assert.equal(lock.calls.get, gets + 1);
    assert.equal(term(terms)?.aborted, false, 'still leading');
    assert.equal(holder(store), 'a_1');
    a.stop.abort();
    await advance(clock, 50);
    await a.done;
  });

  test('assertLeading: refuses before and after the term, and stops the term itself once the deadline passed', async () => {
    const store = new FakeLockStore();
    const base = new FakeClock();
    const clock = new StallableClock(base);
    const lock = new FakeLock(store, 'a_1');
    const terms: AbortSignal[] = [];
    const a = start(lock, clock, (s) => {
      terms.push(s);
    });
    assert.throws(() => {
      a.elector.assertLeading();
    }, NotLeadingError);
    await advance(base, 100);
    a.elector.assertLeading();
    lock.mode = 'hang';
    // Time passes but no timer runs (a stalled event loop): the deadline timer has not fired.
    clock.aheadMs = LEADER_ELECTION_DEFAULTS.renewDeadlineMs + 100;
    assert.equal(term(terms)?.aborted, false);
    assert.throws(
      () => {
        a.elector.assertLeading();
      },
      { name: 'NotLeadingError', code: 'K8TS_NOT_LEADING' },
    );
    assert.equal(term(terms)?.aborted, true, 'assertLeading ended the term at once');
    assert.ok(term(terms)?.reason instanceof NotLeadingError);
    await advance(base, 100);
    await a.done;
    assert.throws(() => {
      a.elector.assertLeading();
    }, NotLeadingError);
  });

  test('a graceful stop releases the lease only after the work wound down', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const lock = new FakeLock(store, 'a_1');
    let workEndedAt = 0;
    const a = start(lock, clock, async (signal) => {
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          // 300 ms of winding down (bindings in flight finishing, informers stopping).
          clock.setTimer(() => {
            workEndedAt = clock.now();
            resolve();
          }, 300);
        });
      });
    });
    await advance(clock, 100);
    const stoppedAt = clock.now();
    a.stop.abort();
    await advance(clock, 500);
    await a.done;
    const releaseIndex = store.writes.findIndex((w) => w.holderIdentity === '');
    const released = store.writes[releaseIndex];
    assert.ok(released !== undefined, 'released');
    assert.ok(workEndedAt - stoppedAt >= 300);
    assert.ok(released.renewTimeMs >= workEndedAt, 'released after the work ended');
  });

  test('release after an unseen write to the lock: reads it again and still releases', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const lock = new FakeLock(store, 'a_1');
    const a = start(lock, clock, () => undefined);
    await advance(clock, 100);
    // The server applied a renew whose answer never arrived: a version this side has not seen.
    store.version++;
    a.stop.abort();
    await advance(clock, 100);
    await a.done;
    assert.equal(holder(store), '');
    assert.equal(store.record?.leaseDurationSeconds, 1);
  });

  test('work that never ends delays the release by one renew deadline at most', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const lock = new FakeLock(store, 'a_1');
    let finish: () => void = () => undefined;
    const a = start(
      lock,
      clock,
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    await advance(clock, 100);
    const stoppedAt = clock.now();
    a.stop.abort();
    await advance(clock, LEADER_ELECTION_DEFAULTS.renewDeadlineMs + 100);
    const released = store.writes.find((w) => w.holderIdentity === '');
    assert.ok(released !== undefined, 'released although the work still runs');
    assert.ok(released.renewTimeMs - stoppedAt <= LEADER_ELECTION_DEFAULTS.renewDeadlineMs + 10);
    finish();
    await a.done;
  });
});
