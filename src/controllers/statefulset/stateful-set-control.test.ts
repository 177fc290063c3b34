// StatefulSet decisions as upstream's stateful_set_control.go makes them: ordered creation with
// stable names, reverse-ordered deletion, Parallel management, failed pods replaced, rolling
// update from the highest ordinal down to the partition, and the status counts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { T0, newStatefulSet } from '../testing/builders.ts';
import {
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  REVISION_LABEL,
  newStatefulSetPod,
  planStatefulSet,
  updateRevisionOf,
} from './stateful-set-control.ts';
import type { StatefulSetAction } from './stateful-set-control.ts';

const now = T0 + 60_000;

/** A pod of `sts` at `ordinal`, as the kubelet left it. */
function podOf(
  sts: StatefulSet,
  ordinal: number,
  state: 'ready' | 'pending' | 'failed' | 'terminating' = 'ready',
  revision = updateRevisionOf(sts),
): Pod {
  const pod = newStatefulSetPod(sts, ordinal, revision);
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      ...(state === 'terminating' ? { deletionTimestamp: '2016-05-20T00:00:00Z' } : {}),
    },
    status:
      state === 'pending'
        ? { phase: 'Pending' }
        : state === 'failed'
          ? { phase: 'Failed' }
          : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

const describeActions = (actions: readonly StatefulSetAction[]): string[] =>
  actions.map((a) =>
    a.kind === 'create' ? `create ${String(a.ordinal)}` : `delete ${a.podName} (${a.why})`,
  );

describe('newStatefulSetPod', () => {
  it('gives the pod its stable identity', () => {
    const sts = newStatefulSet('web', 3);
    const pod = newStatefulSetPod(sts, 1, 'web-abc');
    assert.deepEqual(
      [
        pod.metadata?.name,
        pod.metadata?.labels?.[POD_NAME_LABEL],
        pod.metadata?.labels?.[POD_INDEX_LABEL],
        pod.metadata?.labels?.[REVISION_LABEL],
        pod.metadata?.labels?.['app'],
        pod.spec?.hostname,
        pod.spec?.subdomain,
        pod.metadata?.ownerReferences?.[0]?.kind,
      ],
      ['web-1', 'web-1', '1', 'web-abc', 'web', 'web-1', 'web', 'StatefulSet'],
    );
  });
});

describe('OrderedReady', () => {
  const sts = newStatefulSet('web', 3);
  const cases: { name: string; pods: Pod[]; want: string[] }[] = [
    { name: 'none yet: web-0 first', pods: [], want: ['create 0'] },
    { name: 'web-0 not ready: wait', pods: [podOf(sts, 0, 'pending')], want: [] },
    { name: 'web-0 ready: web-1 next', pods: [podOf(sts, 0)], want: ['create 1'] },
    {
      name: 'web-0 and web-1 ready: web-2',
      pods: [podOf(sts, 0), podOf(sts, 1)],
      want: ['create 2'],
    },
    {
      name: 'a gap is filled in order',
      pods: [podOf(sts, 0), podOf(sts, 2)],
      want: ['create 1'],
    },
    {
      name: 'a failed pod is deleted to be recreated',
      pods: [podOf(sts, 0), podOf(sts, 1, 'failed'), podOf(sts, 2)],
      want: ['delete web-1 (failed)'],
    },
    { name: 'all ready: nothing', pods: [0, 1, 2].map((i) => podOf(sts, i)), want: [] },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(describeActions(planStatefulSet(sts, c.pods, now).actions), c.want);
    });
});

