import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../clock.ts';
import { LeaderElectionConfigError } from './errors.ts';
import { LEADER_ELECTION_DEFAULTS } from './leader-election-timings.ts';
import { LeaderElector } from './leader-elector.ts';
import type { LeaderElectorOptions } from './leader-elector-options.ts';
import { FakeLock, FakeLockStore } from './fake-lock.ts';
import type { LeaderElectionRecord } from './resource-lock.ts';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Advances every clock together in small steps, letting promises settle between steps. */
async function advance(clocks: readonly FakeClock[], ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    for (const c of clocks) c.step(Math.min(stepMs, ms - t));
    await flush();
  }
}

interface Candidate {
  readonly elector: LeaderElector;
  readonly lock: FakeLock;
  readonly clock: FakeClock;
  readonly stop: AbortController;
  readonly done: Promise<void>;
  readonly events: string[];
  /** Clock time when leading started / the leading signal aborted. */
  startedAt: number | undefined;
  abortedAt: number | undefined;
  stoppedCalls: number;
}

function candidate(
  store: FakeLockStore,
  identity: string,
  clock: FakeClock,
  options: Partial<LeaderElectorOptions> = {},
): Candidate {
  const lock = new FakeLock(store, identity);
  const stop = new AbortController();
  const c: Omit<Candidate, 'done' | 'elector'> & {
    done?: Promise<void>;
    elector?: LeaderElector;
  } = {
    lock,
    clock,
    stop,
    events: [],
    startedAt: undefined,
    abortedAt: undefined,
    stoppedCalls: 0,
  };
  const elector = new LeaderElector({
    lock,
    clock,
    random: () => 0,
    ...options,
    callbacks: {
      onStartedLeading: (signal) => {
        c.startedAt = clock.now();
        c.events.push('started');
        signal.addEventListener('abort', () => {
          c.abortedAt = clock.now();
          c.events.push('aborted');
        });
      },
      onStoppedLeading: () => {
        c.stoppedCalls++;
        c.events.push('stopped');
      },
      onNewLeader: (id) => c.events.push(`leader:${id}`),
    },
  });
  c.elector = elector;
  c.done = elector.run(stop.signal);
  return c as Candidate;
}

/** Reads through a call, so assertions earlier in a test do not narrow the value. */
const time = (t: number | undefined): number => t ?? Number.NaN;
const renewTime = (store: FakeLockStore): number => store.record?.renewTimeMs ?? Number.NaN;

const record = (over: Partial<LeaderElectionRecord> = {}): LeaderElectionRecord => ({
  holderIdentity: 'other_1',
  leaseDurationSeconds: 4,
  acquireTimeMs: 0,
  renewTimeMs: 0,
  leaseTransitions: 3,
  ...over,
});

describe('LeaderElector: acquire (client-go tryAcquireOrRenew cases)', () => {
  const cases: {
    name: string;
    initial: LeaderElectionRecord | undefined;
    /** How long after start the candidate must still be a follower (ms). */
    notBefore: number;
    /** By when it must lead (ms). */
    by: number;
    transitions: number;
  }[] = [
    { name: 'acquire from no object', initial: undefined, notBefore: 0, by: 50, transitions: 0 },
    {
      name: 'acquire from released object (holder empty)',
      initial: record({ holderIdentity: '', leaseDurationSeconds: 1 }),
      notBefore: 0,
      by: 50,
      transitions: 4,
    },
    {
      name: 'acquire from unrenewed object only after a whole lease duration',
      initial: record(),
      notBefore: 3_990,
      by: 4_600,
      transitions: 4,
    },
    {
      name: 'renewTime far in the past does not shorten the wait (skew)',
      initial: record({ renewTimeMs: Date.UTC(2000, 0, 1) }),
      notBefore: 3_990,
      by: 4_600,
      transitions: 4,
    },
    {
      name: 'own record from a previous run is re-acquired at once, transitions kept',
      initial: record({ holderIdentity: 'me_1' }),
      notBefore: 0,
      by: 50,
      transitions: 3,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const store = new FakeLockStore();
      store.record = c.initial;
      const clock = new FakeClock();
      const me = candidate(store, 'me_1', clock);
      if (c.notBefore > 0) {
        await advance([clock], c.notBefore);
        assert.equal(me.startedAt, undefined, 'must not lead yet');
      }
      await advance([clock], c.by - c.notBefore);
      assert.notEqual(me.startedAt, undefined, 'must lead');
      assert.equal(store.record?.holderIdentity, 'me_1');
      assert.equal(store.record.leaseTransitions, c.transitions);
      assert.equal(store.record.leaseDurationSeconds, 4);
      assert.ok(me.events.includes('leader:me_1'));
      me.stop.abort();
      await advance([clock], 50);
      await me.done;
    });
  }

  test('a renewing holder keeps the lock: the record keeps changing', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock);
    await advance([clock], 100);
    const b = candidate(store, 'b_1', clock);
    await advance([clock], 20_000);
    assert.notEqual(a.startedAt, undefined);
    assert.equal(b.startedAt, undefined);
    assert.ok(b.events.includes('leader:a_1'));
    assert.equal(store.record?.holderIdentity, 'a_1');
    a.stop.abort();
    b.stop.abort();
    await advance([clock], 100);
    await Promise.all([a.done, b.done]);
  });

  test('conflicting writers: two candidates start together, exactly one leads', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const all = ['a_1', 'b_1', 'c_1'].map((id) => candidate(store, id, clock));
    await advance([clock], 10_000);
    const leaders = all.filter((c) => c.startedAt !== undefined);
    assert.equal(leaders.length, 1);
    assert.equal(store.record?.holderIdentity, leaders[0]?.lock.identity);
    for (const c of all) c.stop.abort();
    await advance([clock], 100);
    await Promise.all(all.map((c) => c.done));
  });
});

