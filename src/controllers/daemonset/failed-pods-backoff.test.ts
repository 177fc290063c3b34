// FailedPodsBackoff as client-go's flowcontrol.Backoff behaves for the DaemonSet controller:
// IsInBackOffSinceUpdate / Next / GC on a fake clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/index.ts';
import { FailedPodsBackoff } from './failed-pods-backoff.ts';

describe('FailedPodsBackoff', () => {
  // Each step: advance the clock, then optionally record an action; check the remaining wait.
  const cases: {
    name: string;
    steps: { advanceMs: number; next?: boolean; wantRemainingMs: number }[];
  }[] = [
    { name: 'an unknown key may act at once', steps: [{ advanceMs: 0, wantRemainingMs: 0 }] },
    {
      name: 'the first action waits 1 s, the next ones double',
      steps: [
        { advanceMs: 0, next: true, wantRemainingMs: 1_000 },
        { advanceMs: 400, wantRemainingMs: 600 },
        { advanceMs: 600, next: true, wantRemainingMs: 2_000 },
        { advanceMs: 2_000, next: true, wantRemainingMs: 4_000 },
        { advanceMs: 4_000, next: true, wantRemainingMs: 8_000 },
      ],
    },
    {
      name: 'the delay is capped at 15 min',
      steps: [
        ...Array.from({ length: 12 }, () => ({ advanceMs: 1, next: true, wantRemainingMs: -1 })),
        { advanceMs: 0, wantRemainingMs: 15 * 60_000 },
        { advanceMs: 60_000, next: true, wantRemainingMs: 15 * 60_000 },
      ],
    },
    {
      name: 'a key quiet for more than twice the cap starts over at 1 s',
      steps: [
        { advanceMs: 0, next: true, wantRemainingMs: 1_000 },
        { advanceMs: 1_000, next: true, wantRemainingMs: 2_000 },
        { advanceMs: 30 * 60_000 + 1, wantRemainingMs: 0 },
        { advanceMs: 0, next: true, wantRemainingMs: 1_000 },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const clock = new FakeClock(0);
      const b = new FailedPodsBackoff(clock);
      c.steps.forEach((s, i) => {
        clock.step(s.advanceMs);
        if (s.next === true) b.next('ds/0/node');
        if (s.wantRemainingMs >= 0)
          assert.equal(b.remainingMs('ds/0/node'), s.wantRemainingMs, `step ${String(i)}`);
      });
    });
  }

  it('keys are independent', () => {
    const clock = new FakeClock(0);
    const b = new FailedPodsBackoff(clock);
    b.next('a');
    b.next('a');
    assert.equal(b.remainingMs('a'), 2_000);
    assert.equal(b.remainingMs('b'), 0);
  });

  it('gc drops only entries quiet for more than twice the cap', () => {
    const clock = new FakeClock(0);
    const b = new FailedPodsBackoff(clock, 1_000, 10_000);
    b.next('old');
    clock.step(15_000);
    b.next('recent');
    b.next('recent');
    clock.step(5_001);
    assert.equal(b.size, 2);
    b.gc();
    assert.equal(b.size, 1);
    // 'old' is gone (a fresh start), 'recent' keeps its 2 s delay, counted from its last update.
    b.next('old');
    assert.equal(b.remainingMs('old'), 1_000);
    b.next('recent');
    assert.equal(b.remainingMs('recent'), 4_000);
  });
});
