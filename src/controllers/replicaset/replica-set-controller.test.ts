// The ReplicaSet controller against a real API server: replicas kept exactly (no double
// creation from a stale cache), scale-down takes the not-ready pod first, orphans are adopted
// and pods that stop matching released, deleted pods are replaced, with upstream's events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { RESOURCES } from '../controller.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import { ReplicaSetController } from './replica-set-controller.ts';

const RSS = { ...RESOURCES.replicaSets, namespace: 'default' };
const PODS = { ...RESOURCES.pods, namespace: 'default' };

function replicaSet(name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
}

describe('replicaset controller', () => {
  let f: ControllerFixture;
  before(async () => {
    f = await newControllerFixture();
    f.run([new ReplicaSetController(f.ctx)]);
  });
  after(async () => {
    await f.stop();
  });

  const live = async (app: string): Promise<Pod[]> =>
    (await f.pods(`app=${app}`)).filter((p) => p.metadata?.deletionTimestamp == null);
  const settled = (app: string, n: number) =>
    until(`${app}: ${String(n)} ready pods and status`, async () => {
      const rs = await f.client.get<ReplicaSet>({ ...RSS, name: app });
      const pods = await live(app);
      return pods.length === n &&
        rs.status?.readyReplicas === n &&
        rs.status.availableReplicas === n &&
        rs.status.observedGeneration === rs.metadata?.generation
        ? pods
        : undefined;
    });

  it('creates exactly spec.replicas pods, never more, with SuccessfulCreate events', async () => {
    await f.client.create(RSS, replicaSet('web', 5));
    const pods = await settled('web', 5);
    assert.ok(pods.every((p) => p.metadata?.ownerReferences?.[0]?.name === 'web'));
    // Stays at 5: the controller does not create again from a cache that lags its writes.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await f.pods('app=web')).length, 5);
    const creates = f.recorder.events.filter(
      (e) => e.name === 'web' && e.reason === 'SuccessfulCreate',
    );
    assert.equal(creates.length, 5);
    assert.match(creates[0]?.message ?? '', /^Created pod: web-[a-z0-9]{5}$/);
  });

  it('scaling down deletes the not-ready pod first', async () => {
    await f.client.create(RSS, replicaSet('down', 3));
    const pods = await settled('down', 3);
    const victim = pods[1]?.metadata?.name ?? '';
    // The victim turns not ready (its kubelet reports it so).
    f.kubelet.holdReady = (p) => p.metadata?.name === victim;
    f.kubelet.resync(f.signal);
    await until('victim not ready', async () => {
      const p = await f.client.get<Pod>({ ...PODS, name: victim });
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False'
        ? p
        : undefined;
    });
    await f.client.patch({ ...RSS, name: 'down' }, { spec: { replicas: 2 } }, { type: 'merge' });
    await f.waitEvent('SuccessfulDelete', new RegExp(`^Deleted pod: ${victim}$`));
    f.kubelet.holdReady = () => false;
    const left = await settled('down', 2);
    assert.ok(!left.some((p) => p.metadata?.name === victim));
  });

  it('adopts a matching orphan instead of creating, and releases a pod that stops matching', async () => {
    await f.client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', namespace: 'default', labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await f.client.create(RSS, replicaSet('adopt', 2));
    const pods = await settled('adopt', 2);
    const orphan = pods.find((p) => p.metadata?.name === 'orphan');
    assert.equal(orphan?.metadata?.ownerReferences?.[0]?.name, 'adopt');
    // Relabel it: the ReplicaSet lets it go and makes another.
    await f.client.patch(
      { ...PODS, name: 'orphan' },
      { metadata: { labels: { app: 'elsewhere' } } },
      { type: 'merge' },
    );
    await until('orphan released', async () => {
      const p = await f.client.get<Pod>({ ...PODS, name: 'orphan' });
      return (p.metadata?.ownerReferences ?? []).length === 0 ? p : undefined;
    });
    const after = await settled('adopt', 2);
    assert.ok(!after.some((p) => p.metadata?.name === 'orphan'));
  });

  it('replaces a deleted pod', async () => {
    await f.client.create(RSS, replicaSet('heal', 2));
    const [first] = await settled('heal', 2);
    await f.client.delete(
      { ...PODS, name: first?.metadata?.name ?? '' },
      { gracePeriodSeconds: 0 },
    );
    const after = await until('replacement', async () => {
      const pods = await live('heal');
      return pods.length === 2 && !pods.some((p) => p.metadata?.uid === first?.metadata?.uid)
        ? pods
        : undefined;
    });
    assert.equal(after.length, 2);
  });

  it('in a terminating namespace, creates that fail are dropped without FailedCreate events', async () => {
    const ns = 'doomed';
    await f.client.create(
      { ...RESOURCES.namespaces },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    );
    const rss = { ...RESOURCES.replicaSets, namespace: ns };
    const rs = replicaSet('late', 0);
    await f.client.create(rss, { ...rs, metadata: { name: 'late', namespace: ns } });
    // No namespace controller runs here: the namespace stays Terminating with its content.
    await f.client.delete({ ...RESOURCES.namespaces, name: ns });
    await f.client.patch({ ...rss, name: 'late' }, { spec: { replicas: 2 } }, { type: 'merge' });
    await until('the scale-up was seen', async () => {
      const cur = await f.client.get<ReplicaSet>({ ...rss, name: 'late' });
      return cur.status?.observedGeneration === cur.metadata?.generation ? cur : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    const pods = await f.client.list<Pod>({ ...RESOURCES.pods, namespace: ns });
    assert.equal(pods.items.length, 0);
    assert.deepEqual(
      f.recorder.events.filter((e) => e.name === 'late' && e.reason === 'FailedCreate'),
      [],
    );
  });
});
