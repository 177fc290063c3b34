import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import { computePodActions } from '../pods/pod-actions.ts';
import { container, newPod, runtimePod, sandbox } from '../pods/pod-fixtures.test-support.ts';
import { fixture, podWith, probe, running } from './probe-fixtures.test-support.ts';
import { probeFailure, probeSuccess } from './probe-result.ts';

describe('ProbeManager', () => {
  it('readiness: false until the first success, false again after failureThreshold failures, no restart', async () => {
    const f = fixture();
    const readiness = probe({ failureThreshold: 2 });
    const pod = podWith({ readinessProbe: readiness });
    const rt = running(f.clock.now());
    const c = rt.containers[0]!;
    f.runner.answers.set(readiness, probeFailure('not yet'));
    f.manager.sync(pod, rt);
    assert.equal(f.manager.ready(pod, c), false, 'initially not ready');
    await f.advance(3000);
    assert.equal(f.manager.ready(pod, c), false);
    assert.deepEqual(f.events.messages('Unhealthy').slice(0, 1), [
      'Readiness probe failed: not yet',
    ]);
    // upstream's recordContainerEvent: the event names the container (kubectl's SUBOBJECT).
    assert.deepEqual(
      [f.events.list[0]?.name, f.events.list[0]?.fieldPath],
      [pod.metadata?.name, 'spec.containers{app}'],
    );
    f.runner.answers.set(readiness, probeSuccess());
    await f.advance(1000);
    assert.equal(f.manager.ready(pod, c), true, 'one success is enough (successThreshold 1)');
    assert.ok(f.changes.length >= 1);
    f.runner.answers.set(readiness, probeFailure('HTTP probe failed with statuscode: 503'));
    await f.advance(1000);
    assert.equal(f.manager.ready(pod, c), true, 'one failure of two');
    await f.advance(1000);
    assert.equal(f.manager.ready(pod, c), false, 'two failures in a row');
    assert.equal(f.manager.verdicts(pod, rt).livenessFailed.size, 0);
    assert.deepEqual(computePodActions(pod, rt, f.manager.verdicts(pod, rt)).containersToKill, []);
    f.runner.answers.set(readiness, probeSuccess());
    await f.advance(1000);
    assert.equal(f.manager.ready(pod, c), true, 'back without a restart');
    f.manager.stopAll();
  });

  it('without a readiness probe a running container is ready at once; a stopped one is not', () => {
    const f = fixture();
    const pod = podWith({});
    const rt = running(f.clock.now());
    f.manager.sync(pod, rt);
    assert.equal(f.manager.workerCount, 0);
    assert.equal(f.manager.ready(pod, rt.containers[0]!), true);
    assert.equal(f.manager.started(pod, rt.containers[0]!), true);
    const exited = container('app', { state: 'exited' });
    assert.equal(f.manager.ready(pod, exited), false);
    assert.equal(f.manager.started(pod, exited), false);
  });

  it('liveness: passes until failureThreshold failures, then the container is killed and restarted; no tries after', async () => {
    const f = fixture();
    const liveness = probe({ failureThreshold: 3, terminationGracePeriodSeconds: 7 });
    const pod = podWith({ livenessProbe: liveness }, { terminationGracePeriodSeconds: 30 });
    const rt = running(f.clock.now());
    const id = rt.containers[0]!.id;
    f.runner.answers.set(liveness, probeFailure('command "check" timed out'));
    f.manager.sync(pod, rt);
    await f.advance(1000);
    assert.equal(f.manager.verdicts(pod, rt).livenessFailed.size, 0, 'two failures of three');
    assert.deepEqual(f.changes, []);
    await f.advance(1000);
    assert.deepEqual([...f.manager.verdicts(pod, rt).livenessFailed], [id]);
    assert.deepEqual(f.changes, [pod.metadata!.uid]);
    assert.deepEqual(f.events.messages('Unhealthy'), [
      'Liveness probe failed: command "check" timed out',
      'Liveness probe failed: command "check" timed out',
      'Liveness probe failed: command "check" timed out',
    ]);
    const actions = computePodActions(pod, rt, f.manager.verdicts(pod, rt));
    assert.deepEqual(actions.containersToStart, [0]);
    assert.equal(
      actions.containersToKill[0]?.message,
      'Container app failed liveness probe, will be restarted',
    );
    assert.equal(actions.containersToKill[0].graceSeconds, 7);
    await f.advance(5000);
    assert.equal(f.runner.tries(liveness).length, 3, 'on hold until a new container');
    // The restarted instance gets a fresh worker that passes until it fails.
    const restarted = runtimePod(
      [sandbox()],
      [
        container('app', { restartCount: 1, startedAtMs: f.clock.now() }),
        container('app', { state: 'exited', exitCode: 137 }),
      ],
    );
    f.runner.answers.set(liveness, probeSuccess());
    f.manager.sync(pod, restarted);
    assert.equal(f.manager.workerCount, 1);
    await f.advance(1000);
    assert.equal(f.manager.verdicts(pod, restarted).livenessFailed.size, 0);
    f.manager.stopAll();
  });

  it('startup gates liveness and readiness; its success probes readiness at once and it stops trying', async () => {
    const f = fixture();
    const startup = probe({ periodSeconds: 2, failureThreshold: 10 });
    const liveness = probe();
    const readiness = probe({ periodSeconds: 10 });
    const pod = podWith({
      startupProbe: startup,
      livenessProbe: liveness,
      readinessProbe: readiness,
    });
    const rt = running(f.clock.now());
    const c = rt.containers[0]!;
    f.runner.answers.set(startup, probeFailure('starting'));
    f.manager.sync(pod, rt);
    await f.advance(4000);
    assert.equal(f.runner.tries(liveness).length, 0);
    assert.equal(f.runner.tries(readiness).length, 0);
    assert.equal(f.manager.started(pod, c), false);
    assert.equal(f.manager.ready(pod, c), false);
    assert.deepEqual([...f.manager.verdicts(pod, rt).started], []);
    f.runner.answers.set(startup, probeSuccess());
    const before = f.runner.tries(startup).length;
    await f.advance(2000);
    await f.advance(0); // the triggered try is due now
    assert.equal(f.manager.started(pod, c), true);
    const passedAt = f.runner.tries(startup).at(-1)!;
    assert.deepEqual(f.runner.tries(readiness), [passedAt], 'readiness probed at once');
    assert.equal(f.manager.ready(pod, c), true);
    assert.deepEqual([...f.manager.verdicts(pod, rt).started], [c.id]);
    await f.advance(6000);
    assert.equal(f.runner.tries(startup).length, before + 1, 'no startup tries once started');
    assert.ok(f.runner.tries(liveness).length >= 5, 'liveness runs once started');
    f.manager.stopAll();
  });

  it('startup failure restarts the container with the probe grace period', async () => {
    const f = fixture();
    const startup = probe({ failureThreshold: 2, terminationGracePeriodSeconds: 1 });
    const pod = podWith({ startupProbe: startup });
    const rt = running(f.clock.now());
    f.runner.answers.set(startup, probeFailure(''));
    f.manager.sync(pod, rt);
    await f.advance(1000);
    const v = f.manager.verdicts(pod, rt);
    assert.deepEqual([...v.startupFailed], [rt.containers[0]!.id]);
    const kill = computePodActions(pod, rt, v).containersToKill[0];
    assert.equal(kill?.reason, 'StartupProbe');
    assert.equal(kill.message, 'Container app failed startup probe, will be restarted');
    assert.equal(kill.graceSeconds, 1);
    assert.deepEqual(f.events.messages('Unhealthy'), [
      'Startup probe failed: ',
      'Startup probe failed: ',
    ]);
    await f.advance(3000);
    assert.equal(f.runner.tries(startup).length, 2, 'on hold');
    f.manager.stopAll();
  });

  it('targets: the sandbox IP, the node IP for host-network pods, named ports, literal env', async () => {
    const f = fixture();
    const readiness = probe();
    const c: Partial<Container> = {
      readinessProbe: readiness,
      ports: [{ name: 'web', containerPort: 8080 }],
      env: [
        { name: 'A', value: 'x' },
        { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
    };
    f.manager.sync(podWith(c), running(f.clock.now()));
    f.manager.sync(
      { ...podWith(c, { hostNetwork: true }), metadata: { name: 'h', uid: 'u2' } },
      { ...running(f.clock.now(), { id: 'h-0' }), uid: 'u2' },
    );
    await f.advance(0);
    const [pod, host] = f.runner.calls.map((x) => x.target);
    assert.equal(pod?.ip, '10.0.0.2');
    assert.equal(host?.ip, '192.0.2.10');
    assert.equal(pod.namedPort('web'), 8080);
    assert.equal(pod.namedPort('nope'), undefined);
    assert.deepEqual(
      [...(pod.env ?? [])],
      [
        ['A', 'x'],
        ['B', ''],
      ],
    );
    f.manager.stopAll();
  });

  it('probes restartable init containers (sidecars), not regular ones', async () => {
    const f = fixture();
    const readiness = probe();
    f.runner.answers.set(readiness, probeFailure('sidecar down'));
    const pod = newPod({
      initContainers: [
        { name: 'side', restartPolicy: 'Always', readinessProbe: readiness },
        { name: 'setup' },
      ],
    });
    const rt = runtimePod([sandbox()], [container('side', { kind: 'init' }), container('app')]);
    f.manager.sync(pod, rt);
    assert.equal(f.manager.workerCount, 1);
    assert.equal(
      f.manager.ready(
        pod,
        rt.containers.find((x) => x.name === 'side')!,
      ),
      false,
    );
    await f.advance(1000);
    assert.deepEqual(
      f.events.list.filter((e) => e.reason === 'Unhealthy').map((e) => e.fieldPath),
      ['spec.initContainers{side}', 'spec.initContainers{side}'],
    );
    f.manager.stopAll();
  });

  it('workers stop, with their timers, when the container stops, the pod goes or the agent stops', async () => {
    const f = fixture();
    const pod = podWith({ livenessProbe: probe(), readinessProbe: probe(), startupProbe: probe() });
    const rt = running(f.clock.now());
    f.manager.sync(pod, rt);
    assert.equal(f.manager.workerCount, 3);
    await f.advance(2000);
    f.manager.sync(pod, runtimePod([sandbox()], [container('app', { state: 'exited' })]));
    assert.equal(f.manager.workerCount, 0);
    assert.equal(f.clock.pendingTimers, 0);

    f.manager.sync(pod, rt);
    assert.equal(f.manager.workerCount, 3);
    f.manager.removePod(pod.metadata!.uid!);
    assert.equal(f.manager.workerCount, 0);
    assert.equal(f.clock.pendingTimers, 0);

    f.manager.sync(pod, rt);
    f.manager.sync({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'now' } }, rt);
    assert.equal(f.manager.workerCount, 0, 'a deleted pod is not probed');
    assert.equal(f.clock.pendingTimers, 0);

    f.manager.sync(pod, rt);
    f.manager.stopAll();
    assert.equal(f.manager.workerCount, 0);
    assert.equal(f.clock.pendingTimers, 0);
  });
});
