/**
 * EtcdStore under failures of a real 3-member etcd cluster: a leader crash during writes, an
 * endpoint nobody (or a mute process) listens on, the whole cluster dying under a watch, a
 * rolling restart under a watch, two clients on one history, and an oversized value. Every
 * loop is bounded in count and time, and the cluster is stopped in `after` whatever happens.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { EtcdCluster } from '../../../test/harness/etcd-cluster.ts';
import { freePort } from '../../../test/harness/free-port.ts';
import { StoreAlreadyExistsError, StoreTooLargeError, StoreUnavailableError } from '../errors.ts';
import { collectEvents } from '../store-contract.ts';
import { MAX_VALUE_BYTES } from '../store.ts';
import type { WatchEvent } from '../store.ts';
import { EtcdStore } from './etcd-store.ts';
import type { EtcdStoreOptions } from './etcd-store.ts';
import { Writer, retry, waitUntil } from './etcd-test-fixtures.ts';

let cluster: EtcdCluster | undefined;
const opened: EtcdStore[] = [];
const runId = randomBytes(4).toString('hex');
let prefixes = 0;

before(async () => {
  cluster = await EtcdCluster.start();
});

after(async () => {
  for (const s of opened) await s.close();
  await cluster?.stop();
});

function theCluster(): EtcdCluster {
  if (cluster === undefined) throw new Error('etcd cluster not started');
  return cluster;
}

function newPrefix(): string {
  prefixes++;
  return `/k8ts-faults-${runId}-${String(prefixes).padStart(4, '0')}`;
}

function newStore(options: Partial<EtcdStoreOptions> = {}): EtcdStore {
  const store = new EtcdStore({
    endpoints: theCluster().endpoints,
    keyPrefix: newPrefix(),
    requestTimeoutMs: 1_000,
    dialTimeoutMs: 1_500,
    ...options,
  });
  opened.push(store);
  return store;
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const dec = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('EtcdStore faults', () => {
  it('(a) writes resume after the leader is SIGKILLed; every acknowledged create is kept', async () => {
    const c = theCluster();
    const store = newStore();
    const writer = new Writer(store, '/registry/w/');
    writer.start();
    try {
      await waitUntil('50 acknowledged writes', () => writer.acked.size >= 50, 10_000);
      const leader = await c.leader();
      const killedAt = Date.now();
      await c.kill(leader, 'SIGKILL');
      await waitUntil('writes resumed', () => writer.lastAckAt > killedAt, 5_000);
      const gapMs = writer.lastAckAt - killedAt;
      const ackedBefore = writer.acked.size;
      await waitUntil('50 more writes', () => writer.acked.size >= ackedBefore + 50, 10_000);
      await writer.stop();
      assert.ok(gapMs < 5_000, `writes resumed ${String(gapMs)} ms after the kill`);
      assert.deepEqual(writer.unexpected, []);
      const listed = await store.list('/registry/w/');
      const present = new Map(listed.items.map((kv) => [kv.key, dec(kv.value)]));
      for (const [key, value] of writer.acked) assert.equal(present.get(key), value, key);
      for (const key of present.keys()) assert.ok(writer.attempted.has(key), key);
      await c.restart(leader);
    } finally {
      await writer.stop();
    }
  });

  it('(b) an endpoint nobody answers on fails within requestTimeoutMs, never hangs', async () => {
    const port = await freePort();
    // A mute listener: TCP connects, but nothing ever answers (a hung or partitioned member).
    const sockets = new Set<Socket>();
    const mute = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const address = mute.address();
    const mutePort = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      for (const endpoint of [
        `http://127.0.0.1:${String(port)}`,
        `http://127.0.0.1:${String(mutePort)}`,
      ]) {
        const store = newStore({
          endpoints: [endpoint],
          requestTimeoutMs: 800,
          dialTimeoutMs: 800,
        });
        for (const call of [
          () => store.get('/registry/x/a'),
          () => store.create('/registry/x/a', enc('1')),
          () => store.list('/registry/x/'),
        ]) {
          const started = Date.now();
          await assert.rejects(call(), StoreUnavailableError);
          const tookMs = Date.now() - started;
          assert.ok(tookMs < 800 + 500, `${endpoint}: failed after ${String(tookMs)} ms`);
        }
        const started = Date.now();
        const watch = collectEvents(store, '/registry/x/', 1, {
          sinceRevision: 1,
          timeoutMs: 10_000,
        });
        await assert.rejects(watch, StoreUnavailableError);
        assert.ok(Date.now() - started < 800 + 1_000, `${endpoint}: watch did not fail in time`);
      }
    } finally {
      for (const s of sockets) s.destroy();
      mute.close();
    }
  });

  it('(c) a watch fails when the cluster dies; a new watch from its last revision gets what it missed', async () => {
    const c = theCluster();
    const store = newStore();
    const since = await store.currentRevision();
    const seen: WatchEvent[] = [];
    const ac = new AbortController();
    let watchError: unknown;
    const watching = (async () => {
      for await (const e of store.watch('/registry/c/', {
        signal: ac.signal,
        sinceRevision: since,
      })) {
        seen.push(e);
      }
    })().catch((err: unknown) => {
      watchError = err;
    });
    try {
      for (let i = 0; i < 3; i++) await store.create(`/registry/c/before-${String(i)}`, enc('1'));
      await waitUntil('3 events', () => seen.length >= 3, 5_000);
      const lastSeen = Math.max(
        ...seen.map((e) => (e.type === 'PROGRESS' ? e.revision : e.kv.modRevision)),
      );
      const killedAt = Date.now();
      await Promise.all(c.members.map((m) => c.kill(m, 'SIGKILL')));
      await waitUntil('the watch to fail', () => watchError !== undefined, 5_000);
      assert.ok(watchError instanceof StoreUnavailableError, String(watchError));
      assert.ok(Date.now() - killedAt < 1_500 + 2_000, 'watch error took too long');

      await c.restart(...c.members);
      const missed: string[] = [];
      for (let i = 0; i < 3; i++) {
        const key = `/registry/c/after-${String(i)}`;
        // A create whose answer was lost may have been applied: AlreadyExists is then ours.
        await retry(
          `create ${key}`,
          () =>
            store.create(key, enc('2')).catch((err: unknown) => {
              if (!(err instanceof StoreAlreadyExistsError)) throw err;
            }),
          50,
          100,
        );
        missed.push(key);
      }
      const events = await collectEvents(store, '/registry/c/', 3, { sinceRevision: lastSeen });
      assert.deepEqual(
        events.filter((e) => e.type !== 'PROGRESS').map((e) => [e.type, e.kv.key]),
        missed.map((k) => ['ADDED', k]),
      );
    } finally {
      ac.abort();
      await watching;
    }
  });

  it('(c2) a watch survives a rolling restart of every member: no event lost or repeated', async () => {
    const c = theCluster();
    const keyPrefix = newPrefix();
    const store = newStore({ keyPrefix });
    const watcherStore = newStore({ keyPrefix, dialTimeoutMs: 5_000 });
    const since = await store.currentRevision();
    const events: WatchEvent[] = [];
    const ac = new AbortController();
    let watchError: unknown;
    const watching = (async () => {
      for await (const e of watcherStore.watch('/registry/r/', {
        signal: ac.signal,
        sinceRevision: since,
      })) {
        if (e.type !== 'PROGRESS') events.push(e);
      }
    })().catch((err: unknown) => {
      watchError = err;
    });
    const writer = new Writer(store, '/registry/r/');
    writer.start();
    try {
      for (const member of c.members) {
        const acked = writer.acked.size;
        await waitUntil('writes before the kill', () => writer.acked.size >= acked + 20, 10_000);
        await c.kill(member, 'SIGKILL');
        await waitUntil('writes after the kill', () => writer.acked.size >= acked + 40, 10_000);
        await c.restart(member);
      }
      await writer.stop();
      assert.deepEqual(writer.unexpected, []);
      const listed = await store.list('/registry/r/');
      await waitUntil('the watch to catch up', () => events.length >= listed.items.length, 10_000);
      assert.equal(watchError, undefined);
      // Every key was created once: the watch must show exactly the listed keys, each once,
      // in the order of their revisions.
      const byRevision = [...listed.items].sort((x, y) => x.modRevision - y.modRevision);
      assert.deepEqual(
        events.map((e) => (e.type === 'PROGRESS' ? ['PROGRESS', 0] : [e.kv.key, e.kv.modRevision])),
        byRevision.map((kv) => [kv.key, kv.modRevision]),
      );
    } finally {
      await writer.stop();
      ac.abort();
      await watching;
    }
  });

  it('(d) two clients: a write through one is seen by the other with the same revision', async () => {
    const keyPrefix = newPrefix();
    const a = newStore({ keyPrefix });
    const b = newStore({ keyPrefix });
    let written: number | undefined;
    // Across clients "from now" is a race: b watches from a revision it read before a writes.
    const since = await b.currentRevision();
    const events = await collectEvents(b, '/registry/d/', 1, { sinceRevision: since }, async () => {
      written = (await a.create('/registry/d/k', enc('from a'))).modRevision;
    });
    const added = events.find((e) => e.type === 'ADDED');
    assert.equal(added?.kv.modRevision, written);
    const got = await b.get('/registry/d/k');
    assert.equal(got.kv?.modRevision, written);
    assert.equal(dec(got.kv!.value), 'from a');
    assert.equal(await b.currentRevision(), await a.currentRevision());
  });

  it('(e) an oversized value fails with StoreTooLargeError before anything is sent', async () => {
    const store = newStore();
    const before = await store.currentRevision();
    await assert.rejects(
      store.create('/registry/e/big', new Uint8Array(MAX_VALUE_BYTES + 1)),
      StoreTooLargeError,
    );
    const kv = await store.create('/registry/e/small', enc('1'));
    await assert.rejects(
      store.update('/registry/e/small', new Uint8Array(2 * MAX_VALUE_BYTES), kv.modRevision),
      StoreTooLargeError,
    );
    assert.equal(await store.currentRevision(), before + 1);
  });
});
