// The StatefulSet controller against a real API server: pods appear one at a time in ordinal
// order, each only once the previous one is Ready, and go in reverse order; status follows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.d.ts';
import { RESOURCES } from '../controller.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import { StatefulSetController } from './statefulset-controller.ts';

const STS = { ...RESOURCES.statefulSets, namespace: 'default' };

describe('statefulset controller', () => {
  let f: ControllerFixture;
  before(async () => {
    f = await newControllerFixture();
    f.run([new StatefulSetController(f.ctx)]);
  });
  after(async () => {
    await f.stop();
  });

  const names = async (): Promise<string[]> =>
    (await f.pods('app=web'))
      .filter((p) => p.metadata?.deletionTimestamp == null)
      .map((p) => p.metadata?.name ?? '')
      .sort();

  it('creates web-0..2 in order, each after the previous is Ready, and deletes in reverse', async () => {
    const held = new Set(['web-0', 'web-1', 'web-2']);
    f.kubelet.holdReady = (p) => held.has(p.metadata?.name ?? '');
    await f.client.create<StatefulSet>(STS, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    for (const [i, name] of ['web-0', 'web-1', 'web-2'].entries()) {
      const expected = ['web-0', 'web-1', 'web-2'].slice(0, i + 1);
      await until(`${name} created`, async () => {
        const n = await names();
        return n.length === expected.length ? n : undefined;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await names(), expected, `nothing beyond ${name} while it is not Ready`);
      held.delete(name);
      f.kubelet.resync(f.signal);
    }
    await until('status: 3 ready', async () => {
      const s = await f.client.get<StatefulSet>({ ...STS, name: 'web' });
      return s.status?.readyReplicas === 3 && s.status.currentRevision === s.status.updateRevision
        ? s
        : undefined;
    });
    const before = f.recorder.events.length;
    await f.client.patch({ ...STS, name: 'web' }, { spec: { replicas: 0 } }, { type: 'merge' });
    await until('all gone', async () => ((await names()).length === 0 ? true : undefined));
    const deletes = f.recorder.events
      .slice(before)
      .filter((e) => e.reason === 'SuccessfulDelete')
      .map((e) => e.message);
    assert.deepEqual(deletes, [
      'delete Pod web-2 in StatefulSet web successful',
      'delete Pod web-1 in StatefulSet web successful',
      'delete Pod web-0 in StatefulSet web successful',
    ]);
    const creates = f.recorder.events.filter((e) => e.reason === 'SuccessfulCreate');
    assert.deepEqual(
      creates.map((e) => e.message),
      [0, 1, 2].map((i) => `create Pod web-${String(i)} in StatefulSet web successful`),
    );
  });

  it('a StatefulSet re-created after its pods were orphaned adopts them, and only its own ordinals', async () => {
    const sts = (): StatefulSet => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const dbPods = async () =>
      (await f.pods('app=db')).filter((p) => p.metadata?.deletionTimestamp == null);
    await f.client.create<StatefulSet>(STS, sts());
    const first = await until('db-0 and db-1 ready', async () => {
      const s = await f.client.get<StatefulSet>({ ...STS, name: 'db' });
      return s.status?.readyReplicas === 2 ? dbPods() : undefined;
    });
    // A stray pod with the right labels but not one of db's names is never adopted.
    await f.client.create(
      { ...RESOURCES.pods, namespace: 'default' },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'stray', namespace: 'default', labels: { app: 'db' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    );
    // What `kubectl delete sts db --cascade=orphan` leaves: the pods, without the reference.
    await f.client.delete({ ...STS, name: 'db' });
    await f.orphan(first);
    const created = f.recorder.events.filter((e) => e.reason === 'SuccessfulCreate').length;
    const again = await f.client.create<StatefulSet>(STS, sts());
    await until('db-0 and db-1 adopted, status ready', async () => {
      const s = await f.client.get<StatefulSet>({ ...STS, name: 'db' });
      const owned = (await dbPods()).filter(
        (p) => p.metadata?.ownerReferences?.[0]?.uid === again.metadata?.uid,
      );
      return owned.length === 2 && s.status?.readyReplicas === 2 ? owned : undefined;
    });
    const stray = (await dbPods()).find((p) => p.metadata?.name === 'stray');
    assert.equal(stray?.metadata?.ownerReferences, undefined);
    assert.deepEqual((await dbPods()).map((p) => p.metadata?.name).sort(), [
      'db-0',
      'db-1',
      'stray',
    ]);
    assert.equal(f.recorder.events.filter((e) => e.reason === 'SuccessfulCreate').length, created);
  });
});
