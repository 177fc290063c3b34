/**
 * What only the SQLite backend promises beyond the shared contract: durability across reopen,
 * background compaction, TTL expiry through the delete path (with an injected clock), typed
 * errors for unusable files, and no lost update or reused revision under concurrent writers.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { collectEvents } from '../store-contract.ts';
import {
  StoreConflictError,
  StoreGoneError,
  StoreInvalidArgumentError,
  StoreUnavailableError,
} from '../errors.ts';
import type { Store, WatchEvent } from '../store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { SqliteStoreOptions } from './sqlite-store-options.ts';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const dec = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const dirs: string[] = [];
const stores: SqliteStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function newPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sqlite-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

function open(options: SqliteStoreOptions): SqliteStore {
  const s = new SqliteStore(options);
  stores.push(s);
  return s;
}

function events(list: readonly WatchEvent[]): string[] {
  return list.map((e) =>
    e.type === 'PROGRESS'
      ? 'PROGRESS'
      : `${e.type} ${e.kv.key}=${dec(e.kv.value)}@${e.kv.modRevision}`,
  );
}

/** Rows left in the log table, read straight from the closed file. */
function rowsInFile(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], number>('SELECT COUNT(*) FROM log').pluck().get() ?? -1;
  } finally {
    db.close();
  }
}

async function expectUnavailable(options: SqliteStoreOptions, pattern: RegExp): Promise<void> {
  await assert.rejects(
    async () => {
      await new SqliteStore(options).close();
    },
    (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.match(err.message, pattern);
      assert.ok(err.message.includes(options.path), 'the message names the path');
      return true;
    },
  );
}

