/**
 * k8ts's shared informer against a real in-process API server: add/update/delete events with
 * the final state on delete, an indexed cache, re-watching from the last resourceVersion after
 * the server drops every connection (no relist), and a relist after 410 Expired (history
 * compacted while the server was down) that reports the deletes it missed as
 * DeletedFinalStateUnknown tombstones.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ConfigMap } from 'kubernetes-types/core/v1.d.ts';
import {
  DeletedFinalStateUnknown,
  NAMESPACE_INDEX,
  RestClient,
  SharedInformer,
  byNamespace,
  listWatchFor,
} from '../../src/client/index.ts';
import type { ListerWatcher, ResourceRef } from '../../src/client/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const configmaps: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };
const inNs = (namespace: string): ResourceRef => ({ ...configmaps, namespace });

/** Counts the informer's lists and records where each watch starts. */
function recording(lw: ListerWatcher<ConfigMap>) {
  const log = { lists: 0, watchFrom: [] as string[] };
  const wrapped: ListerWatcher<ConfigMap> = {
    list: (call) => {
      if (call.continue === undefined) log.lists++;
      return lw.list(call);
    },
    watch: (call) => {
      log.watchFrom.push(call.resourceVersion);
      return lw.watch(call);
    },
  };
  return { lw: wrapped, log };
}

describe('SharedInformer against a real API server', () => {
  const store = new MemoryStore();
  let fixture: ApiServerFixture;
  let client: RestClient;

  before(async () => {
    // No controllers: the informer must see only the ConfigMaps this test writes (no
    // kube-root-ca.crt), and no pods are created.
    fixture = await startApiServerFixture(store, {
      bookmarkIntervalMs: 500,
      serviceAccountControllers: false,
    });
    client = RestClient.fromKubeconfig(readFileSync(fixture.kubeconfigPath, 'utf8'), {
      component: 'informer-e2e',
    });
    for (const name of ['inf-a', 'inf-b'])
      await client.create(
        { group: '', version: 'v1', plural: 'namespaces' },
        { metadata: { name } },
      );
  });
  after(async () => {
    client.close();
    await fixture.stop();
  });

  it('delivers adds, updates and deletes (with the final state) and keeps an indexed cache', async () => {
    await client.create(inNs('inf-a'), { metadata: { name: 'pre' } });
    const informer = SharedInformer.forResource<ConfigMap>(client, configmaps, {
      indexers: { [NAMESPACE_INDEX]: byNamespace },
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const events: string[] = [];
    informer.addEventHandler({
      onAdd: (o, initial) =>
        events.push(`add ${o.metadata?.name ?? ''}${initial ? ' (initial)' : ''}`),
      onUpdate: (_old, o) =>
        events.push(`update ${o.metadata?.name ?? ''} ${JSON.stringify(o.data)}`),
      onDelete: (o) =>
        events.push(
          o instanceof DeletedFinalStateUnknown
            ? `tombstone ${o.key}`
            : `delete ${o.metadata?.name ?? ''} ${JSON.stringify(o.data)}`,
        ),
    });
    const ac = new AbortController();
    const run = informer.run(ac.signal);
    try {
      assert.equal(await informer.waitForCacheSync(AbortSignal.timeout(10_000)), true);
      assert.deepEqual(events, ['add pre (initial)']);
      await client.create(inNs('inf-b'), { metadata: { name: 'x' } });
      await client.patch({ ...inNs('inf-b'), name: 'x' }, { data: { v: '1' } }, { type: 'merge' });
      await client.patch({ ...inNs('inf-b'), name: 'x' }, { data: { v: '2' } }, { type: 'merge' });
      await client.delete({ ...inNs('inf-b'), name: 'x' });
      await until('the delete', () => events.some((e) => e.startsWith('delete x')));
      assert.deepEqual(events.slice(1), [
        'add x',
        'update x {"v":"1"}',
        'update x {"v":"2"}',
        'delete x {"v":"2"}',
      ]);
      assert.deepEqual(
        informer.indexer.byIndex(NAMESPACE_INDEX, 'inf-a').map((o) => o.metadata?.name),
        ['pre'],
      );
      assert.deepEqual(informer.indexer.byIndex(NAMESPACE_INDEX, 'inf-b'), []);
    } finally {
      ac.abort();
      await run;
    }
  });

  it('re-watches from the last RV after the server drops its connections, then relists after a 410 with tombstones', async () => {
    const { lw, log } = recording(listWatchFor<ConfigMap>(client, inNs('inf-a')));
    // Read through a call: assert.equal narrows a plain property to its asserted value.
    const lists = (): number => log.lists;
    const errors: string[] = [];
    const informer = new SharedInformer<ConfigMap>(lw, {
      backoff: { initialMs: 50, maxMs: 200 },
      onError: (err) => errors.push(err instanceof Error ? err.message : String(err)),
    });
    const seen = new Set<string>();
    const tombstones: DeletedFinalStateUnknown<ConfigMap>[] = [];
    informer.addEventHandler({
      onAdd: (o) => seen.add(o.metadata?.name ?? ''),
      onDelete: (o) => {
        if (o instanceof DeletedFinalStateUnknown) tombstones.push(o);
      },
    });
    const ac = new AbortController();
    const run = informer.run(ac.signal);
    try {
      assert.equal(await informer.waitForCacheSync(AbortSignal.timeout(10_000)), true);
      await client.create(inNs('inf-a'), { metadata: { name: 'doomed' } });
      await until('doomed', () => seen.has('doomed'));
      const rvBeforeRestart = informer.lastSyncResourceVersion;

      // Every connection (and so the watch) is closed; the informer re-watches where it was.
      await fixture.server.stop();
      await fixture.server.start();
      await client.create(inNs('inf-a'), { metadata: { name: 'after-restart' } });
      await until('after-restart', () => seen.has('after-restart'));
      assert.equal(lists(), 1, 'no relist after a dropped watch');
      assert.ok(log.watchFrom.includes(rvBeforeRestart), `re-watched from ${rvBeforeRestart}`);

      // While the server is down: one object deleted, one created, history compacted. The
      // re-watch gets 410; the relist finds the new one and misses the delete: a tombstone.
      await fixture.server.stop();
      await store.delete('/registry/configmaps/inf-a/doomed');
      const obj = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'while-down',
          namespace: 'inf-a',
          uid: 'u-while-down',
          creationTimestamp: '2026-01-01T00:00:00Z',
        },
      };
      await store.create('/registry/configmaps/inf-a/while-down', Buffer.from(JSON.stringify(obj)));
      await store.compact(await store.currentRevision());
      await fixture.server.start();
      await until('while-down after the relist', () => seen.has('while-down'));
      await until('tombstone', () => tombstones.length === 1);
      const tombstone = tombstones[0]!;
      assert.equal(tombstone.key, 'inf-a/doomed');
      assert.equal(tombstone.obj.metadata?.name, 'doomed');
      assert.equal(informer.indexer.getByKey('inf-a/doomed'), undefined);
      assert.ok(lists() >= 2, 'relisted after 410');
      assert.ok(
        errors.some((e) => /too old|expired|compacted/i.test(e)),
        errors.join('\n'),
      );
      // Back to watching: later writes arrive as events.
      await client.create(inNs('inf-a'), { metadata: { name: 'final' } });
      await until('final', () => seen.has('final'));
    } finally {
      ac.abort();
      await run;
    }
  });
});