describe('scale down (reverse order)', () => {
  const sts = newStatefulSet('web', 1);
  const cases: { name: string; pods: Pod[]; want: string[] }[] = [
    {
      name: 'the highest ordinal goes first',
      pods: [0, 1, 2].map((i) => podOf(sts, i)),
      want: ['delete web-2 (condemned)'],
    },
    {
      name: 'wait while it terminates',
      pods: [podOf(sts, 0), podOf(sts, 1), podOf(sts, 2, 'terminating')],
      want: [],
    },
    {
      name: 'then the next',
      pods: [podOf(sts, 0), podOf(sts, 1)],
      want: ['delete web-1 (condemned)'],
    },
    {
      name: 'a healthy condemned pod goes even if a lower one is unhealthy',
      pods: [podOf(sts, 0), podOf(sts, 1, 'pending'), podOf(sts, 2)],
      want: ['delete web-2 (condemned)'],
    },
    {
      name: 'the first unhealthy condemned pod may go',
      pods: [podOf(sts, 0), podOf(sts, 1, 'pending')],
      want: ['delete web-1 (condemned)'],
    },
    {
      name: 'nothing is condemned while a kept replica is unhealthy',
      pods: [podOf(sts, 0, 'pending'), podOf(sts, 1)],
      want: [],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(describeActions(planStatefulSet(sts, c.pods, now).actions), c.want);
    });
});

describe('Parallel', () => {
  const sts: StatefulSet = {
    ...newStatefulSet('par', 3),
    spec: { ...newStatefulSet('par', 3).spec!, podManagementPolicy: 'Parallel' },
  };
  it('creates every missing pod at once', () => {
    assert.deepEqual(describeActions(planStatefulSet(sts, [], now).actions), [
      'create 0',
      'create 1',
      'create 2',
    ]);
  });
  it('deletes every condemned pod at once', () => {
    const small = { ...sts, spec: { ...sts.spec!, replicas: 1 } };
    const pods = [0, 1, 2].map((i) => podOf(small, i, 'pending'));
    assert.deepEqual(describeActions(planStatefulSet(small, pods, now).actions), [
      'delete par-2 (condemned)',
      'delete par-1 (condemned)',
    ]);
  });
});

describe('RollingUpdate', () => {
  const base = newStatefulSet('web', 3);
  const oldRevision = updateRevisionOf(base);
  const updated: StatefulSet = {
    ...base,
    spec: {
      ...base.spec!,
      template: { ...base.spec!.template, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } },
    },
    status: { replicas: 3, currentRevision: oldRevision },
  };
  const old = (i: number, state: Parameters<typeof podOf>[2] = 'ready') =>
    podOf(updated, i, state, oldRevision);
  it('replaces the highest ordinal first', () => {
    const plan = planStatefulSet(updated, [old(0), old(1), old(2)], now);
    assert.deepEqual(describeActions(plan.actions), ['delete web-2 (update)']);
    assert.deepEqual(
      [plan.status.currentRevision, plan.status.updateRevision, plan.status.currentReplicas],
      [oldRevision, updateRevisionOf(updated), 3],
    );
  });
  it('recreates it at the update revision, then waits for it to be ready', () => {
    const plan = planStatefulSet(updated, [old(0), old(1)], now);
    assert.deepEqual(plan.actions, [
      { kind: 'create', ordinal: 2, revision: updateRevisionOf(updated) },
    ]);
    const waiting = planStatefulSet(updated, [old(0), old(1), podOf(updated, 2, 'pending')], now);
    assert.deepEqual(waiting.actions, []);
  });
  it('moves down once the new pod is ready, and stops at the partition', () => {
    assert.deepEqual(
      describeActions(planStatefulSet(updated, [old(0), old(1), podOf(updated, 2)], now).actions),
      ['delete web-1 (update)'],
    );
    const partitioned: StatefulSet = {
      ...updated,
      spec: {
        ...updated.spec!,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
      },
    };
    assert.deepEqual(
      planStatefulSet(partitioned, [old(0), old(1), podOf(updated, 2)], now).actions,
      [],
    );
  });
  it('makes the update revision current once every pod runs it', () => {
    const plan = planStatefulSet(
      updated,
      [0, 1, 2].map((i) => podOf(updated, i)),
      now,
    );
    assert.deepEqual(
      [plan.status.currentRevision, plan.status.updatedReplicas, plan.status.readyReplicas],
      [updateRevisionOf(updated), 3, 3],
    );
  });
  it('OnDelete leaves old pods alone', () => {
    const onDelete: StatefulSet = {
      ...updated,
      spec: { ...updated.spec!, updateStrategy: { type: 'OnDelete' } },
    };
    assert.deepEqual(planStatefulSet(onDelete, [old(0), old(1), old(2)], now).actions, []);
  });
});