describe('SqliteStore', () => {
  it('reopening the file keeps data, revisions, history and the compacted revision', async () => {
    const path = await newPath();
    const s1 = open({ path });
    const a = await s1.create('/registry/x/a', enc('1'));
    const a2 = await s1.update('/registry/x/a', enc('2'), a.modRevision);
    await s1.create('/registry/x/b', enc('b'));
    const gone = await s1.create('/registry/x/gone', enc('g'));
    await s1.compact(a2.modRevision);
    const d = await s1.delete('/registry/x/gone');
    const rev = await s1.currentRevision();
    const history = await collectEvents(s1, '/registry/x/', 3, { sinceRevision: a2.modRevision });
    const listed = await s1.list('/registry/x/', { revision: gone.modRevision });
    await s1.close();

    const s2 = open({ path });
    assert.equal(await s2.currentRevision(), rev);
    assert.equal(await s2.compactedRevision(), a2.modRevision);
    assert.equal(dec((await s2.get('/registry/x/a')).kv!.value), '2');
    assert.equal((await s2.get('/registry/x/gone')).kv, undefined);
    assert.deepEqual(await s2.list('/registry/x/', { revision: gone.modRevision }), listed);
    await assert.rejects(s2.get('/registry/x/a', { revision: a.modRevision }), StoreGoneError);
    const replay = await collectEvents(s2, '/registry/x/', 3, { sinceRevision: a2.modRevision });
    assert.deepEqual(events(replay), events(history));
    // The revision goes on from where it was, even though the newest row was a tombstone
    // that a later compaction removes.
    await s2.compact(rev);
    await s2.close();
    const s3 = open({ path });
    const c = await s3.create('/registry/x/c', enc('c'));
    assert.equal(c.modRevision, d.revision + 1);
  });

  it('events at the compacted revision keep their previous value', async () => {
    const s = open({ path: await newPath() });
    const a = await s.create('/registry/x/a', enc('1'));
    const a2 = await s.update('/registry/x/a', enc('2'), a.modRevision);
    const b = await s.create('/registry/x/b', enc('b'));
    const d = await s.delete('/registry/x/b', { expectedModRevision: b.modRevision });
    await s.compact(a2.modRevision);
    const [modified] = await collectEvents(s, '/registry/x/a', 1, {
      sinceRevision: a2.modRevision - 1,
    });
    assert.equal(modified?.type, 'MODIFIED');
    assert.equal(dec(modified.prev!.value), '1');
    await s.compact(d.revision);
    const [deleted] = await collectEvents(s, '/registry/x/b', 1, { sinceRevision: d.revision - 1 });
    assert.equal(deleted?.type, 'DELETED');
    assert.equal(dec(deleted.kv.value), 'b');
    assert.equal(deleted.prev?.modRevision, b.modRevision);
  });

  it('periodic compaction keeps recent history and the latest version of live keys', async () => {
    const path = await newPath();
    const s = open({
      path,
      compactIntervalMs: 20,
      compactRetainRevisions: 10,
      compactBatchRevisions: 7,
    });
    for (let i = 0; i < 5; i++) await s.create(`/registry/x/k${String(i)}`, enc('0'));
    await s.create('/registry/x/deleted', enc('d'));
    await s.delete('/registry/x/deleted');
    let kv = (await s.get('/registry/x/k0')).kv!;
    for (let i = 1; i <= 60; i++)
      kv = await s.update('/registry/x/k0', enc(String(i)), kv.modRevision);
    const rev = await s.currentRevision();
    for (let i = 0; i < 100 && (await s.compactedRevision()) < rev - 10; i++) await sleep(20);
    assert.equal(await s.compactedRevision(), rev - 10);
    const live = await s.list('/registry/x/');
    assert.deepEqual(
      live.items.map((i) => `${i.key}=${dec(i.value)}`),
      ['/registry/x/k0=60', ...[1, 2, 3, 4].map((i) => `/registry/x/k${String(i)}=0`)],
    );
    // Every retained revision of k0 is still readable; older ones are gone.
    assert.equal(dec((await s.get('/registry/x/k0', { revision: rev - 10 })).kv!.value), '50');
    await assert.rejects(s.get('/registry/x/k0', { revision: rev - 11 }), StoreGoneError);
    await s.close();
    // 5 live keys at or below the compacted revision plus the 10 newer rows of k0.
    assert.equal(rowsInFile(path), 15);
  });

  it('an expired key is deleted through the delete path and a watcher sees DELETED', async () => {
    let now = 1_000_000;
    const path = await newPath();
    const s = open({ path, now: () => now, expirySweepIntervalMs: 10 });
    const e1 = await s.create('/registry/events/ns/e1', enc('1'), { ttlSeconds: 60 });
    const kept = await s.create('/registry/events/ns/kept', enc('1'), { ttlSeconds: 60 });
    await s.update('/registry/events/ns/kept', enc('2'), kept.modRevision); // clears the TTL
    const later = await s.create('/registry/events/ns/later', enc('1'), { ttlSeconds: 60 });
    await s.update('/registry/events/ns/later', enc('2'), later.modRevision, { ttlSeconds: 120 });
    await sleep(50);
    assert.equal(await s.count('/registry/events/'), 3, 'nothing expires before its time');
    const seen = await collectEvents(s, '/registry/events/', 1, {}, async () => {
      now += 61_000;
      await Promise.resolve();
    });
    assert.equal(seen[0]?.type, 'DELETED');
    assert.equal(seen[0].kv.key, '/registry/events/ns/e1');
    assert.equal(seen[0].prev?.modRevision, e1.modRevision);
    assert.deepEqual(
      (await s.list('/registry/events/')).items.map((kv) => kv.key),
      ['/registry/events/ns/kept', '/registry/events/ns/later'],
    );
    // A key that expires while the store is closed is deleted soon after it opens again.
    await s.close();
    now += 60_000;
    const s2 = open({ path, now: () => now, expirySweepIntervalMs: 10 });
    for (let i = 0; i < 100 && (await s2.count('/registry/events/')) > 1; i++) await sleep(10);
    assert.deepEqual(
      (await s2.list('/registry/events/')).items.map((kv) => kv.key),
      ['/registry/events/ns/kept'],
    );
    await assert.rejects(
      s2.create('/registry/x/a', enc('1'), { ttlSeconds: 0 }),
      StoreInvalidArgumentError,
    );
  });

  it('an unusable file fails with a clear StoreUnavailableError', async () => {
    const path = await newPath();
    await writeFile(path, 'this is not a database'.repeat(100));
    await expectUnavailable({ path }, /SQLITE_NOTADB/);
    await expectUnavailable({ path: join(path, '..', 'missing', 'state.db') }, /directory/);
    const dir = join(path, '..', 'a-dir');
    await mkdir(dir);
    await expectUnavailable({ path: dir }, /cannot open/);
    // One process owns the file: a second store on it fails instead of hiding its writes.
    const owned = await newPath();
    const first = open({ path: owned });
    await expectUnavailable({ path: owned, busyTimeoutMs: 50 }, /SQLITE_BUSY/);
    await first.create('/registry/x/still-works', enc('1'));
    if (process.getuid?.() !== 0) {
      const ro = await newPath();
      await new SqliteStore({ path: ro }).close();
      await chmod(ro, 0o444);
      await expectUnavailable({ path: ro }, /SQLITE_READONLY|readonly/i);
    }
    assert.throws(() => new SqliteStore({ path: '' }), StoreInvalidArgumentError);
    assert.throws(
      () => new SqliteStore({ path: ':memory:', compactBatchRevisions: 0 }),
      StoreInvalidArgumentError,
    );
  });

  it('concurrent writers never lose an update or reuse a revision', async () => {
    const s = open({ path: await newPath() });
    const n = 300;
    const watched = collectEvents(s, '/registry/', n + 1 + 200, { timeoutMs: 20000 });
    await sleep(20);
    const creates = await Promise.all(
      Array.from({ length: n }, (_, i) => s.create(`/registry/x/k${String(i)}`, enc('v'))),
    );
    // 20 writers each add 10 to a counter with read-modify-write and retry on conflict.
    await s.create('/registry/counter/c', enc('0'));
    let conflicts = 0;
    const increment = async (): Promise<void> => {
      for (;;) {
        const kv = (await s.get('/registry/counter/c')).kv!;
        try {
          await s.update(
            '/registry/counter/c',
            enc(String(Number(dec(kv.value)) + 1)),
            kv.modRevision,
          );
          return;
        } catch (err: unknown) {
          if (!(err instanceof StoreConflictError)) throw err;
          conflicts++;
        }
      }
    };
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = 0; i < 10; i++) await increment();
      }),
    );
    assert.equal(dec((await s.get('/registry/counter/c')).kv!.value), '200');
    assert.ok(conflicts > 0, 'the writers did race');
    const revs = creates.map((kv) => kv.modRevision);
    assert.equal(new Set(revs).size, n);
    const all = (await watched).flatMap((e) => (e.type === 'PROGRESS' ? [] : [e.kv.modRevision]));
    assert.equal(all.length, n + 1 + 200);
    assert.deepEqual(
      all,
      [...all].sort((x, y) => x - y),
    );
    assert.equal(new Set(all).size, all.length);
    assert.equal(all[all.length - 1], await s.currentRevision());
  });

  it('orders keys by UTF-8 bytes, lists every key of the empty prefix, keeps empty values', async () => {
    const s: Store = open({ path: ':memory:' });
    const keys = ['/a/\u{10000}', '/a/\uffff', '/a/b\u0000c', '/a/b', '/a/\u00ff', '/b'];
    for (const k of keys) await s.create(k, new Uint8Array(0));
    const all = await s.list('');
    assert.deepEqual(
      all.items.map((kv) => kv.key),
      ['/a/b', '/a/b\u0000c', '/a/\u00ff', '/a/\uffff', '/a/\u{10000}', '/b'],
    );
    const first = all.items[0]!;
    assert.equal(first.value.length, 0);
    assert.equal(Object.getPrototypeOf(first.value), Uint8Array.prototype);
    const page = await s.list('/a/', { limit: 2 });
    assert.equal(page.remaining, 3);
    const rest = await s.list('/a/', { continue: page.continue! });
    assert.deepEqual(
      rest.items.map((kv) => kv.key),
      ['/a/\u00ff', '/a/\uffff', '/a/\u{10000}'],
    );
    await assert.rejects(s.list('/b', { continue: page.continue! }), StoreInvalidArgumentError);
  });

  it('measures sequential creates per second (1 KiB values, fsync per commit)', async (t) => {
    const s = open({ path: await newPath() });
    const value = new Uint8Array(1024).fill(7);
    const n = 2000;
    const start = performance.now();
    for (let i = 0; i < n; i++) await s.create(`/registry/pods/default/p${String(i)}`, value);
    const perSecond = Math.round((n / (performance.now() - start)) * 1000);
    t.diagnostic(`sqlite sequential creates: ${String(perSecond)}/s (synchronous=FULL)`);
    assert.equal(await s.count('/registry/pods/'), n);
  });
});
