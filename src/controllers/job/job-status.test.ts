// The Job controller's pure core: when a Job is done or failed, what it creates next
// (NonIndexed and Indexed), index sets as upstream prints them, restart counting for
// OnFailure, and the failure backoff (backoff_utils.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { T0, iso, newJob, newPod } from '../testing/builders.ts';
import {
  COMPLETION_INDEX_KEY,
  JOB_TRACKING_FINALIZER,
  censusOf,
  finishTarget,
  formatIndexes,
  parseIndexes,
  pastBackoffLimitOnFailure,
  planPods,
} from './job-status.ts';
import { nextBackoffRecord, remainingBackoffMs } from './pod-failure-backoff.ts';

const withStatus = (job: Job, status: NonNullable<Job['status']>): Job => ({ ...job, status });
const indexed = (i: number, o: Parameters<typeof newPod>[1] = {}): Pod => {
  const p = newPod(`p${String(i)}`, { node: 'n', ready: true, ...o });
  return {
    ...p,
    metadata: { ...p.metadata, annotations: { [COMPLETION_INDEX_KEY]: String(i) } },
  };
};

describe('completed indexes', () => {
  const cases: [number[], string][] = [
    [[], ''],
    [[0], '0'],
    [[1, 2], '1,2'],
    [[0, 1, 2], '0-2'],
    [[0, 1, 2, 4, 6, 7, 8, 9], '0-2,4,6-9'],
  ];
  for (const [list, text] of cases)
    it(`${JSON.stringify(list)} <-> "${text}"`, () => {
      assert.equal(formatIndexes(list), text);
      assert.deepEqual(parseIndexes(text), list);
    });
});

describe('finishTarget', () => {
  const now = T0 + 100_000;
  const cases: {
    name: string;
    job: Job;
    succeeded: number;
    failed: number;
    active: number;
    want: string | undefined;
  }[] = [
    {
      name: 'running',
      job: newJob('j', { completions: 3 }),
      succeeded: 1,
      failed: 0,
      active: 1,
      want: undefined,
    },
    {
      name: 'completions reached',
      job: newJob('j', { completions: 3 }),
      succeeded: 3,
      failed: 0,
      active: 0,
      want: 'success',
    },
    {
      name: 'backoffLimit not yet passed',
      job: newJob('j', { backoffLimit: 2 }),
      succeeded: 0,
      failed: 2,
      active: 1,
      want: undefined,
    },
    {
      name: 'backoffLimit passed',
      job: newJob('j', { backoffLimit: 2 }),
      succeeded: 0,
      failed: 3,
      active: 0,
      want: 'BackoffLimitExceeded',
    },
    {
      name: 'backoffLimit 0, one failure',
      job: newJob('j', { backoffLimit: 0 }),
      succeeded: 0,
      failed: 1,
      active: 0,
      want: 'BackoffLimitExceeded',
    },
    {
      name: 'work queue (no completions): one success and none running',
      job: newJob('j', { parallelism: 2 }),
      succeeded: 1,
      failed: 0,
      active: 0,
      want: 'success',
    },
    {
      name: 'work queue: one success, one still running',
      job: newJob('j', { parallelism: 2 }),
      succeeded: 1,
      failed: 0,
      active: 1,
      want: undefined,
    },
    {
      name: 'activeDeadlineSeconds passed',
      job: withStatus(
        {
          ...newJob('j', { completions: 1 }),
          spec: { ...newJob('j').spec!, activeDeadlineSeconds: 10 },
        },
        { startTime: iso(T0) },
      ),
      succeeded: 0,
      failed: 0,
      active: 1,
      want: 'DeadlineExceeded',
    },
    {
      name: 'Indexed: all indexes done',
      job: withStatus(newJob('j', { completions: 3, indexed: true }), { completedIndexes: '0-2' }),
      succeeded: 3,
      failed: 0,
      active: 0,
      want: 'success',
    },
    {
      name: 'Indexed: one index missing',
      job: withStatus(newJob('j', { completions: 3, indexed: true }), { completedIndexes: '0,2' }),
      succeeded: 2,
      failed: 0,
      active: 1,
      want: undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const t = finishTarget(c.job, c.succeeded, c.failed, c.active, now);
      assert.equal(
        t === undefined ? undefined : t.kind === 'success' ? 'success' : t.reason,
        c.want,
      );
    });

  it('restartPolicy OnFailure counts container restarts against backoffLimit', () => {
    const base = newJob('j', { backoffLimit: 2 });
    const job: Job = {
      ...base,
      spec: {
        ...base.spec!,
        template: {
          ...base.spec!.template,
          spec: { ...base.spec!.template.spec!, restartPolicy: 'OnFailure' },
        },
      },
    };
    const restarting = (n: number) => newPod('p', { node: 'n', restarts: n });
    assert.equal(pastBackoffLimitOnFailure(job, [restarting(1)]), false);
    assert.equal(pastBackoffLimitOnFailure(job, [restarting(1), restarting(1)]), true);
    assert.equal(finishTarget(job, 0, 0, 1, T0, [restarting(2)])?.kind, 'failure');
    assert.equal(
      pastBackoffLimitOnFailure(newJob('j', { backoffLimit: 0 }), [restarting(5)]),
      false,
    );
  });
});

