// The conditions `kubectl rollout status` reads, against upstream's progress_test.go tables
// (TestSyncRolloutStatus, TestRequeueStuckDeployment), plus the Available condition.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, DeploymentCondition, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { iso, newDeployment, newReplicaSet } from '../testing/builders.ts';
import { calculateStatus, msUntilProgressDeadline, rolloutStatus } from './deployment-status.ts';

const testTime = Date.UTC(2017, 1, 15, 18, 49, 0);
const now = testTime + 3600_000;

/** upstream's currentDeployment(pds, replicas, statusReplicas, updated, available, conditions). */
function current(
  pds: number | undefined,
  replicas: number,
  statusReplicas: number,
  updated: number,
  available: number,
  conditions: DeploymentCondition[],
): Deployment {
  const d = newDeployment('progress-test', replicas, {
    strategy: 'Recreate',
    ...(pds === undefined ? {} : { progressDeadlineSeconds: pds }),
  });
  d.status = {
    replicas: statusReplicas,
    updatedReplicas: updated,
    availableReplicas: available,
    observedGeneration: 1,
    conditions: conditions.map((c) => ({ ...c })),
  };
  return d;
}

function rsWithAvailable(
  name: string,
  spec: number,
  status: number,
  available: number,
): ReplicaSet {
  return {
    ...newReplicaSet(name, spec),
    status: { replicas: status, availableReplicas: available },
  };
}

const failedTimedOut: DeploymentCondition = {
  type: 'Progressing',
  status: 'False',
  reason: 'ProgressDeadlineExceeded',
};
const newRSAvailable: DeploymentCondition = {
  type: 'Progressing',
  status: 'True',
  reason: 'NewReplicaSetAvailable',
  lastUpdateTime: iso(testTime),
  lastTransitionTime: iso(testTime),
};
const replicaSetUpdated: DeploymentCondition = {
  type: 'Progressing',
  status: 'True',
  reason: 'ReplicaSetUpdated',
  lastUpdateTime: iso(testTime),
  lastTransitionTime: iso(testTime),
};

describe('syncRolloutStatus (rolloutStatus)', () => {
  const cases: {
    name: string;
    d: Deployment;
    allRSs: ReplicaSet[];
    newRS?: ReplicaSet;
    want?: { status: string; reason: string };
    keepUpdate?: boolean;
    keepTransition?: boolean;
  }[] = [
    {
      name: 'no progress deadline: the Progressing condition is removed',
      d: current(undefined, 3, 2, 2, 2, [replicaSetUpdated]),
      allRSs: [rsWithAvailable('bar', 0, 1, 1)],
      newRS: rsWithAvailable('foo', 3, 2, 2),
    },
    {
      name: 'only one active ReplicaSet: progress is not estimated',
      d: current(600, 3, 3, 3, 3, [newRSAvailable]),
      allRSs: [rsWithAvailable('bar', 3, 3, 3)],
      want: { status: 'True', reason: 'NewReplicaSetAvailable' },
      keepUpdate: true,
      keepTransition: true,
    },
    {
      name: 'progressing: lastTransitionTime kept when already Progressing=True',
      d: current(600, 3, 2, 2, 2, [replicaSetUpdated]),
      allRSs: [rsWithAvailable('bar', 0, 1, 1)],
      newRS: rsWithAvailable('foo', 3, 2, 2),
      want: { status: 'True', reason: 'ReplicaSetUpdated' },
      keepTransition: true,
    },
    {
      name: 'progressing: everything updated when it was Progressing=False',
      d: current(600, 3, 2, 2, 2, [failedTimedOut]),
      allRSs: [rsWithAvailable('bar', 0, 1, 1)],
      newRS: rsWithAvailable('foo', 3, 2, 2),
      want: { status: 'True', reason: 'ReplicaSetUpdated' },
    },
    {
      name: 'progressing: the condition is created',
      d: current(600, 3, 2, 2, 2, []),
      allRSs: [rsWithAvailable('bar', 0, 1, 1)],
      newRS: rsWithAvailable('foo', 3, 2, 2),
      want: { status: 'True', reason: 'ReplicaSetUpdated' },
    },
    {
      name: 'complete: lastTransitionTime kept when already Progressing=True',
      d: current(600, 3, 3, 3, 3, [replicaSetUpdated]),
      allRSs: [],
      newRS: rsWithAvailable('foo', 3, 3, 3),
      want: { status: 'True', reason: 'NewReplicaSetAvailable' },
      keepTransition: true,
    },
    {
      name: 'complete: everything updated when it was Progressing=False',
      d: current(600, 3, 3, 3, 3, [failedTimedOut]),
      allRSs: [],
      newRS: rsWithAvailable('foo', 3, 3, 3),
      want: { status: 'True', reason: 'NewReplicaSetAvailable' },
    },
    {
      name: 'complete: the condition is created',
      d: current(600, 3, 3, 3, 3, []),
      allRSs: [],
      newRS: rsWithAvailable('foo', 3, 3, 3),
      want: { status: 'True', reason: 'NewReplicaSetAvailable' },
    },
    {
      name: 'complete with no new ReplicaSet (scaled to 0)',
      d: current(600, 0, 3, 3, 3, [replicaSetUpdated]),
      allRSs: [rsWithAvailable('foo', 0, 0, 0)],
      want: { status: 'True', reason: 'NewReplicaSetAvailable' },
      keepTransition: true,
    },
    {
      name: 'timed out: past the deadline',
      d: current(60, 3, 2, 2, 2, [replicaSetUpdated]),
      allRSs: [],
      newRS: rsWithAvailable('foo', 3, 2, 2),
      want: { status: 'False', reason: 'ProgressDeadlineExceeded' },
    },
    {
      name: 'timed out: an existing timed-out condition is left alone',
      d: current(60, 3, 2, 2, 2, [
        { ...failedTimedOut, lastUpdateTime: iso(testTime), lastTransitionTime: iso(testTime) },
      ]),
      allRSs: [],
      newRS: rsWithAvailable('foo', 3, 2, 2),
      want: { status: 'False', reason: 'ProgressDeadlineExceeded' },
      keepUpdate: true,
      keepTransition: true,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const all = c.newRS === undefined ? c.allRSs : [...c.allRSs, c.newRS];
      const s = rolloutStatus(all, c.newRS, c.d, now);
      const cond = s.conditions?.find((x) => x.type === 'Progressing');
      if (c.want === undefined) {
        assert.equal(cond, undefined);
        return;
      }
      assert.deepEqual(
        {
          status: cond?.status,
          reason: cond?.reason,
          transition: cond?.lastTransitionTime,
          ...(c.keepUpdate === true ? { update: cond?.lastUpdateTime } : {}),
        },
        {
          ...c.want,
          transition: iso(c.keepTransition === true ? testTime : now),
          ...(c.keepUpdate === true ? { update: iso(testTime) } : {}),
        },
      );
    });

  it('writes the messages kubectl prints', () => {
    const newRS = rsWithAvailable('foo-abc', 3, 3, 3);
    const s = rolloutStatus([newRS], newRS, current(600, 3, 3, 3, 3, []), now);
    assert.equal(
      s.conditions?.find((x) => x.type === 'Progressing')?.message,
      'ReplicaSet "foo-abc" has successfully progressed.',
    );
  });
});

