// The rollout arithmetic against upstream's own tables (pkg/controller/deployment: rolling_test.go,
// sync_test.go TestScale), case for case.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { T0, newDeployment, newReplicaSet } from '../testing/builders.ts';
import { maxSurge } from './deployment-util.ts';
import { setReplicasAnnotations } from './revision-annotations.ts';
import {
  newReplicaSetTarget,
  planCleanupUnhealthy,
  planReconcileOld,
  planScale,
  planScaleDownOld,
  StaleReplicaSetStatusError,
} from './rolling-plan.ts';

const sizes = (steps: { rs: ReplicaSet; replicas: number }[]): Record<string, number> =>
  Object.fromEntries(steps.map((s) => [s.rs.metadata?.name ?? '', s.replicas]));

describe('reconcileNewReplicaSet (newReplicaSetTarget)', () => {
  const cases = [
    { name: 'no surge: no scale up', d: 10, surge: 0, old: 10, cur: 0, want: undefined },
    { name: 'surge 2 over a full old RS', d: 10, surge: 2, old: 10, cur: 0, want: 2 },
    { name: 'surge 2 over half an old RS', d: 10, surge: 2, old: 5, cur: 0, want: 7 },
    { name: 'already surged', d: 10, surge: 2, old: 10, cur: 2, want: undefined },
    { name: 'too big: down to replicas', d: 10, surge: 2, old: 2, cur: 11, want: 10 },
  ];
  for (const c of cases)
    it(c.name, () => {
      const newRS = newReplicaSet('foo-v2', c.cur);
      const oldRS = newReplicaSet('foo-v1', c.old);
      const d = newDeployment('foo', c.d, { maxSurge: c.surge, maxUnavailable: 0 });
      assert.equal(newReplicaSetTarget(d, [newRS, oldRS], newRS), c.want);
    });
});

describe('reconcileOldReplicaSets (planReconcileOld)', () => {
  const cases = [
    { d: 10, unavail: 0, old: 10, cur: 0, oldReady: 10, newReady: 0, want: 9 },
    { d: 10, unavail: 2, old: 10, cur: 0, oldReady: 10, newReady: 0, want: 8 },
    // unhealthy old replicas are cleaned up first
    { d: 10, unavail: 2, old: 10, cur: 0, oldReady: 8, newReady: 0, want: 8 },
    // one unhealthy cleaned up, one ready scaled down
    { d: 10, unavail: 2, old: 10, cur: 0, oldReady: 9, newReady: 0, want: 8 },
    // unavailable new pods do not let old ones go further
    { d: 10, unavail: 2, old: 8, cur: 2, oldReady: 8, newReady: 0, want: undefined },
  ];
  for (const [i, c] of cases.entries())
    it(`scenario ${String(i)}: ${JSON.stringify(c)}`, () => {
      const newRS = newReplicaSet('foo-new', c.cur, { available: c.newReady });
      const oldRS = newReplicaSet('foo-old', c.old, { available: c.oldReady });
      const d = newDeployment('foo', c.d, { maxSurge: 0, maxUnavailable: c.unavail });
      const steps = planReconcileOld([oldRS, newRS], [oldRS], newRS, d);
      const last = steps.filter((s) => s.rs === oldRS).at(-1)?.replicas;
      assert.equal(last, c.want);
    });
});

describe('cleanupUnhealthyReplicas', () => {
  const cases = [
    { ready: 8, max: 1, want: 1 },
    { ready: 8, max: 3, want: 2 },
    { ready: 8, max: 0, want: 0 },
    { ready: 10, max: 3, want: 0 },
  ];
  for (const c of cases)
    it(`10 replicas, ${String(c.ready)} ready, at most ${String(c.max)}: ${String(c.want)}`, () => {
      const oldRS = newReplicaSet('foo-v2', 10, { available: c.ready });
      const steps = planCleanupUnhealthy([oldRS], c.max);
      assert.equal(
        steps.reduce((n, s) => n + 10 - s.replicas, 0),
        c.want,
      );
    });
});

