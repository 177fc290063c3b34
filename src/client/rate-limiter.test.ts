// Cases from client-go's util/workqueue/default_rate_limiters_test.go (delays in ms).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WithMaxWaitRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';

type Step<T> =
  readonly ['when', T, number] | readonly ['requeues', T, number] | readonly ['forget', T];

function play<T>(limiter: RateLimiter<T>, steps: readonly Step<T>[]): void {
  steps.forEach((s, i) => {
    switch (s[0]) {
      case 'when':
        assert.equal(limiter.when(s[1]), s[2], `step ${String(i)}: when(${String(s[1])})`);
        break;
      case 'requeues':
        assert.equal(limiter.numRequeues(s[1]), s[2], `step ${String(i)}: numRequeues`);
        break;
      case 'forget':
        limiter.forget(s[1]);
        break;
    }
  });
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('rate limiters', () => {
  const cases: { name: string; limiter: () => RateLimiter<string>; steps: Step<string>[] }[] = [
    {
      name: 'item exponential failure',
      limiter: () => new ItemExponentialFailureRateLimiter(1, SECOND),
      steps: [
        ['when', 'one', 1],
        ['when', 'one', 2],
        ['when', 'one', 4],
        ['when', 'one', 8],
        ['when', 'one', 16],
        ['requeues', 'one', 5],
        ['when', 'two', 1],
        ['when', 'two', 2],
        ['requeues', 'two', 2],
        ['forget', 'one'],
        ['requeues', 'one', 0],
        ['when', 'one', 1],
      ],
    },
    {
      name: 'item fast/slow',
      limiter: () => new ItemFastSlowRateLimiter(5, 10 * SECOND, 3),
      steps: [
        ['when', 'one', 5],
        ['when', 'one', 5],
        ['when', 'one', 5],
        ['when', 'one', 10 * SECOND],
        ['when', 'one', 10 * SECOND],
        ['requeues', 'one', 5],
        ['when', 'two', 5],
        ['when', 'two', 5],
        ['requeues', 'two', 2],
        ['forget', 'one'],
        ['requeues', 'one', 0],
        ['when', 'one', 5],
      ],
    },
    {
      name: 'max of',
      limiter: () =>
        new MaxOfRateLimiter(
          new ItemFastSlowRateLimiter<string>(5, 3 * SECOND, 3),
          new ItemExponentialFailureRateLimiter<string>(1, SECOND),
        ),
      steps: [
        ['when', 'one', 5],
        ['when', 'one', 5],
        ['when', 'one', 5],
        ['when', 'one', 3 * SECOND],
        ['when', 'one', 3 * SECOND],
        ['requeues', 'one', 5],
        ['when', 'two', 5],
        ['when', 'two', 5],
        ['requeues', 'two', 2],
        ['forget', 'one'],
        ['requeues', 'one', 0],
        ['when', 'one', 5],
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      play(c.limiter(), c.steps);
    });

  it('item exponential failure never overflows', () => {
    let limiter = new ItemExponentialFailureRateLimiter<string>(1, 1000 * SECOND);
    for (let i = 0; i < 5; i++) limiter.when('one');
    assert.equal(limiter.when('one'), 32);
    for (let i = 0; i < 1000; i++) limiter.when('overflow1');
    assert.equal(limiter.when('overflow1'), 1000 * SECOND);

    limiter = new ItemExponentialFailureRateLimiter<string>(MINUTE, 1000 * HOUR);
    for (let i = 0; i < 2; i++) limiter.when('two');
    assert.equal(limiter.when('two'), 4 * MINUTE);
    for (let i = 0; i < 1000; i++) limiter.when('overflow2');
    assert.equal(limiter.when('overflow2'), 1000 * HOUR);
  });

  it('with max wait caps another limiter', () => {
    // client-go's StepRateLimiter: baseDelay for `threshold` calls, then maxDelay.
    let count = 0;
    const step: RateLimiter<number> = {
      when: () => (++count <= 100 ? 5 : 1000 * SECOND),
      forget: () => undefined,
      numRequeues: () => 0,
    };
    const limiter = new WithMaxWaitRateLimiter(step, 500 * SECOND);
    for (let i = 0; i < 100; i++) assert.equal(limiter.when(i), 5);
    for (let i = 100; i < 200; i++) assert.equal(limiter.when(i), 500 * SECOND);
  });

  it('bucket: a full burst, then one token per 1/qps, refilled as time passes', () => {
    const clock = new FakeClock();
    const bucket = new BucketRateLimiter<string>(10, 100, clock);
    for (let i = 0; i < 100; i++) assert.equal(bucket.when('x'), 0);
    assert.equal(bucket.when('x'), 100);
    assert.equal(bucket.when('x'), 200);
    clock.step(300);
    // Three tokens refilled, two owed: one left.
    assert.equal(bucket.when('x'), 0);
    assert.equal(bucket.when('x'), 100);
    assert.equal(bucket.numRequeues('x'), 0);
  });

  it('default controller limiter: 5 ms doubling per item, capped at 1000 s, bucket behind', () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter<string>(clock);
    const delays = Array.from({ length: 5 }, () => limiter.when('a'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(limiter.numRequeues('a'), 5);
    for (let i = 0; i < 30; i++) limiter.when('a');
    assert.equal(limiter.when('a'), 1000 * SECOND);
    limiter.forget('a');
    assert.equal(limiter.numRequeues('a'), 0);
    // 36 tokens used so far; 64 more fresh items still pass on the per-item delay alone.
    for (let i = 0; i < 64; i++) assert.equal(limiter.when(`fresh-${String(i)}`), 5);
    // The bucket is empty now: the overall 10 qps paces new retries.
    assert.equal(limiter.when('late'), 100);
  });
});
