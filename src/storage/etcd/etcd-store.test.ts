/**
 * The Store contract on EtcdStore over one real 3-member etcd cluster (started once for the
 * file), each test on a fresh key prefix; then what only etcd has: prefix isolation, history
 * shared with other clients, compaction by someone else, progress from etcd's notifications.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { EtcdCluster } from '../../../test/harness/etcd-cluster.ts';
import { StoreTooLargeError } from '../errors.ts';
import { collectEvents, runStoreContract } from '../store-contract.ts';
import { MAX_VALUE_BYTES } from '../store.ts';
import { EtcdStore } from './etcd-store.ts';
import type { EtcdStoreOptions } from './etcd-store.ts';

let cluster: EtcdCluster | undefined;
const opened: EtcdStore[] = [];
const runId = randomBytes(4).toString('hex');
let prefixes = 0;

before(async () => {
  cluster = await EtcdCluster.start();
});

function newStore(options: Partial<EtcdStoreOptions> = {}): EtcdStore {
  if (cluster === undefined) throw new Error('etcd cluster not started');
  prefixes++;
  const store = new EtcdStore({
    endpoints: cluster.endpoints,
    keyPrefix: `/k8ts-test-${runId}-${String(prefixes).padStart(4, '0')}`,
    ...options,
  });
  opened.push(store);
  return store;
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

runStoreContract(
  'etcd',
  () => {
    const store = newStore();
    return Promise.resolve({ store, cleanup: () => store.close() });
  },
  { bulkKeys: 200 },
);

describe('EtcdStore on etcd', () => {
  it('keeps stores with different key prefixes apart and strips the prefix', async () => {
    const a = newStore();
    const b = newStore();
    await a.create('/registry/x/k', enc('a'));
    await b.create('/registry/x/k', enc('b'));
    const listed = await a.list('/registry/x/');
    assert.deepEqual(
      listed.items.map((kv) => [kv.key, Buffer.from(kv.value).toString()]),
      [['/registry/x/k', 'a']],
    );
    assert.equal(await b.count('/registry/'), 1);
  });

  it('shares one history with other clients of the cluster', async () => {
    const s = newStore({ keyPrefix: `/k8ts-raw-${runId}` });
    const raw = new Etcd3({ hosts: cluster!.endpoints });
    try {
      const kv = await s.create('/a', enc('1'));
      const fromRaw = await raw.get(`/k8ts-raw-${runId}/a`).exec();
      assert.equal(Number(fromRaw.kvs[0]?.mod_revision), kv.modRevision);
      // Another client's write races a watch "from now": watch from a revision read first.
      const since = await s.currentRevision();
      const events = await collectEvents(s, '/', 1, { sinceRevision: since }, async () => {
        await raw.put(`/k8ts-raw-${runId}/b`).value('2');
      });
      assert.equal(events.find((e) => e.type === 'ADDED')?.kv.key, '/b');
    } finally {
      raw.close();
    }
  });

  it('reports a compaction made by another client', async () => {
    const s = newStore();
    const other = newStore();
    const a = await s.create('/registry/x/a', enc('1'));
    await s.update('/registry/x/a', enc('2'), a.modRevision);
    const now = await s.currentRevision();
    await other.compact(now);
    assert.equal(await s.compactedRevision(), now);
  });

  it('advances PROGRESS past writes elsewhere (etcd progress notifications)', async () => {
    const s = newStore();
    const kv = await s.create('/registry/x/a', enc('1'));
    const elsewhere = await s.create('/registry/other/b', enc('1'));
    const ac = new AbortController();
    const timer = setTimeout(() => {
      ac.abort();
    }, 5000);
    let best = 0;
    try {
      for await (const e of s.watch('/registry/x/', {
        signal: ac.signal,
        sinceRevision: kv.modRevision,
        progressIntervalMs: 100,
      })) {
        assert.equal(e.type, 'PROGRESS');
        best = e.revision;
        if (best >= elsewhere.modRevision) break;
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    assert.ok(best >= elsewhere.modRevision, `progress stuck at ${String(best)}`);
  });

  it('refuses a value at the limit when etcd (default --max-request-bytes) would', async () => {
    const s = newStore();
    await assert.rejects(
      s.create('/registry/x/at-limit', new Uint8Array(MAX_VALUE_BYTES)),
      StoreTooLargeError,
    );
    assert.equal((await s.get('/registry/x/at-limit')).kv, undefined);
  });
});

after(async () => {
  for (const s of opened) await s.close();
  await cluster?.stop();
});
