// The Job controller against a real API server, the test finishing pods as a kubelet would:
// completions at a parallelism, backoffLimit, Indexed completion, the failure backoff, and the
// tracking finalizer released from every finished pod.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { RESOURCES } from '../controller.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import { JobController } from './job-controller.ts';
import { COMPLETION_INDEX_KEY, JOB_TRACKING_FINALIZER } from './job-status.ts';

const JOBS = { ...RESOURCES.jobs, namespace: 'default' };

function job(name: string, spec: Partial<NonNullable<Job['spec']>>): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' },
      },
      ...spec,
    },
  };
}

describe('job controller', () => {
  let f: ControllerFixture;
  before(async () => {
    f = await newControllerFixture();
    f.run([new JobController(f.ctx, { podFailureBackoffMs: 1500 })]);
  });
  after(async () => {
    await f.stop();
  });

  const getJob = (name: string) => f.client.get<Job>({ ...JOBS, name });
  const running = async (name: string, n: number): Promise<Pod[]> =>
    until(`${name}: ${String(n)} running`, async () => {
      const pods = (await f.pods(`job-name=${name}`)).filter(
        (p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp == null,
      );
      return pods.length === n ? pods : undefined;
    });
  const condition = (name: string, type: string) =>
    until(`${name} ${type}`, async () => {
      const j = await getJob(name);
      return j.status?.conditions?.some((c) => c.type === type && c.status === 'True')
        ? j
        : undefined;
    });

  it('runs completions at most parallelism at a time, then Complete', async () => {
    await f.client.create(JOBS, job('work', { completions: 3, parallelism: 2 }));
    const first = await running('work', 2);
    for (const p of first)
      await f.kubelet.finishPod('default', p.metadata?.name ?? '', 'Succeeded');
    const last = await until('third pod', async () => {
      const pods = (await f.pods('job-name=work')).filter((p) => p.status?.phase === 'Running');
      return pods.length === 1 ? pods : undefined;
    });
    await f.kubelet.finishPod('default', last[0]?.metadata?.name ?? '', 'Succeeded');
    const done = await condition('work', 'Complete');
    assert.deepEqual(
      [done.status?.succeeded, done.status?.active, typeof done.status?.completionTime],
      [3, 0, 'string'],
    );
    await f.waitEvent('Completed', /^Job completed$/);
    const pods = await f.pods('job-name=work');
    assert.equal(pods.length, 3);
    assert.ok(
      pods.every((p) => !(p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)),
      'every finished pod released',
    );
  });

  it('fails with BackoffLimitExceeded once failures pass backoffLimit, waiting between attempts', async () => {
    await f.client.create(JOBS, job('flaky', { backoffLimit: 1 }));
    const [p1] = await running('flaky', 1);
    await f.kubelet.finishPod('default', p1?.metadata?.name ?? '', 'Failed');
    // The replacement waits out the 1.5 s backoff, counted from finishedAt (whole seconds).
    const t0 = Date.now();
    const [p2] = await running('flaky', 1);
    assert.ok(Date.now() - t0 >= 400, `replacement after ${String(Date.now() - t0)} ms`);
    assert.notEqual(p2?.metadata?.name, p1?.metadata?.name);
    await f.kubelet.finishPod('default', p2?.metadata?.name ?? '', 'Failed');
    const failed = await condition('flaky', 'Failed');
    const cond = failed.status?.conditions?.find((c) => c.type === 'Failed');
    assert.deepEqual([cond?.reason, failed.status?.failed], ['BackoffLimitExceeded', 2]);
    await f.waitEvent('BackoffLimitExceeded', /^Job has reached the specified backoff limit$/);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal((await f.pods('job-name=flaky')).length, 2, 'no pod after the Job failed');
  });

  it('Indexed: one pod per index, completedIndexes as upstream prints them', async () => {
    await f.client.create(
      JOBS,
      job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }),
    );
    const pods = await running('idx', 3);
    const indexes = pods.map((p) => p.metadata?.annotations?.[COMPLETION_INDEX_KEY]).sort();
    assert.deepEqual(indexes, ['0', '1', '2']);
    assert.ok(pods.every((p) => p.spec?.hostname?.startsWith('idx-')));
    for (const p of pods) await f.kubelet.finishPod('default', p.metadata?.name ?? '', 'Succeeded');
    const done = await condition('idx', 'Complete');
    assert.deepEqual([done.status?.completedIndexes, done.status?.succeeded], ['0-2', 3]);
  });
});
