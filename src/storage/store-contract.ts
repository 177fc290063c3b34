/**
 * The one contract suite every Store backend runs unchanged (memory, sqlite, etcd): etcd's
 * semantics as the Kubernetes storage layer relies on them. A backend's test file calls
 * `runStoreContract(name, open)`; every test opens a fresh, empty store and cleans it up.
 * Tests never assume absolute revisions (a shared etcd has other history): only order and gaps.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  StoreAlreadyExistsError,
  StoreClosedError,
  StoreConflictError,
  StoreGoneError,
  StoreInvalidArgumentError,
  StoreNotFoundError,
  StoreTooLargeError,
} from './errors.ts';
import { MAX_VALUE_BYTES } from './store.ts';
import type { KeyValue, Store, WatchEvent } from './store.ts';

export interface StoreFixture {
  readonly store: Store;
  /** Closes the store (if not already closed) and removes what the fixture made. */
  readonly cleanup: () => Promise<void>;
}

export interface StoreContractOptions {
  /** Backends with slow writes (etcd with fsync) run the bulk tests with fewer keys. */
  readonly bulkKeys?: number;
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const dec = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** Collects events until `count` non-progress events arrived or `timeoutMs` passed. */
export async function collectEvents(
  store: Store,
  prefix: string,
  count: number,
  options: { sinceRevision?: number; progressIntervalMs?: number; timeoutMs?: number } = {},
  whileWatching?: () => Promise<void>,
): Promise<WatchEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => {
    ac.abort();
  }, options.timeoutMs ?? 5000);
  const events: WatchEvent[] = [];
  const iterable = store.watch(prefix, {
    signal: ac.signal,
    ...(options.sinceRevision === undefined ? {} : { sinceRevision: options.sinceRevision }),
    ...(options.progressIntervalMs === undefined
      ? {}
      : { progressIntervalMs: options.progressIntervalMs }),
  });
  const iterator = iterable[Symbol.asyncIterator]();
  try {
    // Start the watch (the first next() call registers it) before the writes happen.
    const first = iterator.next();
    const writes = whileWatching?.();
    let r = await first;
    for (;;) {
      if (r.done === true) break;
      events.push(r.value);
      if (events.filter((e) => e.type !== 'PROGRESS').length >= count) break;
      r = await iterator.next();
    }
    await writes;
    return events;
  } finally {
    clearTimeout(timer);
    ac.abort();
    await iterator.return?.();
  }
}

function withoutProgress(
  events: readonly WatchEvent[],
): Exclude<WatchEvent, { type: 'PROGRESS' }>[] {
  return events.filter((e) => e.type !== 'PROGRESS');
}

