import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.d.ts';
import {
  needToReconcilePodReadiness,
  podUpdateNeedsSync,
  podsDifferSemantically,
} from './pod-update-needs-sync.ts';
import { readiness } from './pod-status.ts';
import { newPod } from './pod-fixtures.test-support.ts';

const base = (): Pod => {
  const p = newPod();
  return {
    ...p,
    metadata: { ...p.metadata, resourceVersion: '10', labels: { app: 'a' } },
    status: { phase: 'Pending' },
  };
};

const waiting = (reason: string): ContainerStatus => ({
  name: 'app',
  image: 'busybox:1',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason } },
});

describe('podsDifferSemantically / podUpdateNeedsSync', () => {
  const cases: { name: string; change: (p: Pod) => Pod; sync: boolean }[] = [
    { name: 'nothing changed', change: (p) => p, sync: false },
    {
      name: 'status only: the agent writes ErrImagePull',
      change: (p) => ({
        ...p,
        metadata: { ...p.metadata, resourceVersion: '11' },
        status: { phase: 'Pending', containerStatuses: [waiting('ErrImagePull')] },
      }),
      sync: false,
    },
    {
      name: 'metadata the agent does not act on (resourceVersion, managedFields, generation)',
      change: (p) => ({
        ...p,
        metadata: {
          ...p.metadata,
          resourceVersion: '12',
          generation: 3,
          managedFields: [{ manager: 'k8ts-agent', operation: 'Update' }],
        },
      }),
      sync: false,
    },
    {
      name: 'spec: a new image',
      change: (p) => ({
        ...p,
        spec: { ...p.spec, containers: [{ name: 'app', image: 'busybox:2' }] },
      }),
      sync: true,
    },
    {
      name: 'spec: an empty list where there was none is the same spec',
      change: (p) => ({
        ...p,
        spec: { containers: p.spec?.containers ?? [], ...p.spec, volumes: [] },
      }),
      sync: false,
    },
    {
      name: 'labels',
      change: (p) => ({ ...p, metadata: { ...p.metadata, labels: { app: 'b' } } }),
      sync: true,
    },
    {
      name: 'annotations added',
      change: (p) => ({ ...p, metadata: { ...p.metadata, annotations: { note: 'x' } } }),
      sync: true,
    },
    {
      name: 'annotations: empty map versus none',
      change: (p) => ({ ...p, metadata: { ...p.metadata, annotations: {} } }),
      sync: false,
    },
    {
      name: 'deletionTimestamp set (graceful deletion)',
      change: (p) => ({
        ...p,
        metadata: {
          ...p.metadata,
          deletionTimestamp: '2026-01-01T00:00:00Z',
          deletionGracePeriodSeconds: 30,
        },
      }),
      sync: true,
    },
    {
      name: 'deletionGracePeriodSeconds shortened (a second delete with --grace-period)',
      change: (p) => ({
        ...p,
        metadata: { ...p.metadata, deletionGracePeriodSeconds: 0 },
      }),
      sync: true,
    },
    {
      name: 'a new pod with the same name (another uid)',
      change: (p) => ({ ...p, metadata: { ...p.metadata, uid: 'other' } }),
      sync: true,
    },
  ];
  for (const c of cases)
    it(`${c.name}: ${c.sync ? 'syncs' : 'does not sync'}`, () => {
      const old = base();
      const next = c.change(base());
      assert.equal(podUpdateNeedsSync(old, next), c.sync);
      if (old.metadata?.uid === next.metadata?.uid)
        assert.equal(podsDifferSemantically(old, next), c.sync);
    });
});

describe('needToReconcilePodReadiness (status-only changes that do sync)', () => {
  const ready = (status: 'True' | 'False', message?: string): PodCondition => ({
    type: 'Ready',
    status,
    ...(message === undefined ? {} : { reason: 'ReadinessGatesNotReady', message }),
  });
  const running: ContainerStatus = {
    name: 'app',
    image: 'busybox:1',
    imageID: 'sha256:abc',
    ready: true,
    restartCount: 0,
    state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
  };
  const gated = (conditions: PodCondition[]): Pod => ({
    ...newPod({ readinessGates: [{ conditionType: 'example.com/lb' }] }),
    status: { phase: 'Running', containerStatuses: [running], conditions },
  });
  const missing = 'corresponding condition of pod readiness gate "example.com/lb" does not exist.';

  it('a gate condition another component set to True: Ready must be recomputed', () => {
    const pod = gated([ready('False', missing), { type: 'example.com/lb', status: 'True' }]);
    assert.equal(needToReconcilePodReadiness(pod), true);
    const old = gated([ready('False', missing)]);
    assert.equal(podsDifferSemantically(old, pod), false);
    assert.equal(podUpdateNeedsSync(old, pod), true);
  });

  it('Ready already agrees with the gates: no sync', () => {
    assert.equal(needToReconcilePodReadiness(gated([ready('False', missing)])), false);
    const open = gated([ready('True'), { type: 'example.com/lb', status: 'True' }]);
    assert.equal(needToReconcilePodReadiness(open), false);
  });

  it('a gate that turned False changes the message: sync', () => {
    const pod = gated([ready('True'), { type: 'example.com/lb', status: 'False' }]);
    assert.equal(needToReconcilePodReadiness(pod), true);
    const v = readiness(pod, [running], [], 'Running', pod.status?.conditions ?? []);
    assert.deepEqual(v.pod, {
      ready: false,
      reason: 'ReadinessGatesNotReady',
      message: 'the status of pod readiness gate "example.com/lb" is not "True", but False',
    });
    assert.equal(v.containers.ready, true);
  });

  it('no readiness gates, or no Ready condition yet: no sync', () => {
    const plain: Pod = { ...newPod(), status: { conditions: [ready('False', 'x')] } };
    assert.equal(needToReconcilePodReadiness(plain), false);
    assert.equal(needToReconcilePodReadiness(gated([])), false);
  });
});
