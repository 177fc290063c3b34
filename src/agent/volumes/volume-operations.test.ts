import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import { INITIAL_RETRY_MS, MAX_RETRY_MS, OperationBackoff } from './operation-backoff.ts';
import { VolumeSetupError } from './volume-manager.ts';
import type { MountedVolume } from './volume-manager.ts';
import { VolumeOperations } from './volume-operations.ts';

/** A clock the test moves by hand. */
function manualTime(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

const pod = (uid: string, ...names: string[]): Pod => ({
  metadata: { name: `p-${uid}`, namespace: 'default', uid },
  spec: { containers: [], volumes: names.map((name) => ({ name, emptyDir: {} })) },
});

/** Volume set-ups that fail for the names in `broken`, counting attempts per pod volume. */
function fakeSetUp() {
  const broken = new Set<string>();
  const attempts = new Map<string, number>();
  const setUp = (p: Pod, v: Volume): Promise<MountedVolume> => {
    const key = `${p.metadata?.uid ?? ''}/${v.name}`;
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    if (broken.has(v.name))
      return Promise.reject(new VolumeSetupError(v.name, `configmap "${v.name}" not found`));
    return Promise.resolve({ hostPath: `/pods/${key}`, readOnly: false });
  };
  return { broken, attempts, setUp };
}

describe('OperationBackoff (upstream exponentialbackoff)', () => {
  it('waits 500 ms after a failure, doubling up to 2m2s; a success starts over', () => {
    const time = manualTime();
    const b = new OperationBackoff({ now: time.now });
    assert.equal(b.remainingMs('k'), 0);
    const waits: number[] = [];
    for (let i = 0; i < 11; i++) {
      b.failed('k');
      waits.push(b.durationMs('k'));
      assert.equal(b.remainingMs('k'), b.durationMs('k'));
      time.advance(b.durationMs('k'));
      assert.equal(b.remainingMs('k'), 0);
    }
    assert.deepEqual(
      waits,
      [500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 122000, 122000, 122000],
    );
    assert.equal(INITIAL_RETRY_MS, 500);
    assert.equal(MAX_RETRY_MS, 122_000);
    b.succeeded('k');
    assert.equal(b.remainingMs('k'), 0);
    b.failed('k');
    assert.equal(b.durationMs('k'), 500);
    time.advance(200);
    assert.equal(b.remainingMs('k'), 300);
  });

  it('keeps keys apart; retain forgets the others', () => {
    const time = manualTime();
    const b = new OperationBackoff({ now: time.now });
    b.failed('a/x');
    b.failed('a/x');
    b.failed('b/x');
    assert.deepEqual([b.durationMs('a/x'), b.durationMs('b/x')], [1000, 500]);
    b.retain((k) => !k.startsWith('a/'));
    assert.deepEqual([b.durationMs('a/x'), b.durationMs('b/x')], [0, 500]);
  });
});

describe('VolumeOperations (the volume manager reconciler with per-volume backoff)', () => {
  it('retries a failing volume only when its backoff ends, one failure reported per attempt', async () => {
    const time = manualTime();
    const f = fakeSetUp();
    const ops = new VolumeOperations({ setUp: f.setUp, now: time.now });
    const p = pod('u1', 'late');
    f.broken.add('late');

    const first = await ops.mountPod(p, []);
    assert.deepEqual(first.unmounted, ['late']);
    assert.equal(first.failed.length, 1);
    assert.equal(
      first.failed[0]?.message,
      'MountVolume.SetUp failed for volume "late" : configmap "late" not found',
    );
    assert.equal(first.retryAfterMs, 500);

    // A sync within the backoff (a watch event, a resync) does not try it.
    time.advance(100);
    const early = await ops.mountPod(p, []);
    assert.deepEqual([early.failed.length, early.retryAfterMs], [0, 400]);
    assert.equal(f.attempts.get('u1/late'), 1);

    // Each attempt at the end of its backoff fails again and doubles the next wait.
    const retries: number[] = [];
    for (let i = 0; i < 10; i++) {
      time.advance(ops.backoffMs('u1', 'late'));
      const r = await ops.mountPod(p, []);
      assert.equal(r.failed.length, 1);
      retries.push(r.retryAfterMs ?? -1);
    }
    assert.deepEqual(
      retries,
      [1000, 2000, 4000, 8000, 16000, 32000, 64000, 122000, 122000, 122000],
    );
    assert.equal(f.attempts.get('u1/late'), 11);

    // It works once the object exists: mounted, nothing waits, and the backoff is reset.
    f.broken.delete('late');
    time.advance(122_000);
    const ok = await ops.mountPod(p, []);
    assert.deepEqual([ok.unmounted, ok.failed, ok.retryAfterMs], [[], [], undefined]);
    assert.equal(ok.mounted.get('late')?.hostPath, '/pods/u1/late');
    assert.equal(ops.backoffMs('u1', 'late'), 0);
  });

  it('a mounted volume whose refresh fails stays mounted; the next failure waits 500 ms again', async () => {
    const time = manualTime();
    const f = fakeSetUp();
    const ops = new VolumeOperations({ setUp: f.setUp, now: time.now });
    const p = pod('u1', 'cfg', 'data');
    await ops.mountPod(p, []);
    f.broken.add('cfg');
    const r = await ops.mountPod(p, []);
    assert.deepEqual(r.unmounted, []);
    assert.equal(r.mounted.get('cfg')?.hostPath, '/pods/u1/cfg');
    assert.deepEqual([r.failed.length, r.retryAfterMs], [1, 500]);
    // The healthy volume is refreshed on every sync meanwhile.
    time.advance(100);
    await ops.mountPod(p, []);
    assert.deepEqual([f.attempts.get('u1/cfg'), f.attempts.get('u1/data')], [2, 3]);
  });

  it('backoffs are per pod volume; forgetPod starts a pod over', async () => {
    const time = manualTime();
    const f = fakeSetUp();
    const ops = new VolumeOperations({ setUp: f.setUp, now: time.now });
    f.broken.add('v');
    await ops.mountPod(pod('a', 'v'), []);
    time.advance(500);
    await ops.mountPod(pod('a', 'v'), []);
    const b = await ops.mountPod(pod('b', 'v'), []);
    assert.deepEqual([ops.backoffMs('a', 'v'), ops.backoffMs('b', 'v')], [1000, 500]);
    assert.equal(b.retryAfterMs, 500);
    ops.forgetPod('a');
    assert.equal(ops.backoffMs('a', 'v'), 0);
    const again = await ops.mountPod(pod('a', 'v'), []);
    assert.deepEqual([again.failed.length, again.retryAfterMs], [1, 500]);
  });

  it('an error that is not a volume set-up failure fails the call', async () => {
    const ops = new VolumeOperations({
      setUp: () => Promise.reject(new TypeError('bug')),
      now: () => 0,
    });
    await assert.rejects(ops.mountPod(pod('a', 'v'), []), TypeError);
  });
});
