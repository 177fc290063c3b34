import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { generatePodStatus, reasonKey } from './pod-status.ts';
import type { PodStatusInput, WaitingReason } from './pod-status.ts';
import { container, newPod, runtimePod, sandbox } from './pod-fixtures.test-support.ts';

const NOW = new Date('2026-01-01T00:00:10Z');

function input(
  pod: Pod,
  rt: PodStatusInput['runtime'],
  extra: Partial<PodStatusInput> = {},
): PodStatusInput {
  const ids = new Set((rt?.containers ?? []).filter((c) => c.state === 'running').map((c) => c.id));
  return {
    pod,
    runtime: rt,
    reasons: new Map(),
    ready: ids,
    started: ids,
    hostIp: '10.1.0.1',
    now: NOW,
    podIsTerminal: false,
    ...extra,
  };
}

describe('generatePodStatus', () => {
  it('reports a Running, Ready pod with its IP, conditions, QoS and start time', () => {
    const s = generatePodStatus(input(newPod(), runtimePod([sandbox()], [container('app')])));
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.0.0.2');
    assert.deepEqual(s.podIPs, [{ ip: '10.0.0.2' }]);
    assert.equal(s.hostIP, '10.1.0.1');
    assert.equal(s.qosClass, 'BestEffort');
    assert.equal(s.startTime, '2026-01-01T00:00:10Z');
    assert.deepEqual(
      s.conditions?.map((c) => [c.type, c.status]),
      [
        ['PodReadyToStartContainers', 'True'],
        ['Initialized', 'True'],
        ['Ready', 'True'],
        ['ContainersReady', 'True'],
        ['PodScheduled', 'True'],
      ],
    );
    const c = s.containerStatuses![0]!;
    assert.equal(c.ready, true);
    assert.equal(c.started, true);
    assert.equal(c.containerID, 'containerd://app-0');
    assert.deepEqual(c.state, { running: { startedAt: '1970-01-01T00:00:02Z' } });
  });

  it('shows ContainerCreating before the container exists, and ContainersNotReady', () => {
    const s = generatePodStatus(input(newPod(), runtimePod([sandbox()], [])));
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    const ready = s.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'ContainersNotReady');
    assert.equal(ready.message, 'containers with unready status: [app]');
  });

  it('shows CrashLoopBackOff over the last termination of a container that will restart', () => {
    const rt = runtimePod(
      [sandbox()],
      [container('app', { state: 'exited', exitCode: 3, reason: 'Error', finishedAtMs: 5000 })],
    );
    const reasons = new Map<string, WaitingReason>([
      [
        reasonKey('app', 'app'),
        {
          reason: 'CrashLoopBackOff',
          message: 'back-off 10s restarting failed container=app pod=p_default(x)',
        },
      ],
    ]);
    const s = generatePodStatus(input(newPod(), rt, { reasons }));
    const c = s.containerStatuses![0]!;
    const last = c.lastState!.terminated!;
    assert.equal(s.phase, 'Running');
    assert.deepEqual(c.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(last.exitCode, 3);
    assert.equal(last.reason, 'Error');
    assert.equal(c.ready, false);
  });

  it('keeps the previous instance as lastState and counts restarts from the runtime', () => {
    const rt = runtimePod(
      [sandbox()],
      [
        container('app', { restartCount: 1, createdAtMs: 3000 }),
        container('app', {
          restartCount: 0,
          state: 'exited',
          exitCode: 137,
          reason: 'OOMKilled',
          finishedAtMs: 2500,
        }),
      ],
    );
    const c = generatePodStatus(input(newPod(), rt)).containerStatuses![0]!;
    const last = c.lastState!.terminated!;
    assert.equal(c.restartCount, 1);
    assert.equal(last.reason, 'OOMKilled');
    assert.equal(last.exitCode, 137);
  });

  it('reports init progress: PodInitializing and ContainersNotInitialized', () => {
    const pod = newPod({ initContainers: [{ name: 'init', image: 'x' }] });
    const s = generatePodStatus(
      input(pod, runtimePod([sandbox()], [container('init', { kind: 'init' })])),
    );
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
    const initialized = s.conditions!.find((c) => c.type === 'Initialized')!;
    assert.equal(initialized.status, 'False');
    assert.equal(initialized.reason, 'ContainersNotInitialized');
    assert.equal(initialized.message, 'containers with incomplete status: [init]');
  });

  it('a running container that is not started or not ready: ContainersNotReady; an init container that succeeded is ready', () => {
    const pod = newPod({ initContainers: [{ name: 'init', image: 'x' }] });
    const rt = runtimePod(
      [sandbox()],
      [container('init', { kind: 'init', state: 'exited', exitCode: 0 }), container('app')],
    );
    const s = generatePodStatus(input(pod, rt, { ready: new Set(), started: new Set() }));
    const app = s.containerStatuses![0]!;
    assert.deepEqual([app.ready, app.started], [false, false]);
    assert.ok(app.state?.running !== undefined);
    const init = s.initContainerStatuses![0]!;
    assert.deepEqual([init.ready, init.started], [true, false]);
    for (const type of ['Ready', 'ContainersReady']) {
      const c = s.conditions!.find((x) => x.type === type)!;
      assert.deepEqual(
        [c.status, c.reason, c.message],
        ['False', 'ContainersNotReady', 'containers with unready status: [app]'],
      );
    }
    const started = generatePodStatus(
      input(pod, rt, { ready: new Set(), started: new Set(['app-0']) }),
    );
    assert.deepEqual(
      [started.containerStatuses![0]!.started, started.containerStatuses![0]!.ready],
      [true, false],
    );
  });

  it('keeps conditions it does not own and transition times that did not change', () => {
    const pod: Pod = {
      ...newPod(),
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
          { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' },
        ],
        startTime: '2025-01-01T00:00:00Z',
      },
    };
    const s = generatePodStatus(input(pod, runtimePod([sandbox()], [container('app')])));
    assert.equal(
      s.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime,
      '2025-01-01T00:00:00Z',
    );
    assert.equal(
      s.conditions.find((c) => c.type === 'DisruptionTarget')?.reason,
      'EvictionByEvictionAPI',
    );
    assert.equal(s.startTime, '2025-01-01T00:00:00Z');
  });

  it('never leaves a terminal phase', () => {
    const pod: Pod = { ...newPod({ restartPolicy: 'Never' }), status: { phase: 'Failed' } };
    const s = generatePodStatus(input(pod, runtimePod([sandbox()], [])));
    assert.equal(s.phase, 'Failed');
  });

  it('is terminal once a deleted pod stopped', () => {
    const rt = runtimePod(
      [sandbox({ ready: false })],
      [container('app', { state: 'exited', exitCode: 137, reason: 'Error' })],
    );
    const pod = {
      ...newPod(),
      metadata: { ...newPod().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    assert.equal(generatePodStatus(input(pod, rt, { podIsTerminal: true })).phase, 'Failed');
  });
});