describe('cleanupUnhealthyReplicas with a status older than the size', () => {
  // The cache shows the old RS scaled 4 -> 3 while its status still counts 4 available pods:
  // a step to 4 would be a scale-up past maxSurge (seen in e2e as 6 live pods of 4 + 1).
  it('throws instead of planning a scale-up', () => {
    const oldRS = newReplicaSet('foo-v1', 3, { available: 4 });
    assert.throws(() => planCleanupUnhealthy([oldRS], 1), StaleReplicaSetStatusError);
  });
  it('so does reconcileOldReplicaSets, and nothing is resized', () => {
    const oldRS = newReplicaSet('foo-v1', 3, { available: 4 });
    const newRS = newReplicaSet('foo-v2', 2, { available: 1 });
    const d = newDeployment('foo', 4, { maxSurge: 1, maxUnavailable: 1 });
    assert.throws(() => planReconcileOld([oldRS, newRS], [oldRS], newRS, d), /3 -> 4/);
  });
});

describe('scaleDownOldReplicaSetsForRollingUpdate', () => {
  const cases = [
    { unavail: 0, ready: 10, old: 10, want: 9 },
    { unavail: 2, ready: 10, old: 10, want: 8 },
    { unavail: 2, ready: 8, old: 10, want: undefined },
    { unavail: 2, ready: 10, old: 0, want: undefined },
    { unavail: 2, ready: 1, old: 10, want: undefined },
  ];
  for (const c of cases)
    it(JSON.stringify(c), () => {
      const oldRS = newReplicaSet('foo-v2', c.old, { available: c.ready });
      const d = newDeployment('foo', 10, { maxSurge: 0, maxUnavailable: c.unavail });
      const steps = planScaleDownOld([oldRS], [oldRS], d);
      assert.equal(steps[0]?.replicas, c.want);
    });
});

