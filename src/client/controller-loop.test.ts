// sample-controller's Run: sync first, N workers, forget on success, rate-limited retry on error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runControllerLoop } from './controller-loop.ts';
import { FakeClock } from './clock.ts';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.ts';
import { RateLimitingQueue } from './rate-limiting-queue.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ok()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

function newFixture() {
  const clock = new FakeClock();
  const queue = new RateLimitingQueue<string>({
    clock,
    rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000),
  });
  const ac = new AbortController();
  return { clock, queue, ac };
}

describe('runControllerLoop', () => {
  it('waits for cache sync before the first reconcile', async () => {
    const { queue, ac } = newFixture();
    let release: (ok: boolean) => void = () => undefined;
    const informer = {
      waitForCacheSync: () => new Promise<boolean>((r) => (release = r)),
    };
    const seen: string[] = [];
    queue.add('a');
    const run = runControllerLoop({
      queue,
      informers: [informer],
      reconcile: (key) => {
        seen.push(key);
        return Promise.resolve();
      },
      signal: ac.signal,
    });
    await tick();
    assert.deepEqual(seen, []);
    release(true);
    await until('a reconciled', () => seen.length === 1);
    ac.abort();
    await run;
  });

  it('forgets on success and retries failures rate limited', async () => {
    const { clock, queue, ac } = newFixture();
    const attempts = new Map<string, number>();
    const errors: string[] = [];
    const run = runControllerLoop({
      queue,
      workers: 2,
      reconcile: (key) => {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        return key === 'flaky' && n < 3
          ? Promise.reject(new Error(`boom ${String(n)}`))
          : Promise.resolve();
      },
      onError: (err) => errors.push((err as Error).message),
      signal: ac.signal,
    });
    queue.add('ok');
    queue.add('flaky');
    await until('first attempts', () => attempts.get('ok') === 1 && attempts.get('flaky') === 1);
    assert.equal(queue.numRequeues('ok'), 0);
    assert.equal(queue.numRequeues('flaky'), 1);
    // Requeued after 5 ms, then 10 ms.
    clock.step(4);
    await tick();
    assert.equal(attempts.get('flaky'), 1);
    clock.step(1);
    await until('second attempt', () => attempts.get('flaky') === 2);
    clock.step(10);
    await until('third attempt', () => attempts.get('flaky') === 3);
    await until('forgotten', () => queue.numRequeues('flaky') === 0);
    assert.deepEqual(errors, ['boom 1', 'boom 2']);
    ac.abort();
    await run;
  });

  it('never runs one key on two workers at once', async () => {
    const { queue, ac } = newFixture();
    const running = new Set<string>();
    let overlaps = 0;
    let done = 0;
    const run = runControllerLoop({
      queue,
      workers: 4,
      reconcile: async (key) => {
        if (running.has(key)) overlaps++;
        running.add(key);
        await tick();
        await tick();
        running.delete(key);
        done++;
      },
      signal: ac.signal,
    });
    for (let i = 0; i < 20; i++) {
      queue.add(`k${String(i % 3)}`);
      await tick();
    }
    await until('queue empty', () => queue.len() === 0 && running.size === 0);
    assert.equal(overlaps, 0);
    assert.ok(done >= 3);
    ac.abort();
    await run;
  });

  // N workers: exactly N distinct keys are in flight at once, never more.
  for (const workers of [1, 3]) {
    it(`${String(workers)} worker(s) reconcile ${String(workers)} distinct key(s) at once, no more`, async () => {
      const { queue, ac } = newFixture();
      let inFlight = 0;
      let peak = 0;
      const gates: (() => void)[] = [];
      const run = runControllerLoop({
        queue,
        workers,
        reconcile: () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          return new Promise<void>((resolve) => {
            gates.push(() => {
              inFlight--;
              resolve();
            });
          });
        },
        signal: ac.signal,
      });
      for (let i = 0; i < 5; i++) queue.add(`k${String(i)}`);
      await until('workers busy', () => inFlight === workers);
      for (let i = 0; i < 10; i++) await tick();
      assert.equal(inFlight, workers);
      // Releasing them one at a time lets the rest through, never above N.
      for (let done = 0; done < 5; done++) {
        await until('a gate', () => gates.length > 0);
        gates.shift()?.();
        await tick();
      }
      await until('all done', () => inFlight === 0 && queue.len() === 0);
      assert.equal(peak, workers);
      ac.abort();
      await run;
    });
  }

  it('on abort: no new keys, in-flight reconciles see the signal, settles after them', async () => {
    const { queue, ac } = newFixture();
    let sawAbort = false;
    let started = 0;
    const run = runControllerLoop({
      queue,
      workers: 1,
      reconcile: (key, signal) => {
        started++;
        return new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = key === 'slow';
            resolve();
          });
        });
      },
      signal: ac.signal,
    });
    queue.add('slow');
    queue.add('never');
    await until('slow started', () => started === 1);
    ac.abort();
    await run;
    assert.equal(sawAbort, true);
    assert.equal(started, 1);
    assert.equal(queue.shuttingDown(), true);
  });

  it('returns at once when aborted while waiting for sync', async () => {
    const { queue, ac } = newFixture();
    const run = runControllerLoop({
      queue,
      informers: [
        {
          waitForCacheSync: (s) =>
            new Promise((r) => {
              s.addEventListener('abort', () => {
                r(false);
              });
            }),
        },
      ],
      reconcile: () => Promise.reject(new Error('must not run')),
      signal: ac.signal,
    });
    ac.abort();
    await run;
  });
});
