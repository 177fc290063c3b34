// deployment_util.go's helpers against upstream's tables (deployment_util_test.go, sync_test.go
// TestDeploymentController_cleanupDeployment): fenceposts, the new RS's next size, which RS is
// new, history cleanup, and the rollout predicates.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, DeploymentStatus } from 'kubernetes-types/apps/v1.d.ts';
import { T0, iso, newDeployment, newReplicaSet } from '../testing/builders.ts';
import {
  InvalidIntOrPercentError,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  findNewReplicaSet,
  findOldReplicaSets,
  maxUnavailable,
  newRSNewReplicas,
  replicaSetsToCleanUp,
  resolveFenceposts,
} from './deployment-util.ts';
import { POD_TEMPLATE_HASH_LABEL } from './pod-template-hash.ts';

describe('ResolveFenceposts', () => {
  const cases: [string | undefined, string | undefined, number, number, number][] = [
    ['0%', '0%', 0, 0, 1],
    ['39%', '39%', 10, 4, 3],
    [undefined, '39%', 10, 0, 3],
    ['39%', undefined, 10, 4, 0],
    [undefined, undefined, 10, 0, 1],
  ];
  for (const [surge, unavail, desired, wantSurge, wantUnavail] of cases)
    it(`${String(surge)}/${String(unavail)} of ${String(desired)}`, () => {
      assert.deepEqual(resolveFenceposts(surge, unavail, desired), [wantSurge, wantUnavail]);
    });
  it('refuses a malformed value', () => {
    assert.throws(() => resolveFenceposts('oops', '39%', 10), InvalidIntOrPercentError);
    assert.throws(() => resolveFenceposts('55%', 'urg', 10), InvalidIntOrPercentError);
  });
});

describe('MaxUnavailable', () => {
  const cases = [
    { name: 'maxUnavailable less than replicas', replicas: 10, unavail: 5, want: 5 },
    { name: 'maxUnavailable equal replicas', replicas: 10, unavail: 10, want: 10 },
    { name: 'maxUnavailable greater than replicas', replicas: 5, unavail: 10, want: 5 },
    { name: 'maxUnavailable with replicas is 0', replicas: 0, unavail: 10, want: 0 },
    { name: 'maxUnavailable 0 and maxSurge 0 gives 1', replicas: 10, unavail: 0, want: 1 },
    { name: 'maxUnavailable 56% of 10', replicas: 10, unavail: '56%', want: 5 },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(
        maxUnavailable(newDeployment('foo', c.replicas, { maxUnavailable: c.unavail })),
        c.want,
      );
    });
  it('is 0 for Recreate', () => {
    assert.equal(maxUnavailable(newDeployment('foo', 10, { strategy: 'Recreate' })), 0);
  });
});

describe('NewRSNewReplicas', () => {
  const cases = [
    { name: 'can not scale up - to newRSReplicas', rolling: true, d: 1, cur: 5, surge: 1, want: 5 },
    { name: 'scale up - to depReplicas', rolling: true, d: 6, cur: 2, surge: 10, want: 6 },
    { name: 'recreate - to depReplicas', rolling: false, d: 3, cur: 1, surge: 1, want: 3 },
  ];
  for (const c of cases)
    it(c.name, () => {
      const d = newDeployment('nginx', c.d, {
        strategy: c.rolling ? 'RollingUpdate' : 'Recreate',
        maxSurge: c.surge,
        maxUnavailable: 1,
      });
      const rs5 = newReplicaSet('rs5', 5);
      const newRS = newReplicaSet('new', c.cur);
      assert.equal(newRSNewReplicas(d, [rs5], newRS), c.want);
    });
});

describe('FindNewReplicaSet / FindOldReplicaSets', () => {
  const d = newDeployment('nginx', 1);
  const withHash = (name: string, hash: string, createdMs: number) => {
    const rs = newReplicaSet(name, 1, { createdMs });
    rs.spec!.template!.metadata!.labels![POD_TEMPLATE_HASH_LABEL] = hash;
    return rs;
  };
  const oldRS = newReplicaSet('old', 1, { createdMs: T0 - 60_000 });
  oldRS.spec!.template!.spec!.containers[0]!.name = 'nginx-old-1';
  const newRS = withHash('new', 'hash', T0 + 60_000);
  const newRSDup = withHash('dup', 'different-hash', T0);

  it('finds the RS with the same template whatever its pod-template-hash', () => {
    assert.equal(findNewReplicaSet(d, [newRS, oldRS]), newRS);
  });
  it('takes the oldest when several share the template', () => {
    assert.equal(findNewReplicaSet(d, [newRS, oldRS, newRSDup]), newRSDup);
  });
  it('finds none when no template matches', () => {
    assert.equal(findNewReplicaSet(d, [oldRS]), undefined);
  });
  it('all others are old, including a younger duplicate', () => {
    const names = (l: { metadata?: { name?: string } }[]) => l.map((r) => r.metadata?.name).sort();
    assert.deepEqual(names(findOldReplicaSets(d, [newRS, oldRS])), ['old']);
    assert.deepEqual(names(findOldReplicaSets(d, [oldRS, newRS, newRSDup])), ['new', 'old']);
    assert.deepEqual(findOldReplicaSets(d, [newRS]), []);
  });
});

