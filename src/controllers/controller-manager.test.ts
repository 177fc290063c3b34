import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock, RestClient } from '../client/index.ts';
import {
  FakeLock,
  FakeLockStore,
  LEADER_ELECTION_DEFAULTS,
  NotLeadingError,
} from '../client/leader-election/index.ts';
import type { ControllerContext, ControllerFactory } from './controller.ts';
import { ControllerManager, selectControllers } from './controller-manager.ts';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};
async function advance(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.step(Math.min(stepMs, ms - t));
    await flush();
  }
}

/** A controller that records its term: the context it got and when its signal aborted. */
interface Probe {
  ctx?: ControllerContext;
  startedAt?: number;
  abortedAt?: number;
}

function probeController(name: string, clock: FakeClock, probes: Probe[]): ControllerFactory {
  return (ctx) => ({
    name,
    run: async (signal) => {
      const p: Probe = { ctx, startedAt: clock.now() };
      probes.push(p);
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          p.abortedAt = clock.now();
          resolve();
        });
      });
    },
  });
}

function manager(lock: FakeLock, clock: FakeClock, probes: Probe[]): ControllerManager {
  // Never reached: the probes send nothing while leading, and nothing can be sent after.
  const client = new RestClient({ servers: ['https://127.0.0.1:9'] });
  return new ControllerManager({
    client,
    identity: lock.identity,
    controllers: new Map([
      ['one', probeController('one', clock, probes)],
      ['two', probeController('two', clock, probes)],
    ]),
    lock,
    electionClock: clock,
    clock,
    log: () => undefined,
  });
}

describe('ControllerManager', () => {
  test('a partitioned leader aborts every controller within the renew deadline, and its client refuses writes', async () => {
    const store = new FakeLockStore();
    const clock = new FakeClock();
    const lockA = new FakeLock(store, 'a_1');
    const probesA: Probe[] = [];
    const stopA = new AbortController();
    const runA = manager(lockA, clock, probesA).run(stopA.signal);
    await advance(clock, 100);
    assert.equal(probesA.length, 2, 'both controllers run');
    const lockB = new FakeLock(store, 'b_1');
    const probesB: Probe[] = [];
    const stopB = new AbortController();
    const runB = manager(lockB, clock, probesB).run(stopB.signal);
    await advance(clock, 1_000);
    assert.equal(probesB.length, 0, 'the follower waits');

    const lastRenew = store.record?.renewTimeMs ?? 0;
    lockA.mode = 'hang';
    await advance(clock, LEADER_ELECTION_DEFAULTS.leaseDurationMs + 2_000);
    for (const p of probesA) {
      assert.ok(p.abortedAt !== undefined, 'aborted');
      assert.ok(p.abortedAt <= lastRenew + LEADER_ELECTION_DEFAULTS.renewDeadlineMs + 10);
    }
    assert.equal(probesB.length, 2, 'the follower took over');
    const takeover = Math.min(...probesB.map((p) => p.startedAt ?? Infinity));
    assert.ok(Math.max(...probesA.map((p) => p.abortedAt ?? Infinity)) < takeover);
    assert.ok(takeover >= lastRenew + LEADER_ELECTION_DEFAULTS.leaseDurationMs);
    // The old term's client sends nothing any more (rejects without touching the network).
    const oldClient = probesA[0]?.ctx?.client;
    assert.ok(oldClient !== undefined);
    await assert.rejects(
      oldClient.create({ group: '', version: 'v1', plural: 'configmaps', namespace: 'x' }, {}),
      (err: unknown) => err instanceof NotLeadingError,
    );
    stopA.abort();
    stopB.abort();
    await advance(clock, 3_000);
    await Promise.all([runA, runB]);
  });

  test('selectControllers: *, name and -name, unknown names rejected', () => {
    const known = ['a', 'b', 'bootstrapsigner'];
    assert.deepEqual(selectControllers(known, ['*']), ['a', 'b']);
    assert.deepEqual(selectControllers(known, ['*', '-a', 'bootstrapsigner']), [
      'b',
      'bootstrapsigner',
    ]);
    assert.deepEqual(selectControllers(known, ['a']), ['a']);
    assert.throws(() => selectControllers(known, ['nope']), { code: 'K8TS_UNKNOWN_CONTROLLER' });
  });
});