describe('scale (proportional scaling, sync_test.go TestScale)', () => {
  const newer = T0 + 2 * 3600_000;
  const old = T0 + 3600_000;
  const older = T0;
  const rs = (name: string, replicas: number, createdMs: number, available = replicas) =>
    newReplicaSet(name, replicas, { createdMs, available });
  const dep = (replicas: number, surge?: number, unavail?: number): Deployment =>
    newDeployment('foo', replicas, {
      maxSurge: surge ?? 0,
      maxUnavailable: unavail ?? 0,
    });
  const withTemplateChange = (replicas: number): Deployment => {
    const d = dep(replicas);
    d.spec!.template.metadata!.labels!['another'] = 'label';
    return d;
  };
  const cases: {
    name: string;
    d: Deployment;
    oldD: Deployment;
    newRS?: ReplicaSet;
    oldRSs: ReplicaSet[];
    want: Record<string, number>;
    desired?: Record<string, number>;
  }[] = [
    {
      name: 'normal scaling event: 10 -> 12',
      d: dep(12),
      oldD: dep(10),
      newRS: rs('foo-v1', 10, newer),
      oldRSs: [],
      want: { 'foo-v1': 12 },
    },
    {
      name: 'normal scaling event: 10 -> 5',
      d: dep(5),
      oldD: dep(10),
      newRS: rs('foo-v1', 10, newer),
      oldRSs: [],
      want: { 'foo-v1': 5 },
    },
    {
      name: 'proportional scaling: 5 -> 10',
      d: dep(10),
      oldD: dep(5),
      newRS: rs('foo-v2', 2, newer),
      oldRSs: [rs('foo-v1', 3, old)],
      want: { 'foo-v2': 4, 'foo-v1': 6 },
    },
    {
      name: 'proportional scaling: 5 -> 3',
      d: dep(3),
      oldD: dep(5),
      newRS: rs('foo-v2', 2, newer),
      oldRSs: [rs('foo-v1', 3, old)],
      want: { 'foo-v2': 1, 'foo-v1': 2 },
    },
    {
      name: 'proportional scaling: 9 -> 4',
      d: dep(4),
      oldD: dep(9),
      newRS: rs('foo-v2', 8, newer),
      oldRSs: [rs('foo-v1', 1, old)],
      want: { 'foo-v2': 4, 'foo-v1': 0 },
    },
    {
      name: 'proportional scaling: 7 -> 10',
      d: dep(10),
      oldD: dep(7),
      newRS: rs('foo-v3', 2, newer),
      oldRSs: [rs('foo-v2', 3, old), rs('foo-v1', 2, older)],
      want: { 'foo-v3': 3, 'foo-v2': 4, 'foo-v1': 3 },
    },
    {
      name: 'proportional scaling: 13 -> 8',
      d: dep(8),
      oldD: dep(13),
      newRS: rs('foo-v3', 2, newer),
      oldRSs: [rs('foo-v2', 8, old), rs('foo-v1', 3, older)],
      want: { 'foo-v3': 1, 'foo-v2': 5, 'foo-v1': 2 },
    },
    {
      name: 'leftover distribution: 3 -> 4 (the newest grows)',
      d: dep(4),
      oldD: dep(3),
      newRS: rs('foo-v3', 1, newer),
      oldRSs: [rs('foo-v2', 1, old), rs('foo-v1', 1, older)],
      want: { 'foo-v3': 2, 'foo-v2': 1, 'foo-v1': 1 },
    },
    {
      name: 'leftover distribution: 3 -> 2 (the oldest shrinks)',
      d: dep(2),
      oldD: dep(3),
      newRS: rs('foo-v3', 1, newer),
      oldRSs: [rs('foo-v2', 1, old), rs('foo-v1', 1, older)],
      want: { 'foo-v3': 1, 'foo-v2': 1, 'foo-v1': 0 },
    },
    {
      name: 'proportional scaling (no new rs): 4 -> 5',
      d: dep(5),
      oldD: dep(4),
      oldRSs: [rs('foo-v2', 2, old), rs('foo-v1', 2, older)],
      want: { 'foo-v2': 3, 'foo-v1': 2 },
    },
    {
      name: 'proportional scaling: 6 -> 0',
      d: dep(0),
      oldD: dep(6),
      newRS: rs('foo-v3', 3, newer),
      oldRSs: [rs('foo-v2', 2, old), rs('foo-v1', 1, older)],
      want: { 'foo-v3': 0, 'foo-v2': 0, 'foo-v1': 0 },
    },
    {
      name: 'proportional scaling: 0 -> 6 (the newest takes all)',
      d: dep(6),
      oldD: dep(6),
      newRS: rs('foo-v3', 0, newer),
      oldRSs: [rs('foo-v2', 0, old), rs('foo-v1', 0, older)],
      want: { 'foo-v3': 6 },
    },
    {
      name: 'failed rs update (annotations say 3)',
      d: dep(5),
      oldD: dep(5),
      newRS: rs('foo-v3', 2, newer),
      oldRSs: [rs('foo-v2', 1, old), rs('foo-v1', 1, older)],
      desired: { 'foo-v2': 3 },
      want: { 'foo-v2': 2 },
    },
    {
      name: 'deployment with surge pods',
      d: dep(20, 2),
      oldD: dep(10, 2),
      newRS: rs('foo-v2', 6, newer),
      oldRSs: [rs('foo-v1', 6, old)],
      want: { 'foo-v2': 11, 'foo-v1': 11 },
    },
    {
      name: 'change both surge and size',
      d: dep(50, 6),
      oldD: dep(10, 3),
      newRS: rs('foo-v2', 5, newer),
      oldRSs: [rs('foo-v1', 8, old)],
      want: { 'foo-v2': 22, 'foo-v1': 34 },
    },
    {
      name: 'change both size and template',
      d: withTemplateChange(14),
      oldD: dep(10),
      oldRSs: [rs('foo-v2', 7, newer), rs('foo-v1', 3, old)],
      want: { 'foo-v2': 10, 'foo-v1': 4 },
    },
    {
      name: 'saturated but broken new replica set does not affect old pods',
      d: dep(2, 1, 1),
      oldD: dep(2, 1, 1),
      newRS: rs('foo-v2', 2, newer, 0),
      oldRSs: [rs('foo-v1', 1, old)],
      want: {},
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const desiredOf = (r: ReplicaSet): number =>
        c.desired?.[r.metadata?.name ?? ''] ?? c.oldD.spec?.replicas ?? 0;
      for (const r of [...(c.newRS === undefined ? [] : [c.newRS]), ...c.oldRSs])
        setReplicasAnnotations(r, desiredOf(r), desiredOf(r) + maxSurge(c.oldD));
      const steps = planScale(c.d, c.newRS, c.oldRSs);
      const changed = Object.fromEntries(
        Object.entries(sizes(steps)).filter(([name, n]) => {
          const before = [c.newRS, ...c.oldRSs].find((r) => r?.metadata?.name === name);
          return before?.spec?.replicas !== n;
        }),
      );
      const wantChanged = Object.fromEntries(
        Object.entries(c.want).filter(([name, n]) => {
          const before = [c.newRS, ...c.oldRSs].find((r) => r?.metadata?.name === name);
          return before?.spec?.replicas !== n;
        }),
      );
      assert.deepEqual(changed, wantChanged);
    });
});
