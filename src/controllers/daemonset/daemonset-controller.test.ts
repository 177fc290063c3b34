// The DaemonSet controller against a real API server, on a fake clock: one pod per node, pinned
// there by node affinity; a failed daemon pod is replaced at once the first time, then only as
// upstream's per-node backoff allows (1 s, 2 s, ...: no create/fail/delete hot loop); a succeeded
// one is replaced at once. Events as upstream records them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { FakeClock } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import { DaemonSetController } from './daemonset-controller.ts';

describe('daemonset controller', () => {
  let f: ControllerFixture;
  const clock = new FakeClock();
  before(async () => {
    f = await newControllerFixture({ nodes: ['node-1', 'node-2'], clock });
    f.run([new DaemonSetController(f.ctx)]);
  });
  after(async () => {
    await f.stop();
  });

  const live = async (): Promise<Pod[]> =>
    (await f.pods('app=agent')).filter((p) => p.metadata?.deletionTimestamp == null);
  const runningOn = (node: string, notUid?: string): Promise<Pod> =>
    until(`a new daemon pod running on ${node}`, async () =>
      (await live()).find(
        (p) =>
          p.spec?.nodeName === node && p.status?.phase === 'Running' && p.metadata?.uid !== notUid,
      ),
    );
  /** The failed pod is still there after a while of real time (the controller had its chance). */
  const stillFailed = async (pod: Pod): Promise<void> => {
    await new Promise((r) => setTimeout(r, 300));
    const now = await f.get<Pod>(RESOURCES.pods, pod.metadata?.name ?? '');
    assert.equal(now.metadata?.uid, pod.metadata?.uid);
    assert.equal(now.status?.phase, 'Failed');
  };
  const fail = (pod: Pod, phase: 'Failed' | 'Succeeded' = 'Failed'): Promise<void> =>
    f.kubelet.finishPod('default', pod.metadata?.name ?? '', phase);

  it('runs one pod per node and replaces failed ones under a growing per-node backoff', async () => {
    await f.client.create<DaemonSet>(
      { ...RESOURCES.daemonSets, namespace: 'default' },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'c', image: 'busybox' }] },
          },
        },
      },
    );
    const first = await runningOn('node-1');
    const other = await runningOn('node-2');
    assert.equal((await live()).length, 2);
    const ds = await f.get<DaemonSet>(RESOURCES.daemonSets, 'agent');
    assert.equal(ds.status?.desiredNumberScheduled, 2);

    // Fails once: deleted and replaced at once, with upstream's event.
    await fail(first);
    const second = await runningOn('node-1', first.metadata?.uid);
    await f.waitEvent(
      'FailedDaemonPod',
      new RegExp(
        `^Found failed daemon pod default/${first.metadata?.name ?? ''} on node node-1, will try to kill it$`,
      ),
    );
    // Fails again within the 1 s backoff: it stays until the clock has moved 1 s.
    await fail(second);
    await stillFailed(second);
    clock.step(999);
    await stillFailed(second);
    clock.step(1);
    const third = await runningOn('node-1', second.metadata?.uid);
    // The next delay is 2 s.
    await fail(third);
    clock.step(1_000);
    await stillFailed(third);
    clock.step(1_000);
    await runningOn('node-1', third.metadata?.uid);
    // The backoff is per node: node-2's first failure is handled at once.
    await fail(other);
    await runningOn('node-2', other.metadata?.uid);
    assert.equal((await live()).filter((p) => p.status?.phase === 'Running').length, 2);
  });

  it('replaces a succeeded daemon pod at once', async () => {
    const pod = await runningOn('node-2');
    await fail(pod, 'Succeeded');
    await runningOn('node-2', pod.metadata?.uid);
    await f.waitEvent(
      'SucceededDaemonPod',
      new RegExp(
        `^Found succeeded daemon pod default/${pod.metadata?.name ?? ''} on node node-2, will try to delete it$`,
      ),
    );
    assert.ok(
      f.recorder.events.some((e) => e.reason === 'SuccessfulDelete' && e.kind === 'DaemonSet'),
    );
  });

  it('a DaemonSet re-created after its pods were orphaned adopts them instead of creating more', async () => {
    const ds = (name: string): DaemonSet => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'logs' } },
        template: {
          metadata: { labels: { app: 'logs' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    const DS = { ...RESOURCES.daemonSets, namespace: 'default' };
    const logsPods = async (): Promise<Pod[]> =>
      (await f.pods('app=logs')).filter((p) => p.metadata?.deletionTimestamp == null);
    await f.client.create<DaemonSet>(DS, ds('logs'));
    const first = await until('two daemon pods', async () => {
      const pods = await logsPods();
      return pods.length === 2 ? pods : undefined;
    });
    // What `kubectl delete ds logs --cascade=orphan` leaves: the pods, without the reference.
    await f.client.delete({ ...DS, name: 'logs' });
    await f.orphan(first);
    const created = f.recorder.events.filter((e) => e.reason === 'SuccessfulCreate').length;
    const again = await f.client.create<DaemonSet>(DS, ds('logs'));
    const adopted = await until('both pods adopted', async () => {
      const pods = await logsPods();
      return pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === again.metadata?.uid)
        ? pods
        : undefined;
    });
    assert.deepEqual(
      adopted.map((p) => p.metadata?.uid).sort(),
      first.map((p) => p.metadata?.uid).sort(),
    );
    await until('status counts the adopted pods', async () => {
      const cur = await f.get<DaemonSet>(RESOURCES.daemonSets, 'logs');
      return cur.status?.currentNumberScheduled === 2 ? cur : undefined;
    });
    assert.equal((await logsPods()).length, 2);
    assert.equal(f.recorder.events.filter((e) => e.reason === 'SuccessfulCreate').length, created);
  });
});
