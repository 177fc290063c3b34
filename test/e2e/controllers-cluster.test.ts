/**
 * The namespace, serviceaccount, garbagecollector, podgc, endpoint and endpointslice
 * controllers against a real in-process API server: `kubectl delete namespace` completes and
 * takes the namespace's content with it; every namespace gets a `default` ServiceAccount;
 * Background, Foreground and Orphan deletion of an owner treat its dependents as upstream; a
 * Service with a selector gets Endpoints and EndpointSlices of its Ready pods. Every wait is
 * bounded; all traffic stays on 127.0.0.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type {
  ConfigMap,
  Endpoints,
  Namespace,
  Pod,
  ServiceAccount,
} from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import { RestClient, isNotFound, realClock } from '../../src/client/index.ts';
import type { KubeObject, ObjectRef } from '../../src/client/index.ts';
import type { Controller, ControllerContext } from '../../src/controllers/controller.ts';
import { RESOURCES } from '../../src/controllers/controller.ts';
import { ApiEventRecorder } from '../../src/controllers/event-recorder.ts';
import { SharedInformerFactory } from '../../src/controllers/informer-factory.ts';
import { NamespaceController } from '../../src/controllers/namespace/namespace-controller.ts';
import { ServiceAccountsController } from '../../src/controllers/serviceaccount/serviceaccounts-controller.ts';
import { GarbageCollector } from '../../src/controllers/garbagecollector/garbage-collector.ts';
import { PodGCController } from '../../src/controllers/podgc/podgc-controller.ts';
import { EndpointsController } from '../../src/controllers/endpoint/endpoints-controller.ts';
import { EndpointSliceController } from '../../src/controllers/endpointslice/endpointslice-controller.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

async function gone(client: RestClient, ref: ObjectRef): Promise<true | undefined> {
  try {
    await client.get(ref);
    return undefined;
  } catch (err: unknown) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

const cm = (namespace: string, name: string, ownerReferences?: OwnerReference[]): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, ...(ownerReferences === undefined ? {} : { ownerReferences }) },
  data: { k: 'v' },
});

const newPod = (namespace: string, name: string, labels: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: {
    containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
});

describe('namespace, serviceaccount, garbagecollector, podgc and endpoints controllers', () => {
  const store = new MemoryStore();
  let fixture: ApiServerFixture;
  let client: RestClient;
  const stop = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  let informers: SharedInformerFactory;

  before(async () => {
    fixture = await startApiServerFixture(store);
    client = RestClient.fromKubeconfig(readFileSync(fixture.kubeconfigPath, 'utf8'), {
      component: 'controllers-e2e',
    });
    informers = new SharedInformerFactory({ client });
    const ctx: ControllerContext = {
      client,
      informers,
      events: new ApiEventRecorder({
        client,
        component: 'kube-controller-manager',
        clock: realClock,
        signal: stop.signal,
      }),
      clock: realClock,
      log: (level, message, fields) => {
        if (process.env['K8TS_TEST_LOG'] === '1')
          process.stderr.write(`${level} ${message} ${JSON.stringify(fields ?? {})}\n`);
      },
    };
    const controllers: Controller[] = [
      new NamespaceController(ctx),
      new ServiceAccountsController(ctx),
      new GarbageCollector(ctx),
      new PodGCController(ctx, {
        checkPeriodMs: 200,
        quarantineMs: 200,
        terminatedPodThreshold: 2,
      }),
      new EndpointsController(ctx),
      new EndpointSliceController(ctx),
    ];
    running = Promise.all(controllers.map((c) => c.run(stop.signal)));
    informers.start(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await informers.stopped();
    client.close();
    await fixture.stop();
  });

  const createNs = (name: string): Promise<Namespace> =>
    client.create<Namespace>(RESOURCES.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });

  it('gives a new namespace a default ServiceAccount, and re-creates it when deleted', async () => {
    await createNs('sa-test');
    const ref = { ...RESOURCES.serviceAccounts, namespace: 'sa-test', name: 'default' };
    const first = await until('default SA', () => client.get<ServiceAccount>(ref));
    await client.delete(ref);
    await until('default SA re-created', async () => {
      const sa = await client.get<ServiceAccount>(ref);
      return sa.metadata?.uid !== first.metadata?.uid ? sa : undefined;
    });
  });

  it(
    'kubectl delete namespace completes once its content is gone',
    { skip: !hasKubectl('1.33') },
    async () => {
      await createNs('doomed');
      await client.create({ ...RESOURCES.configMaps, namespace: 'doomed' }, cm('doomed', 'a'));
      await client.create({ ...RESOURCES.configMaps, namespace: 'doomed' }, cm('doomed', 'b'));
      await client.create(
        { ...RESOURCES.pods, namespace: 'doomed' },
        newPod('doomed', 'p', { app: 'x' }),
      );
      const res = await kubectl(
        '1.33',
        fixture.kubeconfigPath,
        ['delete', 'namespace', 'doomed', '--timeout=30s'],
        undefined,
        40_000,
      );
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /namespace "doomed" deleted/);
      assert.equal(await gone(client, { ...RESOURCES.namespaces, name: 'doomed' }), true);
      const left = await client.list({ ...RESOURCES.configMaps, namespace: 'doomed' });
      assert.equal(left.items.length, 0);
      const pods = await client.list({ ...RESOURCES.pods, namespace: 'doomed' });
      assert.equal(pods.items.length, 0);
    },
  );

  it('waits for content with finalizers, reporting it in the namespace conditions', async () => {
    await createNs('held');
    await client.create(
      { ...RESOURCES.configMaps, namespace: 'held' },
      {
        ...cm('held', 'pinned'),
        metadata: { name: 'pinned', namespace: 'held', finalizers: ['example.com/hold'] },
      },
    );
    await client.delete({ ...RESOURCES.namespaces, name: 'held' });
    const ns = await until('FinalizersRemaining condition', async () => {
      const n = await client.get<Namespace>({ ...RESOURCES.namespaces, name: 'held' });
      const c = n.status?.conditions?.find((x) => x.type === 'NamespaceFinalizersRemaining');
      return c?.status === 'True' ? n : undefined;
    });
    const byType = new Map((ns.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(
      byType.get('NamespaceContentRemaining')?.message,
      'Some resources are remaining: configmaps has 1 resource instances',
    );
    assert.equal(
      byType.get('NamespaceFinalizersRemaining')?.message,
      'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    );
    assert.equal(byType.get('NamespaceDeletionDiscoveryFailure')?.status, 'False');
    // Release the finalizer: the namespace goes.
    const pinned = await client.get<ConfigMap>({
      ...RESOURCES.configMaps,
      namespace: 'held',
      name: 'pinned',
    });
    await client.update(
      { ...RESOURCES.configMaps, namespace: 'held', name: 'pinned' },
      { ...pinned, metadata: { ...pinned.metadata, finalizers: [] } },
    );
    await until(
      'namespace held deleted',
      () => gone(client, { ...RESOURCES.namespaces, name: 'held' }),
      30_000,
    );
  });

  describe('garbage collection', () => {
    const ns = 'gc';
    const cms = { ...RESOURCES.configMaps, namespace: ns };
    before(async () => {
      await createNs(ns);
    });

    async function ownerWithDependents(prefix: string, block: boolean): Promise<ConfigMap> {
      const owner = await client.create<ConfigMap>(cms, cm(ns, `${prefix}-owner`));
      const ref: OwnerReference = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: owner.metadata?.name ?? '',
        uid: owner.metadata?.uid ?? '',
        ...(block ? { blockOwnerDeletion: true } : {}),
      };
      await client.create(cms, cm(ns, `${prefix}-dep1`, [ref]));
      await client.create(cms, cm(ns, `${prefix}-dep2`, [ref]));
      return owner;
    }

    it('Background: the owner goes at once, its dependents after', async () => {
      await ownerWithDependents('bg', false);
      await client.delete({ ...cms, name: 'bg-owner' }, { propagationPolicy: 'Background' });
      await until(
        'bg dependents deleted',
        async () =>
          (await gone(client, { ...cms, name: 'bg-dep1' })) &&
          (await gone(client, { ...cms, name: 'bg-dep2' })),
      );
    });

    it('Foreground: blocking dependents go first, then the owner', async () => {
      await ownerWithDependents('fg', true);
      await client.delete({ ...cms, name: 'fg-owner' }, { propagationPolicy: 'Foreground' });
      await until('fg owner deleted', () => gone(client, { ...cms, name: 'fg-owner' }));
      assert.equal(await gone(client, { ...cms, name: 'fg-dep1' }), true);
      assert.equal(await gone(client, { ...cms, name: 'fg-dep2' }), true);
    });

    it('Foreground: a dependent held by a finalizer holds the owner', async () => {
      const owner = await client.create<ConfigMap>(cms, cm(ns, 'hold-owner'));
      const ref: OwnerReference = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'hold-owner',
        uid: owner.metadata?.uid ?? '',
        blockOwnerDeletion: true,
      };
      await client.create(cms, {
        ...cm(ns, 'hold-dep', [ref]),
        metadata: {
          name: 'hold-dep',
          namespace: ns,
          ownerReferences: [ref],
          finalizers: ['example.com/hold'],
        },
      });
      await client.delete({ ...cms, name: 'hold-owner' }, { propagationPolicy: 'Foreground' });
      await until('dependent being deleted', async () => {
        const d = await client.get<ConfigMap>({ ...cms, name: 'hold-dep' });
        return d.metadata?.deletionTimestamp != null ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 300));
      const o = await client.get<ConfigMap>({ ...cms, name: 'hold-owner' });
      assert.deepEqual(o.metadata?.finalizers, ['foregroundDeletion']);
      const d = await client.get<ConfigMap>({ ...cms, name: 'hold-dep' });
      await client.update(
        { ...cms, name: 'hold-dep' },
        { ...d, metadata: { ...d.metadata, finalizers: [] } },
      );
      await until('held owner deleted', () => gone(client, { ...cms, name: 'hold-owner' }));
    });

    it('Orphan: the owner goes, its dependents stay without the reference', async () => {
      await ownerWithDependents('or', true);
      await client.delete({ ...cms, name: 'or-owner' }, { propagationPolicy: 'Orphan' });
      await until('or owner deleted', () => gone(client, { ...cms, name: 'or-owner' }));
      for (const n of ['or-dep1', 'or-dep2']) {
        const d = await client.get<ConfigMap>({ ...cms, name: n });
        assert.deepEqual(d.metadata?.ownerReferences ?? [], [], n);
      }
    });

    it('a dependent of an owner uid that no longer exists goes, even if the name was re-used', async () => {
      const old = await client.create<ConfigMap>(cms, cm(ns, 'reused'));
      await client.delete({ ...cms, name: 'reused' });
      await client.create(cms, cm(ns, 'reused'));
      await client.create(
        cms,
        cm(ns, 'stale-dep', [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'reused', uid: old.metadata?.uid ?? '' },
        ]),
      );
      await until('stale dependent deleted', () => gone(client, { ...cms, name: 'stale-dep' }));
      await client.get({ ...cms, name: 'reused' });
    });

    it('a dependent with one live owner and one gone loses only the dangling reference', async () => {
      const live = await client.create<ConfigMap>(cms, cm(ns, 'live-owner'));
      await client.create(
        cms,
        cm(ns, 'two-owners', [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: 'live-owner',
            uid: live.metadata?.uid ?? '',
          },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: 'never',
            uid: '00000000-0000-0000-0000-000000000001',
          },
        ]),
      );
      const d = await until('dangling reference removed', async () => {
        const x = await client.get<ConfigMap>({ ...cms, name: 'two-owners' });
        return x.metadata?.ownerReferences?.length === 1 ? x : undefined;
      });
      assert.equal(d.metadata?.ownerReferences?.[0]?.uid, live.metadata?.uid);
    });
  });

  describe('pod garbage collection', () => {
    const ns = 'podgc';
    before(async () => {
      await createNs(ns);
    });

    it('deletes pods bound to a node that does not exist, and terminated pods over the threshold', async () => {
      const pods = { ...RESOURCES.pods, namespace: ns };
      await client.create(pods, {
        ...newPod(ns, 'orphan', {}),
        spec: { ...newPod(ns, 'orphan', {}).spec!, nodeName: 'no-such-node' },
      });
      await until('orphaned pod deleted', () => gone(client, { ...pods, name: 'orphan' }));
      for (const name of ['t1', 't2', 't3', 't4']) {
        await client.create(pods, newPod(ns, name, {}));
        const p = await client.get<Pod>({ ...pods, name });
        await client.update(
          { ...pods, name, subresource: 'status' },
          { ...p, status: { ...p.status, phase: 'Succeeded' } },
        );
        await new Promise((r) => setTimeout(r, 1100)); // distinct creationTimestamps
      }
      await until('terminated pods down to 2', async () => {
        const l = await client.list<Pod>(pods);
        return l.items.length === 2 ? l : undefined;
      });
      const left = (await client.list<Pod>(pods)).items.map((p) => p.metadata?.name).sort();
      assert.deepEqual(left, ['t3', 't4']);
    });
  });

  describe('endpoints and endpointslices', () => {
    const ns = 'web';
    before(async () => {
      await createNs(ns);
    });

    async function readyPod(name: string, ip: string, ready: boolean): Promise<void> {
      const pods = { ...RESOURCES.pods, namespace: ns };
      await client.create(pods, {
        ...newPod(ns, name, { app: 'web' }),
        spec: { ...newPod(ns, name, {}).spec!, nodeName: 'n1' },
      });
      const p = await client.get<Pod>({ ...pods, name });
      await client.update(
        { ...pods, name, subresource: 'status' },
        {
          ...p,
          status: {
            phase: 'Running',
            podIP: ip,
            podIPs: [{ ip }],
            conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
          },
        },
      );
    }

    it('lists ready pods as addresses and the rest as notReadyAddresses, ports resolved by name', async () => {
      // The node exists, so podgc leaves these pods alone.
      await client.create(RESOURCES.nodes, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n1' },
      });
      await client.create({ ...RESOURCES.services, namespace: ns }, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      } as KubeObject);
      await readyPod('a', '10.0.0.1', true);
      await readyPod('b', '10.0.0.2', false);
      const ep = await until('endpoints', async () => {
        const e = await client.get<Endpoints>({
          ...RESOURCES.endpoints,
          namespace: ns,
          name: 'web',
        });
        const s = e.subsets?.[0];
        return s?.addresses?.length === 1 && s.notReadyAddresses?.length === 1 ? e : undefined;
      });
      const subset = ep.subsets![0]!;
      assert.equal(subset.addresses![0]!.ip, '10.0.0.1');
      assert.equal(subset.addresses![0]!.nodeName, 'n1');
      assert.equal(subset.addresses![0]!.targetRef?.name, 'a');
      assert.equal(subset.notReadyAddresses![0]!.ip, '10.0.0.2');
      assert.deepEqual(subset.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);

      const slice = await until('endpointslice', async () => {
        const l = await client.list<EndpointSlice>(
          { ...RESOURCES.endpointSlices, namespace: ns },
          {
            labelSelector: 'kubernetes.io/service-name=web',
          },
        );
        const s = l.items[0];
        return l.items.length === 1 && s?.endpoints.length === 2 ? s : undefined;
      });
      assert.equal(
        slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'],
        'endpointslice-controller.k8s.io',
      );
      assert.equal(slice.addressType, 'IPv4');
      assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
      const byIp = new Map(slice.endpoints.map((e) => [e.addresses[0], e.conditions]));
      assert.deepEqual(byIp.get('10.0.0.1'), { ready: true, serving: true, terminating: false });
      assert.deepEqual(byIp.get('10.0.0.2'), { ready: false, serving: false, terminating: false });
      assert.equal(slice.metadata.ownerReferences?.[0]?.kind, 'Service');
    });

    it('leaves the API server’s own default/kubernetes Endpoints alone', async () => {
      const before = await client.list<Endpoints>({ ...RESOURCES.endpoints, namespace: 'default' });
      await new Promise((r) => setTimeout(r, 300));
      const after = await client.list<Endpoints>({ ...RESOURCES.endpoints, namespace: 'default' });
      assert.deepEqual(
        after.items.map((e) => e.metadata?.resourceVersion),
        before.items.map((e) => e.metadata?.resourceVersion),
      );
      const slices = await client.list<EndpointSlice>(
        { ...RESOURCES.endpointSlices, namespace: 'default' },
        {
          labelSelector: 'endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io',
        },
      );
      assert.equal(slices.items.length, 0);
    });
  });
});
