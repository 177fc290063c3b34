// The Deployment and ReplicaSet controllers together against a real API server (MemoryStore),
// with a fake kubelet that binds pods and makes them Ready: creation, a rolling update held to
// maxSurge/maxUnavailable at every observed state, Recreate, rollback to an old template,
// history cleanup, pause, scaling, and a broken Deployment retried with backoff (no hot loop).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import { ReplicaSetController } from '../replicaset/replica-set-controller.ts';
import { isPodReady } from '../util/pod-readiness.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import { DeploymentController } from './deployment-controller.ts';
import { computeHash } from './pod-template-hash.ts';
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION } from './revision-annotations.ts';

const DEPLOYS = { ...RESOURCES.deployments, namespace: 'default' };
const RSS = { ...RESOURCES.replicaSets, namespace: 'default' };

function deployment(
  name: string,
  replicas: number,
  extra: Partial<Deployment['spec']> = {},
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
      },
      ...extra,
    },
  };
}

describe('deployment controller', () => {
  let f: ControllerFixture;
  const logs: { message: string; fields: Record<string, unknown> }[] = [];

  before(async () => {
    f = await newControllerFixture();
    const ctx = {
      ...f.ctx,
      log: (_level: string, message: string, fields?: Record<string, unknown>) => {
        logs.push({ message, fields: fields ?? {} });
      },
    };
    f.run([new DeploymentController(ctx), new ReplicaSetController(ctx)]);
  });
  after(async () => {
    await f.stop();
  });

  const getD = (name: string) => f.client.get<Deployment>({ ...DEPLOYS, name });
  const rsOf = async (name: string): Promise<ReplicaSet[]> =>
    (await f.client.list<ReplicaSet>(RSS, { labelSelector: `app=${name}` })).items;
  const setImage = async (name: string, image: string): Promise<void> => {
    await f.client.patch(
      { ...DEPLOYS, name },
      { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } },
      { type: 'strategic' },
    );
  };
  const complete = (name: string, replicas: number, timeoutMs = 15_000) =>
    until(
      `${name} complete`,
      async () => {
        const d = await getD(name);
        const s = d.status;
        const progressing = s?.conditions?.find((c) => c.type === 'Progressing');
        return s?.updatedReplicas === replicas &&
          s.availableReplicas === replicas &&
          s.replicas === replicas &&
          (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
          progressing?.reason === 'NewReplicaSetAvailable'
          ? d
          : undefined;
      },
      timeoutMs,
    );

  it('creates <name>-<pod-template-hash> at revision 1 and becomes Available, with upstream events', async () => {
    const d = await f.client.create<Deployment>(DEPLOYS, deployment('web', 3));
    const done = await complete('web', 3);
    const rsName = `web-${computeHash(d.spec!.template)}`;
    const [rs] = await rsOf('web');
    assert.deepEqual(
      {
        name: rs?.metadata?.name,
        revision: rs?.metadata?.annotations?.[REVISION_ANNOTATION],
        owner: rs?.metadata?.ownerReferences?.[0]?.kind,
      },
      { name: rsName, revision: '1', owner: 'Deployment' },
    );
    assert.equal(done.metadata?.annotations?.[REVISION_ANNOTATION], '1');
    const available = done.status?.conditions?.find((c) => c.type === 'Available');
    assert.deepEqual(
      { status: available?.status, reason: available?.reason },
      { status: 'True', reason: 'MinimumReplicasAvailable' },
    );
    await f.waitEvent(
      'ScalingReplicaSet',
      new RegExp(`^Scaled up replica set ${rsName} from 0 to 3$`),
    );
    await f.waitEvent('SuccessfulCreate', new RegExp(`^Created pod: ${rsName}-[a-z0-9]{5}$`));
    const pods = await f.pods('app=web');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.metadata?.labels?.['pod-template-hash'] === rsName.slice(4)));
  });

  it('rolls out within maxSurge=1 / maxUnavailable=0 at every observed state', async () => {
    await f.client.create(
      DEPLOYS,
      deployment('roll', 4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    );
    await complete('roll', 4);
    // Watch every pod state from here on: never more than 5 pods, never fewer than 4 ready.
    let maxPods = 0;
    let minReady = Infinity;
    const watch = new AbortController();
    const podInformer = SharedInformer.forResource<Pod>(
      f.client,
      { ...RESOURCES.pods, namespace: 'default' },
      { labelSelector: 'app=roll' },
    );
    const observe = (): void => {
      const pods = podInformer.indexer.list().filter((p) => p.metadata?.deletionTimestamp == null);
      maxPods = Math.max(maxPods, pods.length);
      minReady = Math.min(minReady, pods.filter(isPodReady).length);
    };
    podInformer.addEventHandler({ onAdd: observe, onUpdate: observe, onDelete: observe });
    const running = podInformer.run(watch.signal);
    await podInformer.waitForCacheSync(watch.signal);
    // New pods stay unready: the rollout must stop at one surge pod.
    f.kubelet.holdReady = (p) => p.spec?.containers[0]?.image === 'nginx:2';
    await setImage('roll', 'nginx:2');
    await until('surge pod created', async () => {
      const pods = await f.pods('app=roll');
      return pods.length === 5 ? pods : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    const rss = await rsOf('roll');
    const sizes = rss.map((r) => r.spec?.replicas).sort();
    assert.deepEqual(sizes, [1, 4], 'one new pod, four old ones, and no further');
    f.kubelet.holdReady = () => false;
    f.kubelet.resync(f.signal);
    const done = await complete('roll', 4);
    watch.abort();
    await running;
    assert.ok(maxPods <= 5, `at most replicas+maxSurge pods (saw ${String(maxPods)})`);
    assert.ok(minReady >= 4, `never below replicas-maxUnavailable ready (saw ${String(minReady)})`);
    assert.equal(done.metadata?.annotations?.[REVISION_ANNOTATION], '2');
    const after = await rsOf('roll');
    assert.deepEqual(after.map((r) => r.spec?.replicas).sort(), [0, 4]);
  });

  it('Recreate: the old pods are gone before the new ReplicaSet scales up', async () => {
    await f.client.create(DEPLOYS, deployment('rec', 2, { strategy: { type: 'Recreate' } }));
    await complete('rec', 2);
    const before = f.recorder.events.length;
    await setImage('rec', 'nginx:2');
    await complete('rec', 2);
    const scaling = f.recorder.events
      .slice(before)
      .filter(
        (e) => e.kind === 'Deployment' && e.name === 'rec' && e.reason === 'ScalingReplicaSet',
      )
      .map((e) => e.message.replace(/rec-[a-z0-9]+/, 'RS'));
    assert.deepEqual(scaling, [
      'Scaled down replica set RS to 0 from 2',
      'Scaled up replica set RS from 0 to 2',
    ]);
  });

  it('a rollback to an old template reuses its ReplicaSet under a new revision', async () => {
    await f.client.create(DEPLOYS, deployment('undo', 2));
    await complete('undo', 2);
    const [v1] = await rsOf('undo');
    await setImage('undo', 'nginx:2');
    await complete('undo', 2);
    await setImage('undo', 'nginx:1');
    const d = await complete('undo', 2);
    const rss = await rsOf('undo');
    assert.equal(rss.length, 2);
    const reused = rss.find((r) => r.metadata?.uid === v1?.metadata?.uid);
    assert.deepEqual(
      {
        replicas: reused?.spec?.replicas,
        revision: reused?.metadata?.annotations?.[REVISION_ANNOTATION],
        history: reused?.metadata?.annotations?.[REVISION_HISTORY_ANNOTATION],
      },
      { replicas: 2, revision: '3', history: '1' },
    );
    assert.equal(d.metadata?.annotations?.[REVISION_ANNOTATION], '3');
  });

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    await f.client.create(DEPLOYS, deployment('hist', 1, { revisionHistoryLimit: 1 }));
    await complete('hist', 1);
    for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
      await setImage('hist', image);
      await complete('hist', 1);
    }
    const rss = await until('history trimmed', async () => {
      const l = await rsOf('hist');
      return l.length === 2 ? l : undefined;
    });
    assert.deepEqual(rss.map((r) => r.metadata?.annotations?.[REVISION_ANNOTATION]).sort(), [
      '3',
      '4',
    ]);
  });

  it('a paused Deployment rolls nothing out until resumed, and scales in place', async () => {
    await f.client.create(DEPLOYS, deployment('pause', 2));
    await complete('pause', 2);
    await f.client.patch(
      { ...DEPLOYS, name: 'pause' },
      { spec: { paused: true } },
      { type: 'merge' },
    );
    await setImage('pause', 'nginx:2');
    await until('DeploymentPaused', async () => {
      const d = await getD('pause');
      const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' ? d : undefined;
    });
    await f.client.patch(
      { ...DEPLOYS, name: 'pause' },
      { spec: { replicas: 3 } },
      { type: 'merge' },
    );
    await until('paused scale to 3', async () => {
      const l = await rsOf('pause');
      return l.length === 1 && l[0]?.spec?.replicas === 3 ? l : undefined;
    });
    await f.client.patch(
      { ...DEPLOYS, name: 'pause' },
      { spec: { paused: false } },
      { type: 'merge' },
    );
    await complete('pause', 3);
    assert.equal((await rsOf('pause')).length, 2);
  });

  it('scales up and down', async () => {
    await f.client.create(DEPLOYS, deployment('scale', 1));
    await complete('scale', 1);
    await f.client.patch(
      { ...DEPLOYS, name: 'scale' },
      { spec: { replicas: 4 } },
      { type: 'merge' },
    );
    await complete('scale', 4);
    await f.client.patch(
      { ...DEPLOYS, name: 'scale' },
      { spec: { replicas: 1 } },
      { type: 'merge' },
    );
    await complete('scale', 1);
    await until('pods down to 1', async () => {
      const pods = (await f.pods('app=scale')).filter((p) => p.metadata?.deletionTimestamp == null);
      return pods.length === 1 ? pods : undefined;
    });
    await f.waitEvent('ScalingReplicaSet', /^Scaled down replica set scale-[a-z0-9]+ to 1 from 4$/);
  });

  it('a Deployment whose ReplicaSet cannot be created is retried with backoff, not hot-looped', async () => {
    // A valid Deployment name whose ReplicaSet name (<name>-<hash>) is too long for the API.
    const name = `x${'a'.repeat(245)}`;
    const long = deployment('long', 1);
    await f.client.create(DEPLOYS, { ...long, metadata: { ...long.metadata, name } });
    const d = await until('ReplicaSetCreateError', async () => {
      const x = await getD(name);
      const c = x.status?.conditions?.find((y) => y.type === 'Progressing');
      return c?.reason === 'ReplicaSetCreateError' ? x : undefined;
    });
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.status, 'False');
    const failures = () => logs.filter((l) => l.fields['key'] === `default/${name}`).length;
    const first = failures();
    await new Promise((r) => setTimeout(r, 2000));
    // The rate limiter doubles from 5 ms: about 9 retries in 2 s, never hundreds.
    const retries = failures() - first;
    assert.ok(retries >= 1 && retries <= 12, `retries in 2 s: ${String(retries)}`);
  });
});
