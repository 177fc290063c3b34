/**
 * EtcdStore against etcd serving clients over TLS with client-certificate auth (kubeadm's
 * stacked etcd): the store works with the CA and a client certificate, and without a client
 * certificate it fails with StoreUnavailableError in bounded time instead of hanging.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdCluster } from '../../../test/harness/etcd-cluster.ts';
import { StoreUnavailableError } from '../errors.ts';
import { collectEvents } from '../store-contract.ts';
import { EtcdStore } from './etcd-store.ts';

let cluster: EtcdCluster | undefined;
const opened: EtcdStore[] = [];

before(async () => {
  cluster = await EtcdCluster.start({ members: 1, tls: true });
});

after(async () => {
  for (const s of opened) await s.close();
  await cluster?.stop();
});

describe('EtcdStore over TLS', () => {
  it('reads, writes and watches with the CA and a client certificate', async () => {
    const tls = cluster!.clientTls!;
    const store = new EtcdStore({ endpoints: cluster!.endpoints, keyPrefix: '/tls', tls });
    opened.push(store);
    assert.ok(cluster!.endpoints.every((e) => e.startsWith('https://')));
    const since = await store.currentRevision();
    const events = await collectEvents(
      store,
      '/registry/x/',
      1,
      { sinceRevision: since },
      async () => {
        await store.create('/registry/x/a', Buffer.from('secret'));
      },
    );
    assert.equal(events.find((e) => e.type === 'ADDED')?.kv.key, '/registry/x/a');
    assert.equal(Buffer.from((await store.get('/registry/x/a')).kv!.value).toString(), 'secret');
  });

  it('fails with StoreUnavailableError, in bounded time, without a client certificate', async () => {
    const store = new EtcdStore({
      endpoints: cluster!.endpoints,
      keyPrefix: '/tls',
      tls: { ca: cluster!.clientTls!.ca },
      requestTimeoutMs: 1_000,
    });
    opened.push(store);
    const started = Date.now();
    await assert.rejects(store.get('/registry/x/a'), StoreUnavailableError);
    assert.ok(Date.now() - started < 2_000);
  });
});
