/**
 * The real `@kubernetes/client-node@1.4.0` against k8ts over HTTPS with client certificates:
 * list, create/read/patch/delete, and an informer that survives a closed watch and a 410
 * Expired (history compacted while it was away) by relisting, as its cache implementation does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';

async function until(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('@kubernetes/client-node 1.4.0', () => {
  let fixture: ApiServerFixture;
  const store = new MemoryStore();
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  before(async () => {
    fixture = await startApiServerFixture(store);
    kc = new k8s.KubeConfig();
    kc.loadFromFile(fixture.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
  });
  after(async () => {
    await fixture.stop();
  });

  it('lists, creates, reads, patches and deletes', async () => {
    const namespaces = await core.listNamespace();
    assert.ok(namespaces.items.some((n) => n.metadata?.name === 'kube-system'));
    const created = await core.createNamespacedConfigMap({
      namespace: 'cn',
      body: { metadata: { name: 'cm1' }, data: { a: 'b' } },
    });
    assert.equal(created.metadata?.name, 'cm1');
    assert.ok(created.metadata.uid);
    const read = await core.readNamespacedConfigMap({ name: 'cm1', namespace: 'cn' });
    assert.deepEqual(read.data, { a: 'b' });
    const patched = await core.patchNamespacedConfigMap(
      { name: 'cm1', namespace: 'cn', body: [{ op: 'add', path: '/data/c', value: 'd' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    assert.deepEqual(patched.data, { a: 'b', c: 'd' });
    const merged = await core.patchNamespacedConfigMap(
      { name: 'cm1', namespace: 'cn', body: { data: { e: 'f' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { a: 'b', c: 'd', e: 'f' });
    await core.deleteNamespacedConfigMap({ name: 'cm1', namespace: 'cn' });
    await assert.rejects(
      core.readNamespacedConfigMap({ name: 'cm1', namespace: 'cn' }),
      (err: unknown) => {
        assert.equal((err as { code?: number }).code, 404);
        return true;
      },
    );
  });

  it('keeps an informer cache in sync across a closed watch and a 410 relist', async () => {
    const path = '/api/v1/namespaces/cn/configmaps';
    const informer = k8s.makeInformer(kc, path, () =>
      core.listNamespacedConfigMap({ namespace: 'cn' }),
    );
    const seen = new Set<string>();
    informer.on('add', (obj) => seen.add(obj.metadata?.name ?? ''));
    let stopped = false;
    informer.on('error', () => {
      // client-node stops the informer on a connection error; restart it, as its docs advise.
      setTimeout(() => {
        if (!stopped) void informer.start();
      }, 200);
    });
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'i1' } } });
      await until('i1 in the cache', () =>
        informer.list('cn').some((o) => o.metadata?.name === 'i1'),
      );
      // Close every open watch from the server side: the informer re-watches from its last RV.
      await fixture.server.stop();
      await fixture.server.start();
      await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'i2' } } });
      await until('i2 after a closed watch', () =>
        informer.list('cn').some((o) => o.metadata?.name === 'i2'),
      );
      // Write and compact history while the server is down: re-watching from the informer's old
      // resourceVersion gets 410 Expired, and the informer relists.
      await fixture.server.stop();
      for (const name of ['i4', 'i5']) {
        const obj = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name,
            namespace: 'cn',
            uid: `u-${name}`,
            creationTimestamp: '2026-01-01T00:00:00Z',
          },
        };
        await store.create(`/registry/configmaps/cn/${name}`, Buffer.from(JSON.stringify(obj)));
      }
      await store.compact(await store.currentRevision());
      await fixture.server.start();
      await until('i4 after a 410 relist', () =>
        informer.list('cn').some((o) => o.metadata?.name === 'i4'),
      );
      assert.ok(seen.has('i1') && seen.has('i2') && seen.has('i4'));
    } finally {
      stopped = true;
      await informer.stop();
    }
  });
});