describe('cleanupDeployment (replicaSetsToCleanUp)', () => {
  const withStatus = (name: string, spec: number, status: number, revision: number) => {
    const rs = newReplicaSet(name, spec);
    return {
      ...rs,
      metadata: {
        ...rs.metadata,
        annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      },
      status: { replicas: status, observedGeneration: 1 },
    };
  };
  const base = withStatus('foo-1', 0, 0, 1);
  const deleting = { ...base, metadata: { ...base.metadata, deletionTimestamp: iso(T0) } };
  const cases = [
    { rss: [1, 2, 3].map((i) => withStatus(`foo-${String(i)}`, 0, 0, i)), limit: 1, want: 2 },
    {
      name: 'only those with spec and status replicas 0',
      rss: [
        withStatus('foo-1', 0, 0, 1),
        withStatus('foo-2', 0, 1, 2),
        withStatus('foo-3', 1, 0, 3),
        withStatus('foo-4', 1, 1, 4),
      ],
      limit: 0,
      want: 1,
    },
    { rss: [withStatus('foo-1', 0, 0, 1), withStatus('foo-2', 0, 0, 2)], limit: 0, want: 2 },
    { rss: [withStatus('foo-1', 1, 1, 1), withStatus('foo-2', 1, 1, 2)], limit: 0, want: 0 },
    { name: 'already being deleted', rss: [deleting], limit: 0, want: 0 },
    {
      name: 'unlimited history',
      rss: [1, 2, 3].map((i) => withStatus(`foo-${String(i)}`, 0, 0, i)),
      limit: 2 ** 31 - 1,
      want: 0,
    },
  ];
  for (const [i, c] of cases.entries())
    it(c.name ?? `scenario ${String(i)}`, () => {
      assert.equal(replicaSetsToCleanUp(c.rss, c.limit).length, c.want);
    });
  it('deletes the lowest revisions first and keeps none when the limit is unset', () => {
    const rss = [3, 1, 2].map((i) => withStatus(`foo-${String(i)}`, 0, 0, i));
    assert.deepEqual(
      replicaSetsToCleanUp(rss, 1).map((r) => r.metadata?.name),
      ['foo-1', 'foo-2'],
    );
    assert.deepEqual(replicaSetsToCleanUp(rss, undefined), []);
  });
});

describe('rollout predicates', () => {
  const withStatus = (
    desired: number,
    current: number,
    updated: number,
    available: number,
    unavail: number,
    surge: number,
  ): Deployment => ({
    ...newDeployment('foo', desired, { maxUnavailable: unavail, maxSurge: surge }),
    status: { replicas: current, updatedReplicas: updated, availableReplicas: available },
  });
  const complete = [
    {
      name: 'not complete: min but not all pods available',
      d: withStatus(5, 5, 5, 4, 1, 0),
      want: false,
    },
    {
      name: 'not complete: min availability not honored',
      d: withStatus(5, 5, 5, 3, 1, 0),
      want: false,
    },
    { name: 'complete', d: withStatus(5, 5, 5, 5, 0, 0), want: true },
    {
      name: 'not complete: all available, not all updated',
      d: withStatus(5, 5, 4, 5, 0, 0),
      want: false,
    },
    { name: 'not complete: still running old pods', d: withStatus(1, 2, 1, 1, 0, 1), want: false },
    {
      name: 'not complete: one replica never comes up',
      d: withStatus(1, 1, 1, 0, 1, 1),
      want: false,
    },
  ];
  for (const c of complete)
    it(`DeploymentComplete: ${c.name}`, () => {
      // The builder's generation is 1; status observed it.
      const s = { ...c.d.status, observedGeneration: 1 };
      assert.equal(deploymentComplete(c.d, s), c.want);
    });

  const st = (
    current: number,
    updated: number,
    ready: number,
    available: number,
  ): DeploymentStatus => ({
    replicas: current,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
  });
  const progressing = [
    { name: 'updated pods', old: st(10, 4, 4, 4), cur: st(10, 6, 4, 4), want: true },
    { name: 'not progressing', old: st(10, 4, 4, 4), cur: st(10, 4, 4, 4), want: false },
    { name: 'old pods removed', old: st(10, 4, 6, 6), cur: st(8, 4, 6, 6), want: true },
    { name: 'less new pods', old: st(10, 7, 3, 3), cur: st(10, 6, 3, 3), want: false },
    {
      name: 'less overall but more new pods',
      old: st(10, 4, 7, 7),
      cur: st(8, 8, 5, 5),
      want: true,
    },
    { name: 'more ready pods', old: st(10, 10, 9, 8), cur: st(10, 10, 10, 8), want: true },
    { name: 'more available pods', old: st(10, 10, 10, 9), cur: st(10, 10, 10, 10), want: true },
  ];
  for (const c of progressing)
    it(`DeploymentProgressing: ${c.name}`, () => {
      const d = { ...newDeployment('foo', 10), status: c.old };
      assert.equal(deploymentProgressing(d, c.cur), c.want);
    });

  const at = (min: number, sec: number): number => Date.UTC(2016, 0, 1, 0, min, sec);
  const timedOut = [
    {
      name: 'no progressDeadlineSeconds',
      pds: undefined,
      from: at(1, 9),
      now: at(1, 20),
      want: false,
    },
    {
      name: 'infinite progressDeadlineSeconds',
      pds: 2 ** 31 - 1,
      from: at(1, 9),
      now: at(1, 20),
      want: false,
    },
    { name: '10s deadline, 11s since', pds: 10, from: at(1, 9), now: at(1, 20), want: true },
    { name: '10s deadline, 9s since', pds: 10, from: at(1, 11), now: at(1, 20), want: false },
  ];
  for (const c of timedOut)
    it(`DeploymentTimedOut: ${c.name}`, () => {
      const d = newDeployment(
        'foo',
        1,
        c.pds === undefined ? {} : { progressDeadlineSeconds: c.pds },
      );
      const s: DeploymentStatus = {
        conditions: [
          { type: 'Progressing', status: 'True', reason: '', lastUpdateTime: iso(c.from) },
        ],
      };
      assert.equal(deploymentTimedOut(d, s, c.now), c.want);
    });
});