export function runStoreContract(
  backend: string,
  open: () => Promise<StoreFixture>,
  options: StoreContractOptions = {},
): void {
  const bulk = options.bulkKeys ?? 200;
  const fixtures: StoreFixture[] = [];
  async function fresh(): Promise<Store> {
    const f = await open();
    fixtures.push(f);
    return f.store;
  }
  after(async () => {
    for (const f of fixtures) await f.cleanup();
  });

  describe(`Store contract: ${backend}`, () => {
    it('create then get returns the value with create and mod revisions', async () => {
      const s = await fresh();
      const before = await s.currentRevision();
      const kv = await s.create('/registry/pods/default/a', enc('v1'));
      assert.equal(kv.key, '/registry/pods/default/a');
      assert.equal(dec(kv.value), 'v1');
      assert.ok(kv.modRevision > before);
      assert.equal(kv.createRevision, kv.modRevision);
      const got = await s.get('/registry/pods/default/a');
      assert.deepEqual(got.kv && { ...got.kv, value: dec(got.kv.value) }, { ...kv, value: 'v1' });
      assert.ok(got.revision >= kv.modRevision);
      assert.equal(await s.currentRevision(), kv.modRevision);
    });

    it('get of a missing key is undefined, not an error', async () => {
      const s = await fresh();
      const got = await s.get('/registry/pods/default/none');
      assert.equal(got.kv, undefined);
    });

    it('create of an existing key fails with AlreadyExists and writes nothing', async () => {
      const s = await fresh();
      const kv = await s.create('/registry/x/a', enc('1'));
      await assert.rejects(s.create('/registry/x/a', enc('2')), StoreAlreadyExistsError);
      const got = await s.get('/registry/x/a');
      assert.equal(dec(got.kv!.value), '1');
      assert.equal(await s.currentRevision(), kv.modRevision);
    });

    it('every write gets a new, strictly greater revision', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      const b = await s.create('/registry/x/b', enc('1'));
      const a2 = await s.update('/registry/x/a', enc('2'), a.modRevision);
      const d = await s.delete('/registry/x/b');
      assert.ok(b.modRevision > a.modRevision);
      assert.ok(a2.modRevision > b.modRevision);
      assert.equal(a2.createRevision, a.createRevision);
      assert.ok(d.revision > a2.modRevision);
      assert.equal(await s.currentRevision(), d.revision);
    });

    it('update is guarded by the expected modRevision', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      const a2 = await s.update('/registry/x/a', enc('2'), a.modRevision);
      const err = await s.update('/registry/x/a', enc('3'), a.modRevision).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof StoreConflictError);
      assert.equal(err.current?.modRevision, a2.modRevision);
      assert.equal(dec(err.current.value), '2');
      assert.equal(dec((await s.get('/registry/x/a')).kv!.value), '2');
    });

    it('update of a missing key fails with NotFound', async () => {
      const s = await fresh();
      await assert.rejects(s.update('/registry/x/none', enc('1'), 5), StoreNotFoundError);
    });

    it('delete returns the previous value; a guarded delete checks the revision', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      await assert.rejects(
        s.delete('/registry/x/a', { expectedModRevision: a.modRevision + 1000 }),
        StoreConflictError,
      );
      const d = await s.delete('/registry/x/a', { expectedModRevision: a.modRevision });
      assert.equal(dec(d.prev.value), '1');
      assert.equal(d.prev.modRevision, a.modRevision);
      assert.equal((await s.get('/registry/x/a')).kv, undefined);
      await assert.rejects(s.delete('/registry/x/a'), StoreNotFoundError);
    });

    it('a key created again after delete gets a new createRevision', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      await s.delete('/registry/x/a');
      const b = await s.create('/registry/x/a', enc('2'));
      assert.ok(b.createRevision > a.createRevision);
      assert.equal(b.createRevision, b.modRevision);
    });

    it('get at an older revision returns the value as it was then', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      await s.update('/registry/x/a', enc('2'), a.modRevision);
      const old = await s.get('/registry/x/a', { revision: a.modRevision });
      assert.equal(dec(old.kv!.value), '1');
      const d = await s.delete('/registry/x/a');
      assert.equal(
        (await s.get('/registry/x/a', { revision: d.revision - 1 })).kv?.modRevision,
        d.prev.modRevision,
      );
      assert.equal((await s.get('/registry/x/a', { revision: d.revision })).kv, undefined);
    });

    it('list returns keys under a prefix in byte order, never a sibling prefix', async () => {
      const s = await fresh();
      for (const k of ['b', 'a', 'c', 'B', 'a0']) await s.create(`/registry/pods/ns/${k}`, enc(k));
      await s.create('/registry/pods/ns2/a', enc('other namespace'));
      await s.create('/registry/podsx/ns/a', enc('other resource'));
      const r = await s.list('/registry/pods/ns/');
      assert.deepEqual(
        r.items.map((kv) => kv.key.slice('/registry/pods/ns/'.length)),
        ['B', 'a', 'a0', 'b', 'c'],
      );
      assert.equal(r.continue, undefined);
      assert.equal(r.remaining, 0);
      assert.equal(r.revision, await s.currentRevision());
      assert.equal(await s.count('/registry/pods/ns/'), 5);
      assert.equal(await s.count('/registry/pods/'), 6);
      assert.equal((await s.list('/registry/nothing/')).items.length, 0);
    });

    it('list pages with limit and continue, all at the first page revision', async () => {
      const s = await fresh();
      for (let i = 0; i < 7; i++) await s.create(`/registry/x/k${String(i)}`, enc(String(i)));
      const p1 = await s.list('/registry/x/', { limit: 3 });
      assert.deepEqual(
        p1.items.map((kv) => dec(kv.value)),
        ['0', '1', '2'],
      );
      assert.equal(p1.remaining, 4);
      assert.ok(p1.continue !== undefined);
      // Writes between pages must not show up: every page reads at p1.revision.
      const k3 = (await s.get('/registry/x/k3')).kv!;
      await s.update('/registry/x/k3', enc('changed'), k3.modRevision);
      await s.create('/registry/x/k5a', enc('new'));
      await s.delete('/registry/x/k6');
      const p2 = await s.list('/registry/x/', { limit: 3, continue: p1.continue });
      assert.equal(p2.revision, p1.revision);
      assert.deepEqual(
        p2.items.map((kv) => dec(kv.value)),
        ['3', '4', '5'],
      );
      assert.equal(p2.remaining, 1);
      const p3 = await s.list('/registry/x/', { limit: 3, continue: p2.continue! });
      assert.deepEqual(
        p3.items.map((kv) => dec(kv.value)),
        ['6'],
      );
      assert.equal(p3.continue, undefined);
      assert.equal(p3.remaining, 0);
    });

    it('list at a revision shows the state of that revision', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      await s.create('/registry/x/b', enc('1'));
      await s.delete('/registry/x/a');
      const r = await s.list('/registry/x/', { revision: a.modRevision });
      assert.deepEqual(
        r.items.map((kv) => kv.key),
        ['/registry/x/a'],
      );
      assert.equal(r.revision, a.modRevision);
    });

    it('rejects a malformed continue token and an empty key', async () => {
      const s = await fresh();
      await assert.rejects(
        s.list('/registry/x/', { continue: 'not-a-token' }),
        StoreInvalidArgumentError,
      );
      await assert.rejects(s.create('', enc('1')), StoreInvalidArgumentError);
    });

    it('rejects a value over 1.5 MiB with a typed error and writes nothing', async () => {
      const s = await fresh();
      const before = await s.currentRevision();
      await assert.rejects(
        s.create('/registry/x/big', new Uint8Array(MAX_VALUE_BYTES + 1)),
        StoreTooLargeError,
      );
      assert.equal((await s.get('/registry/x/big')).kv, undefined);
      assert.equal(await s.currentRevision(), before);
      // Just under the limit is fine (the key and framing fit in etcd's request limit).
      const ok = await s.create('/registry/x/big', new Uint8Array(MAX_VALUE_BYTES - 4096));
      assert.equal((await s.get('/registry/x/big')).kv?.value.length, ok.value.length);
    });

    it('watch delivers ADDED, MODIFIED and DELETED with previous values, in order', async () => {
      const s = await fresh();
      const events = await collectEvents(s, '/registry/x/', 3, {}, async () => {
        const a = await s.create('/registry/x/a', enc('1'));
        await s.create('/registry/y/ignored', enc('other prefix'));
        const a2 = await s.update('/registry/x/a', enc('2'), a.modRevision);
        await s.delete('/registry/x/a', { expectedModRevision: a2.modRevision });
      });
      const [added, modified, deleted] = withoutProgress(events);
      assert.equal(added?.type, 'ADDED');
      assert.equal(dec(added.kv.value), '1');
      assert.equal(modified?.type, 'MODIFIED');
      assert.equal(dec(modified.kv.value), '2');
      assert.equal(modified.kv.createRevision, added.kv.modRevision);
      assert.equal(dec(modified.prev!.value), '1');
      assert.equal(deleted?.type, 'DELETED');
      assert.ok(deleted.kv.modRevision > modified.kv.modRevision);
      assert.equal(dec(deleted.kv.value), '2');
      assert.equal(deleted.prev?.modRevision, modified.kv.modRevision);
    });

    it('watch from a revision replays history after it, then continues live', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      const b = await s.create('/registry/x/b', enc('1'));
      await s.update('/registry/x/a', enc('2'), a.modRevision);
      const events = await collectEvents(
        s,
        '/registry/x/',
        3,
        { sinceRevision: a.modRevision },
        async () => {
          await s.create('/registry/x/c', enc('live'));
        },
      );
      const got = withoutProgress(events).map((e) => [e.type, e.kv.key]);
      assert.deepEqual(got, [
        ['ADDED', '/registry/x/b'],
        ['MODIFIED', '/registry/x/a'],
        ['ADDED', '/registry/x/c'],
      ]);
      assert.equal(withoutProgress(events)[0]?.kv.modRevision, b.modRevision);
    });

    it('many concurrent writes reach a watcher exactly once and in revision order', async () => {
      const s = await fresh();
      const n = Math.min(bulk, 100);
      const events = await collectEvents(s, '/registry/x/', n, { timeoutMs: 20000 }, async () => {
        await Promise.all(
          Array.from({ length: n }, (_, i) => s.create(`/registry/x/k${String(i)}`, enc('v'))),
        );
      });
      const revs = withoutProgress(events).map((e) => e.kv.modRevision);
      assert.equal(revs.length, n);
      assert.deepEqual(
        [...revs].sort((x, y) => x - y),
        revs,
      );
      assert.equal(new Set(revs).size, n);
    });

    it('an idle watch gets progress notifications with the current revision', async () => {
      const s = await fresh();
      const kv = await s.create('/registry/x/a', enc('1'));
      await s.create('/registry/other/b', enc('1'));
      const ac = new AbortController();
      const timer = setTimeout(() => {
        ac.abort();
      }, 5000);
      let progress: WatchEvent | undefined;
      try {
        for await (const e of s.watch('/registry/x/', {
          signal: ac.signal,
          sinceRevision: kv.modRevision,
          progressIntervalMs: 100,
        })) {
          progress = e;
          break;
        }
      } finally {
        clearTimeout(timer);
        ac.abort();
      }
      assert.equal(progress?.type, 'PROGRESS');
      assert.ok(progress.revision >= kv.modRevision);
      assert.ok(progress.revision <= (await s.currentRevision()));
    });

    it('aborting a watch ends the iterator cleanly', async () => {
      const s = await fresh();
      const ac = new AbortController();
      const seen: WatchEvent[] = [];
      const done = (async () => {
        for await (const e of s.watch('/registry/x/', { signal: ac.signal })) seen.push(e);
      })();
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      await done; // must settle without throwing
      assert.equal(withoutProgress(seen).length, 0);
    });

    it('compaction: reads and watches below it fail with Gone, newer history stays', async () => {
      const s = await fresh();
      const a = await s.create('/registry/x/a', enc('1'));
      const a2 = await s.update('/registry/x/a', enc('2'), a.modRevision);
      const a3 = await s.update('/registry/x/a', enc('3'), a2.modRevision);
      await s.compact(a3.modRevision);
      assert.ok((await s.compactedRevision()) >= a3.modRevision);
      await assert.rejects(s.get('/registry/x/a', { revision: a.modRevision }), StoreGoneError);
      await assert.rejects(s.list('/registry/x/', { revision: a2.modRevision }), StoreGoneError);
      const ac = new AbortController();
      await assert.rejects(
        (async () => {
          for await (const e of s.watch('/registry/x/', {
            signal: ac.signal,
            sinceRevision: a.modRevision,
          })) {
            assert.fail(`unexpected event ${e.type}`);
          }
        })(),
        StoreGoneError,
      );
      ac.abort();
      // The latest value and the compacted revision itself are still readable.
      assert.equal(dec((await s.get('/registry/x/a')).kv!.value), '3');
      assert.equal(
        dec((await s.get('/registry/x/a', { revision: a3.modRevision })).kv!.value),
        '3',
      );
      // The event at the compacted revision itself is still delivered (etcd: start = compactRev).
      const atCompacted = await collectEvents(s, '/registry/x/', 1, {
        sinceRevision: a3.modRevision - 1,
      });
      assert.equal(dec(withoutProgress(atCompacted)[0]!.kv.value), '3');
      // Watching from the compacted revision works (its events are all after it).
      const events = await collectEvents(
        s,
        '/registry/x/',
        1,
        { sinceRevision: a3.modRevision },
        async () => {
          await s.update('/registry/x/a', enc('4'), a3.modRevision);
        },
      );
      assert.equal(dec(withoutProgress(events)[0]!.kv.value), '4');
    });

    it('a key with a TTL expires and watchers see it deleted', async () => {
      const s = await fresh();
      const events = await collectEvents(
        s,
        '/registry/events/',
        2,
        { timeoutMs: 10000 },
        async () => {
          await s.create('/registry/events/ns/e1', enc('1'), { ttlSeconds: 1 });
        },
      );
      assert.deepEqual(
        withoutProgress(events).map((e) => e.type),
        ['ADDED', 'DELETED'],
      );
      assert.equal((await s.get('/registry/events/ns/e1')).kv, undefined);
    });

    it(`bulk: ${String(bulk)} keys list in pages without loss or duplication`, async () => {
      const s = await fresh();
      const written = new Set<string>();
      for (let i = 0; i < bulk; i += 20) {
        await Promise.all(
          Array.from({ length: Math.min(20, bulk - i) }, (_, j) => {
            const key = `/registry/bulk/k${String(i + j).padStart(5, '0')}`;
            written.add(key);
            return s.create(key, enc(key));
          }),
        );
      }
      const seen: KeyValue[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s.list('/registry/bulk/', {
          limit: 37,
          ...(token === undefined ? {} : { continue: token }),
        });
        seen.push(...page.items);
        token = page.continue;
        pages++;
      } while (token !== undefined && pages < 1000);
      assert.equal(seen.length, bulk);
      assert.deepEqual(new Set(seen.map((kv) => kv.key)), written);
      assert.equal(await s.count('/registry/bulk/'), bulk);
    });

    it('after close, calls fail with StoreClosedError and watches end with it', async () => {
      const s = await fresh();
      const ac = new AbortController();
      const watching = (async () => {
        for await (const e of s.watch('/registry/x/', { signal: ac.signal })) {
          assert.fail(`unexpected event ${e.type}`);
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      await s.close();
      await assert.rejects(watching, StoreClosedError);
      await assert.rejects(s.get('/registry/x/a'), StoreClosedError);
      await assert.rejects(s.create('/registry/x/a', enc('1')), StoreClosedError);
      await s.close(); // idempotent
      ac.abort();
    });
  });
}