describe('LeaderElector: renew, lose, release', () => {
  test('renews every retry period, keeping acquireTime and transitions', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock);
    await advance([clock], 10);
    const first = store.record;
    await advance([clock], 2_000);
    // One create, then one renew per retry period.
    const expected = 1 + Math.floor(2_000 / LEADER_ELECTION_DEFAULTS.retryPeriodMs);
    assert.ok(
      Math.abs(store.writes.length - expected) <= 1,
      `${String(store.writes.length)} writes`,
    );
    assert.equal(store.record?.acquireTimeMs, first?.acquireTimeMs);
    assert.equal(store.record?.leaseTransitions, 0);
    assert.ok(renewTime(store) > (first?.renewTimeMs ?? Infinity));
    a.stop.abort();
    await advance([clock], 50);
    await a.done;
  });

  for (const mode of ['fail', 'hang'] as const) {
    test(`lose (${mode === 'fail' ? 'API errors' : 'requests hang'}): leading aborts within the renew deadline, before a follower can take over`, async () => {
      const store = new FakeLockStore();
      const clock = new FakeClock();
      const a = candidate(store, 'a_1', clock);
      await advance([clock], 100);
      const b = candidate(store, 'b_1', clock);
      await advance([clock], 1_000);
      const lastSent = store.record?.renewTimeMs ?? 0;
      a.lock.mode = mode;
      await advance([clock], 8_000);
      assert.notEqual(a.abortedAt, undefined, 'the old leader stopped');
      assert.notEqual(b.startedAt, undefined, 'the follower took over');
      assert.ok((a.abortedAt ?? Infinity) <= lastSent + 2_500 + 10, 'within the renew deadline');
      assert.ok((a.abortedAt ?? Infinity) < (b.startedAt ?? 0), 'stopped before the other started');
      assert.deepEqual(a.events.slice(-2), ['aborted', 'stopped']);
      await a.done;
      assert.equal(a.stoppedCalls, 1);
      b.stop.abort();
      await advance([clock], 100);
      await b.done;
    });
  }

  test('lose to another writer: stops at the next renew', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock);
    await advance([clock], 100);
    store.record = record({ holderIdentity: 'intruder_1' });
    store.version++;
    await advance([clock], 600);
    assert.notEqual(a.abortedAt, undefined);
    assert.ok(a.events.includes('leader:intruder_1'));
    await a.done;
  });

  test('release on cancel: holder cleared, 1 s lease, follower takes over at once', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock);
    await advance([clock], 100);
    const b = candidate(store, 'b_1', clock);
    await advance([clock], 1_000);
    const transitions = store.record?.leaseTransitions;
    a.stop.abort();
    await advance([clock], 20);
    await a.done;
    const released = store.writes.find((w) => w.holderIdentity === '');
    assert.equal(released?.leaseDurationSeconds, 1);
    assert.equal(released.leaseTransitions, transitions);
    const releasedAt = clock.now();
    await advance([clock], 1_200);
    assert.notEqual(b.startedAt, undefined);
    assert.ok(
      (b.startedAt ?? Infinity) - releasedAt <= LEADER_ELECTION_DEFAULTS.retryPeriodMs * 2.2 + 20,
    );
    assert.equal(store.record?.holderIdentity, 'b_1');
    assert.equal(store.record.leaseTransitions, (transitions ?? 0) + 1);
    b.stop.abort();
    await advance([clock], 100);
    await b.done;
  });

  test('after release on cancel no timer is left (a stopped process exits at once)', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock);
    await advance([clock], 1_000);
    a.stop.abort();
    await advance([clock], 20);
    await a.done;
    assert.equal(store.record?.holderIdentity, '');
    assert.equal(clock.pendingTimers, 0);
  });

  test('releaseOnCancel=false leaves the record to expire', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock, { releaseOnCancel: false });
    await advance([clock], 100);
    a.stop.abort();
    await advance([clock], 20);
    await a.done;
    assert.equal(store.record?.holderIdentity, 'a_1');
    assert.equal(a.stoppedCalls, 1);
  });

  test('onStoppedLeading is called even if it never led', async () => {
    const store = new FakeLockStore();
    store.record = record();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock);
    await advance([clock], 500);
    a.stop.abort();
    await advance([clock], 20);
    await a.done;
    assert.deepEqual(a.events, ['leader:other_1', 'stopped']);
  });
});

