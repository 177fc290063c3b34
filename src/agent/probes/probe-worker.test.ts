import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Probe } from 'kubernetes-types/core/v1.d.ts';
import { fixture, podWith, probe, running } from './probe-fixtures.test-support.ts';
import { probeFailure, probeSuccess, probeUnknown, probeWarning } from './probe-result.ts';
import type { ProbeResult } from './probe-result.ts';

describe('ProbeWorker (through the manager, on a fake clock)', () => {
  it('successThreshold: readiness needs that many successes in a row', async () => {
    const f = fixture();
    const readiness = probe({ successThreshold: 3 });
    const pod = podWith({ readinessProbe: readiness });
    const rt = running(f.clock.now());
    f.manager.sync(pod, rt);
    await f.advance(1000); // tries at 0 s and 1 s
    assert.equal(f.manager.ready(pod, rt.containers[0]!), false);
    await f.advance(1000); // the third
    assert.equal(f.manager.ready(pod, rt.containers[0]!), true);
    f.manager.stopAll();
  });

  it('initialDelaySeconds counts from the container start; periodSeconds spaces the tries; timeoutSeconds is passed on', async () => {
    const f = fixture();
    const readiness = probe({ initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 4 });
    const pod = podWith({ readinessProbe: readiness });
    const start = f.clock.now();
    f.manager.sync(pod, running(start - 2000)); // started 2 s ago
    await f.advance(8000);
    const tries = f.runner.tries(readiness).map((t) => (t - start) / 1000);
    // Ticks at 0, 2, 4, 6, 8 s; the container is 5 s old from the tick at 4 s on.
    assert.deepEqual(tries, [4, 6, 8]);
    assert.ok(f.runner.calls.every((c) => c.timeoutSeconds === 4));
    f.manager.stopAll();
  });

  it('unset timing fields take upstream defaults: every 10 s, 1 s timeout, 3 failures', async () => {
    const f = fixture();
    const liveness: Probe = { exec: { command: ['check'] } };
    const pod = podWith({ livenessProbe: liveness });
    const rt = running(f.clock.now());
    f.runner.answers.set(liveness, probeFailure(''));
    f.manager.sync(pod, rt);
    await f.advance(20_000);
    assert.deepEqual(
      f.runner.tries(liveness).map((t) => t - f.runner.calls[0]!.at),
      [0, 10_000, 20_000],
    );
    assert.equal(f.runner.calls[0]!.timeoutSeconds, 1);
    assert.equal(f.manager.verdicts(pod, rt).livenessFailed.has(rt.containers[0]!.id), true);
    f.manager.stopAll();
  });

  it('a probe that cannot run is tried 3 times and thrown away; a warning counts as a success', async () => {
    const f = fixture();
    const readiness = probe();
    const pod = podWith({ readinessProbe: readiness });
    const rt = running(f.clock.now());
    f.runner.answers.set(readiness, probeUnknown('strconv.Atoi: parsing "web": invalid syntax'));
    f.manager.sync(pod, rt);
    await f.advance(0);
    assert.equal(f.runner.tries(readiness).length, 3);
    assert.deepEqual(f.events.messages('Unhealthy'), [
      'Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing "web": invalid syntax',
    ]);
    assert.equal(f.manager.ready(pod, rt.containers[0]!), false);
    f.runner.answers.set(readiness, probeWarning('Probe terminated redirects, Response body: '));
    await f.advance(1000);
    assert.equal(f.manager.ready(pod, rt.containers[0]!), true);
    assert.deepEqual(f.events.messages('ProbeWarning'), [
      'Readiness probe warning: Probe terminated redirects, Response body: ',
    ]);
    f.manager.stopAll();
  });

  it('a try still in flight when its worker stops changes nothing', async () => {
    const f = fixture();
    const readiness = probe();
    const pod = podWith({ readinessProbe: readiness });
    const rt = running(f.clock.now());
    let answer: (r: ProbeResult) => void = () => undefined;
    f.runner.answers.set(readiness, () => new Promise((resolve) => (answer = resolve)));
    f.manager.sync(pod, rt);
    await f.advance(0);
    assert.equal(f.runner.tries(readiness).length, 1);
    f.manager.removePod(pod.metadata!.uid!);
    answer(probeSuccess());
    await f.advance(3000);
    assert.deepEqual(f.changes, []);
    assert.equal(f.clock.pendingTimers, 0);
    assert.equal(f.runner.tries(readiness).length, 1);
  });
});
