import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computePodActions,
  containerHash,
  initProgress,
  NO_PROBE_VERDICTS,
} from './pod-actions.ts';
import { container, newPod, runtimePod, sandbox } from './pod-fixtures.test-support.ts';

const summary = (a: ReturnType<typeof computePodActions>) => ({
  killPod: a.killPod,
  createSandbox: a.createSandbox,
  init: a.initContainersToStart,
  start: a.containersToStart,
  kill: a.containersToKill.map((k) => k.reason || k.message),
});

describe('computePodActions', () => {
  const cases: {
    name: string;
    pod: ReturnType<typeof newPod>;
    runtime: ReturnType<typeof runtimePod> | undefined;
    want: ReturnType<typeof summary>;
  }[] = [
    {
      name: 'a new pod gets a sandbox and its containers',
      pod: newPod(),
      runtime: undefined,
      want: { killPod: false, createSandbox: true, init: [], start: [0], kill: [] },
    },
    {
      name: 'a new pod with init containers starts the first one only',
      pod: newPod({ initContainers: [{ name: 'i1' }, { name: 'i2' }] }),
      runtime: undefined,
      want: { killPod: false, createSandbox: true, init: [0], start: [], kill: [] },
    },
    {
      name: 'a running pod is left alone',
      pod: newPod(),
      runtime: runtimePod([sandbox()], [container('app')]),
      want: { killPod: false, createSandbox: false, init: [], start: [], kill: [] },
    },
    {
      name: 'an exited container restarts under Always',
      pod: newPod(),
      runtime: runtimePod([sandbox()], [container('app', { state: 'exited', exitCode: 0 })]),
      want: { killPod: false, createSandbox: false, init: [], start: [0], kill: [] },
    },
    {
      name: 'OnFailure restarts a failed container only',
      pod: newPod({ restartPolicy: 'OnFailure' }, [{ name: 'a' }, { name: 'b' }]),
      runtime: runtimePod(
        [sandbox()],
        [
          container('a', { state: 'exited', exitCode: 0 }),
          container('b', { state: 'exited', exitCode: 1 }),
        ],
      ),
      want: { killPod: false, createSandbox: false, init: [], start: [1], kill: [] },
    },
    {
      name: 'Never with everything exited stops the sandbox',
      pod: newPod({ restartPolicy: 'Never' }),
      runtime: runtimePod([sandbox()], [container('app', { state: 'exited', exitCode: 1 })]),
      want: { killPod: true, createSandbox: false, init: [], start: [], kill: [] },
    },
    {
      name: 'a dead sandbox is re-created and the containers started again',
      pod: newPod(),
      runtime: runtimePod([sandbox({ ready: false })], [container('app', { state: 'exited' })]),
      want: { killPod: true, createSandbox: true, init: [], start: [0], kill: [] },
    },
    {
      name: 'a dead sandbox of a Never pod that ran is not re-created',
      pod: newPod({ restartPolicy: 'Never' }),
      runtime: runtimePod([sandbox({ ready: false })], [container('app', { state: 'exited' })]),
      want: { killPod: true, createSandbox: false, init: [], start: [], kill: [] },
    },
    {
      name: 'a sandbox without an IP is re-created',
      pod: newPod(),
      runtime: runtimePod([sandbox({ ips: [] })], []),
      want: { killPod: true, createSandbox: true, init: [], start: [0], kill: [] },
    },
    {
      name: 'init containers run in order',
      pod: newPod({ initContainers: [{ name: 'i1' }, { name: 'i2' }] }),
      runtime: runtimePod(
        [sandbox()],
        [container('i1', { kind: 'init', state: 'exited', exitCode: 0 })],
      ),
      want: { killPod: false, createSandbox: false, init: [1], start: [], kill: [] },
    },
    {
      name: 'a running init container is waited for',
      pod: newPod({ initContainers: [{ name: 'i1' }] }),
      runtime: runtimePod([sandbox()], [container('i1', { kind: 'init' })]),
      want: { killPod: false, createSandbox: false, init: [], start: [], kill: [] },
    },
    {
      name: 'a failed init container is retried under Always',
      pod: newPod({ initContainers: [{ name: 'i1' }] }),
      runtime: runtimePod(
        [sandbox()],
        [container('i1', { kind: 'init', state: 'exited', exitCode: 2 })],
      ),
      want: { killPod: false, createSandbox: false, init: [0], start: [], kill: [] },
    },
    {
      name: 'a failed init container fails a Never pod',
      pod: newPod({ restartPolicy: 'Never', initContainers: [{ name: 'i1' }] }),
      runtime: runtimePod(
        [sandbox()],
        [container('i1', { kind: 'init', state: 'exited', exitCode: 2 })],
      ),
      want: { killPod: true, createSandbox: false, init: [], start: [], kill: [] },
    },
    {
      name: 'after init, app containers start',
      pod: newPod({ initContainers: [{ name: 'i1' }] }),
      runtime: runtimePod(
        [sandbox()],
        [container('i1', { kind: 'init', state: 'exited', exitCode: 0 })],
      ),
      want: { killPod: false, createSandbox: false, init: [], start: [0], kill: [] },
    },
    {
      name: 'a changed image restarts the container',
      pod: newPod({}, [{ name: 'app', image: 'busybox:2' }]),
      runtime: runtimePod(
        [sandbox()],
        [container('app', { hash: containerHash({ name: 'app', image: 'busybox:1' }) })],
      ),
      want: {
        killPod: false,
        createSandbox: false,
        init: [],
        start: [0],
        kill: ['Container app definition changed, will be restarted'],
      },
    },
    {
      name: 'a deleted pod restarts nothing',
      pod: {
        ...newPod(),
        metadata: { ...newPod().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
      },
      runtime: runtimePod([sandbox()], [container('app', { state: 'exited' })]),
      want: { killPod: true, createSandbox: false, init: [], start: [], kill: [] },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(summary(computePodActions(c.pod, c.runtime, NO_PROBE_VERDICTS)), c.want);
    });

  it('kills and restarts a container whose liveness probe failed', () => {
    const rt = runtimePod([sandbox()], [container('app')]);
    const a = computePodActions(newPod(), rt, {
      ...NO_PROBE_VERDICTS,
      livenessFailed: new Set(['app-0']),
    });
    assert.deepEqual(summary(a), {
      killPod: false,
      createSandbox: false,
      init: [],
      start: [0],
      kill: ['LivenessProbe'],
    });
    assert.equal(
      a.containersToKill[0]?.message,
      'Container app failed liveness probe, will be restarted',
    );
  });

  it('kills a container whose startup probe failed with the probe grace period, restarts it', () => {
    const rt = runtimePod([sandbox()], [container('app')]);
    const pod = newPod({ terminationGracePeriodSeconds: 60 }, [
      {
        name: 'app',
        startupProbe: { exec: { command: ['false'] }, terminationGracePeriodSeconds: 3 },
      },
    ]);
    const a = computePodActions(pod, rt, {
      ...NO_PROBE_VERDICTS,
      startupFailed: new Set(['app-0']),
    });
    assert.deepEqual(summary(a).kill, ['StartupProbe']);
    assert.deepEqual(a.containersToStart, [0]);
    assert.equal(
      a.containersToKill[0]?.message,
      'Container app failed startup probe, will be restarted',
    );
    assert.equal(a.containersToKill[0].graceSeconds, 3);
  });

  it("uses the liveness probe's grace period, else the pod's; Never kills without restart", () => {
    const rt = runtimePod([sandbox()], [container('app')]);
    const failed = { ...NO_PROBE_VERDICTS, livenessFailed: new Set(['app-0']) };
    const withGrace = newPod({}, [
      { name: 'app', livenessProbe: { tcpSocket: { port: 1 }, terminationGracePeriodSeconds: 5 } },
    ]);
    assert.equal(computePodActions(withGrace, rt, failed).containersToKill[0]?.graceSeconds, 5);
    const plain = newPod({}, [{ name: 'app', livenessProbe: { tcpSocket: { port: 1 } } }]);
    assert.equal(computePodActions(plain, rt, failed).containersToKill[0]?.graceSeconds, undefined);
    const never = computePodActions(newPod({ restartPolicy: 'Never' }), rt, failed);
    assert.equal(never.containersToKill[0]?.message, 'Container app failed liveness probe');
    assert.deepEqual(never.containersToStart, []);
  });

  it('starts sidecars (restartable init containers) before app containers, which wait for them to start', () => {
    const pod = newPod({ initContainers: [{ name: 'side', restartPolicy: 'Always' }] });
    const rt = runtimePod([sandbox()], [container('side', { kind: 'init' })]);
    assert.deepEqual(initProgress(pod, rt, NO_PROBE_VERDICTS), {
      done: false,
      failed: false,
      next: undefined,
    });
    const started = { ...NO_PROBE_VERDICTS, started: new Set(['side-0']) };
    assert.deepEqual(summary(computePodActions(pod, rt, started)), {
      killPod: false,
      createSandbox: false,
      init: [],
      start: [0],
      kill: [],
    });
  });
});