describe('LeaderElector: clocks', () => {
  test('skew between nodes does not matter: each measures on its own clock', async () => {
    const store = new FakeLockStore();
    const clockA = new FakeClock(Date.UTC(2026, 0, 1));
    const clockB = new FakeClock(Date.UTC(2026, 0, 1, 5)); // five hours ahead
    const a = candidate(store, 'a_1', clockA, { releaseOnCancel: false });
    await advance([clockA, clockB], 100);
    const b = candidate(store, 'b_1', clockB);
    await advance([clockA, clockB], 1_000);
    a.lock.mode = 'hang'; // a partitioned leader
    const lastRenewA = store.record?.renewTimeMs ?? 0;
    const offset = clockB.now() - clockA.now();
    await advance([clockA, clockB], lastRenewA + 3_950 - clockA.now());
    assert.equal(b.startedAt, undefined, 'not before a whole lease duration');
    await advance([clockA, clockB], 1_500);
    assert.notEqual(b.startedAt, undefined);
    assert.ok(time(a.abortedAt) < time(b.startedAt) - offset);
    assert.ok(time(b.startedAt) - offset >= lastRenewA + 4_000);
    a.stop.abort();
    b.stop.abort();
    await advance([clockA, clockB], 100);
    await Promise.all([a.done, b.done]);
  });

  test("a jump of the leader's clock (a stalled process) stops it leading", async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const a = candidate(store, 'a_1', clock);
    await advance([clock], 100);
    a.lock.mode = 'hang';
    clock.step(60_000); // everything due fires at once; the deadline comes first
    await flush();
    assert.notEqual(a.abortedAt, undefined);
    await a.done;
  });

  test("a jump of a follower's clock makes it take over early (rate skew is not tolerated, as upstream)", async () => {
    const store = new FakeLockStore();
    const clockA = new FakeClock();
    const clockB = new FakeClock();
    const a = candidate(store, 'a_1', clockA);
    await advance([clockA, clockB], 100);
    const b = candidate(store, 'b_1', clockB);
    await advance([clockA, clockB], 600);
    a.lock.mode = 'hang';
    clockB.step(10_000);
    await advance([clockA, clockB], 600);
    assert.notEqual(b.startedAt, undefined);
    a.stop.abort();
    b.stop.abort();
    await advance([clockA, clockB], 3_000);
    await Promise.all([a.done, b.done]);
  });
});

describe('LeaderElector: options', () => {
  const cases: { name: string; options: Partial<LeaderElectorOptions>; ok: boolean }[] = [
    { name: 'defaults', options: {}, ok: true },
    {
      name: 'upstream 15/10/2',
      options: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      ok: true,
    },
    {
      name: 'lease <= deadline',
      options: { leaseDurationMs: 2_000, renewDeadlineMs: 2_000 },
      ok: false,
    },
    {
      name: 'deadline <= 1.2 retry',
      options: { renewDeadlineMs: 1_000, retryPeriodMs: 900 },
      ok: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const make = (): LeaderElector =>
        new LeaderElector({
          lock: new FakeLock(new FakeLockStore(), 'x_1'),
          callbacks: { onStartedLeading: () => undefined },
          ...c.options,
        });
      if (c.ok) make();
      else assert.throws(make, LeaderElectionConfigError);
    });
  }
});