describe('manageJob (planPods)', () => {
  const active = (n: number): Pod[] =>
    Array.from({ length: n }, (_, i) =>
      newPod(`a${String(i)}`, { node: 'n', ready: i % 2 === 0, createdMs: T0 + i * 1000 }),
    );
  const cases = [
    {
      name: 'start: parallelism pods',
      job: newJob('j', { completions: 5, parallelism: 2 }),
      active: 0,
      succeeded: 0,
      create: 2,
      del: 0,
    },
    {
      name: 'never more than the remaining completions',
      job: newJob('j', { completions: 5, parallelism: 3 }),
      active: 0,
      succeeded: 4,
      create: 1,
      del: 0,
    },
    {
      name: 'at parallelism',
      job: newJob('j', { completions: 5, parallelism: 2 }),
      active: 2,
      succeeded: 1,
      create: 0,
      del: 0,
    },
    {
      name: 'parallelism lowered: excess deleted',
      job: newJob('j', { completions: 5, parallelism: 1 }),
      active: 3,
      succeeded: 0,
      create: 0,
      del: 2,
    },
    {
      name: 'work queue: after a success, no new pods',
      job: newJob('j', { parallelism: 3 }),
      active: 1,
      succeeded: 1,
      create: 0,
      del: 0,
    },
    {
      name: 'work queue: start',
      job: newJob('j', { parallelism: 3 }),
      active: 0,
      succeeded: 0,
      create: 3,
      del: 0,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const plan = planPods(c.job, active(c.active), c.succeeded, 0);
      assert.deepEqual([plan.createCount, plan.deletePods.length], [c.create, c.del]);
    });

  it('deletes not-ready and newer pods first', () => {
    const plan = planPods(newJob('j', { completions: 5, parallelism: 1 }), active(3), 0, 0);
    assert.deepEqual(
      plan.deletePods.map((p) => p.metadata?.name),
      ['a1', 'a2'],
    );
  });

  it('podReplacementPolicy Failed: a terminating pod holds its replacement back', () => {
    const base = newJob('j', { completions: 2, parallelism: 2 });
    const job: Job = { ...base, spec: { ...base.spec!, podReplacementPolicy: 'Failed' } };
    assert.equal(planPods(job, active(1), 0, 1).createCount, 0);
    assert.equal(planPods(base, active(1), 0, 1).createCount, 1);
  });

  it('Indexed: creates the missing indexes up to parallelism, deletes duplicates and done ones', () => {
    const job = withStatus(newJob('j', { completions: 5, parallelism: 3, indexed: true }), {
      completedIndexes: '0',
    });
    const plan = planPods(job, [indexed(1), indexed(1), indexed(0)], 1, 0);
    assert.deepEqual(plan.createIndexes, [2, 3]);
    assert.equal(plan.deletePods.length, 2);
  });
});

describe('censusOf', () => {
  it('splits pods into active, terminating and finished-with-finalizer', () => {
    const job = newJob('j');
    const fin = (p: Pod): Pod => ({
      ...p,
      metadata: { ...p.metadata, finalizers: [JOB_TRACKING_FINALIZER] },
    });
    const c = censusOf(job, [
      fin(newPod('ok', { node: 'n', phase: 'Succeeded' })),
      fin(newPod('bad', { node: 'n', phase: 'Failed' })),
      newPod('counted', { node: 'n', phase: 'Failed' }),
      fin(newPod('run', { node: 'n', ready: true })),
      fin(newPod('going', { node: 'n', deleting: true })),
    ]);
    assert.deepEqual(
      c.active.map((p) => p.metadata?.name),
      ['run'],
    );
    assert.equal(c.ready, 1);
    assert.equal(c.terminating, 1);
    // A pod deleted before it succeeded counts as failed (podReplacementPolicy unset).
    assert.deepEqual(
      c.finishedWithFinalizer.map((x) => [x.pod.metadata?.name, x.succeeded]),
      [
        ['ok', true],
        ['bad', false],
        ['going', false],
      ],
    );
  });
});

describe('pod failure backoff', () => {
  const failedAt = (ms: number): Pod => {
    const p = newPod('f', { node: 'n', phase: 'Failed' });
    return {
      ...p,
      status: {
        ...p.status,
        containerStatuses: [
          {
            name: 'c',
            image: '',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 1, finishedAt: iso(ms) } },
          },
        ],
      },
    };
  };
  const succeededAt = (ms: number): Pod => {
    const p = failedAt(ms);
    return { ...p, status: { ...p.status, phase: 'Succeeded' } };
  };
  it('doubles from 10 s per failure since the last success, counted from the last failure', () => {
    let r = nextBackoffRecord(undefined, [], [failedAt(T0)], T0);
    assert.equal(remainingBackoffMs(r, T0), 10_000);
    assert.equal(remainingBackoffMs(r, T0 + 4_000), 6_000);
    r = nextBackoffRecord(r, [], [failedAt(T0 + 5_000)], T0 + 5_000);
    assert.equal(remainingBackoffMs(r, T0 + 5_000), 20_000);
    r = nextBackoffRecord(r, [], [failedAt(T0 + 6_000), failedAt(T0 + 7_000)], T0 + 7_000);
    assert.equal(remainingBackoffMs(r, T0 + 7_000), 80_000);
    assert.equal(remainingBackoffMs(r, T0 + 200_000), 0);
  });
  it('is capped at 6 min', () => {
    const r = { failuresAfterLastSuccess: 20, lastFailureMs: T0 };
    assert.equal(remainingBackoffMs(r, T0), 360_000);
  });
  it('a success resets it, keeping only failures after that success', () => {
    const r0 = { failuresAfterLastSuccess: 4, lastFailureMs: T0 };
    assert.equal(
      remainingBackoffMs(nextBackoffRecord(r0, [succeededAt(T0 + 1000)], [], T0 + 1000), T0 + 1000),
      0,
    );
    const r1 = nextBackoffRecord(r0, [succeededAt(T0 + 1000)], [failedAt(T0 + 2000)], T0 + 2000);
    assert.equal(r1.failuresAfterLastSuccess, 1);
  });
});