describe('calculateStatus: Available', () => {
  const cases = [
    { name: 'enough available', replicas: 4, unavail: 1, available: 3, want: 'True' },
    { name: 'too few available', replicas: 4, unavail: 1, available: 2, want: 'False' },
  ];
  for (const c of cases)
    it(c.name, () => {
      const d = newDeployment('foo', c.replicas, { maxUnavailable: c.unavail, maxSurge: 1 });
      const rs = newReplicaSet('foo-1', c.replicas, { available: c.available });
      const s = calculateStatus([rs], rs, d, now);
      const cond = s.conditions?.find((x) => x.type === 'Available');
      assert.deepEqual(
        { status: cond?.status, reason: cond?.reason },
        {
          status: c.want,
          reason: c.want === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        },
      );
      assert.equal(s.availableReplicas, c.available);
      assert.equal(s.unavailableReplicas, c.replicas - c.available);
    });
});

describe('requeueStuckDeployment (msUntilProgressDeadline)', () => {
  const stuck: DeploymentCondition = {
    type: 'Progressing',
    status: 'True',
    lastUpdateTime: iso(Date.UTC(2017, 1, 15, 18, 49, 0)),
  };
  const failed: DeploymentCondition = failedTimedOut;
  const st = (r: number, u: number, a: number) => ({
    replicas: r,
    updatedReplicas: u,
    availableReplicas: a,
    observedGeneration: 1,
  });
  const at = (m: number, s: number, ms = 0) => Date.UTC(2017, 1, 15, 18, m, s, ms);
  const cases = [
    {
      name: 'no progressDeadlineSeconds',
      d: current(undefined, 4, 3, 3, 2, []),
      s: st(3, 3, 2),
      now: at(49, 0),
      want: undefined,
    },
    {
      name: 'infinite progressDeadlineSeconds',
      d: current(2 ** 31 - 1, 4, 3, 3, 2, []),
      s: st(3, 3, 2),
      now: at(49, 0),
      want: undefined,
    },
    {
      name: 'no Progressing condition',
      d: current(60, 4, 3, 3, 2, []),
      s: st(3, 3, 2),
      now: at(49, 0),
      want: undefined,
    },
    {
      name: 'complete',
      d: current(60, 3, 3, 3, 3, []),
      s: st(3, 3, 3),
      now: at(49, 0),
      want: undefined,
    },
    {
      name: 'already failed',
      d: current(60, 3, 3, 3, 0, [failed]),
      s: st(3, 3, 0),
      now: at(49, 0),
      want: undefined,
    },
    {
      name: 'stuck, 30 s left',
      d: current(60, 3, 3, 3, 1, [stuck]),
      s: st(3, 3, 1),
      now: at(49, 30),
      want: 31_000,
    },
    {
      name: 'stuck, 1 s left',
      d: current(60, 3, 3, 3, 1, [stuck]),
      s: st(3, 3, 1),
      now: at(49, 59),
      want: 2_000,
    },
    {
      name: 'less than a second left: now',
      d: current(60, 3, 3, 3, 1, [stuck]),
      s: st(3, 3, 1),
      now: at(49, 59, 1),
      want: 0,
    },
    {
      name: 'at the deadline: now',
      d: current(60, 3, 3, 3, 1, [stuck]),
      s: st(3, 3, 1),
      now: at(50, 0),
      want: 0,
    },
    {
      name: 'past the deadline: now',
      d: current(60, 3, 3, 3, 1, [stuck]),
      s: st(3, 3, 1),
      now: at(51, 0),
      want: 0,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(msUntilProgressDeadline(c.d, c.s, c.now), c.want);
    });
});
