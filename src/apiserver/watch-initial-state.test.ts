// Watches opened without a resourceVersion (unset, "" or "0": upstream's "start at most recent"
// and "start at any") while objects are being created, updated and deleted concurrently, on
// sqlite and on a real etcd: each stream opens with a synthetic ADDED per object that existed,
// then every later change exactly once and in order, stays open through the burst, and ends up
// at exactly the state a list shows afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from './api-server.ts';
import { EtcdStore } from '../storage/etcd/etcd-store.ts';
import { SqliteStore } from '../storage/sqlite/sqlite-store.ts';
import type { Store } from '../storage/store.ts';
import { EtcdCluster } from '../../test/harness/etcd-cluster.ts';

type Json = Record<string, unknown>;
const PATH = '/api/v1/namespaces/default/configmaps';
const meta = (o: Json): Json => o['metadata'] as Json;

interface Watcher {
  readonly events: { type: string; name: string; rv: number }[];
  /** The last object seen per name (undefined once DELETED). */
  readonly state: Map<string, number>;
  ended: boolean;
  readonly stop: () => void;
}

/** Opens a watch over HTTP/1.1 and records every event until stopped. */
async function openWatch(base: string, query: string): Promise<Watcher> {
  const ac = new AbortController();
  const res = await fetch(`${base}${PATH}?watch=true${query}`, { signal: ac.signal });
  assert.equal(res.status, 200);
  const body = res.body;
  assert.ok(body !== null);
  const w: Watcher = {
    events: [],
    state: new Map(),
    ended: false,
    stop: () => {
      ac.abort();
    },
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          const e = JSON.parse(buffered.slice(0, i)) as { type: string; object: Json };
          buffered = buffered.slice(i + 1);
          const name = String(meta(e.object)['name']);
          const rv = Number(meta(e.object)['resourceVersion']);
          w.events.push({ type: e.type, name, rv });
          if (e.type === 'DELETED') w.state.delete(name);
          else w.state.set(name, rv);
        }
      }
    } catch {
      // aborted by stop()
    }
    if (!ac.signal.aborted) w.ended = true;
  })();
  return w;
}

async function send(base: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Json;
  assert.ok(res.status < 300, `${method} ${path}: ${String(res.status)} ${JSON.stringify(json)}`);
  return json;
}

/** One object's life: create, three updates, and (every third) a delete. */
async function churn(base: string, name: string, remove: boolean): Promise<void> {
  let cur = await send(base, 'POST', PATH, { metadata: { name }, data: { n: '0' } });
  for (let n = 1; n <= 3; n++) {
    cur = await send(base, 'PUT', `${PATH}/${name}`, { ...cur, data: { n: String(n) } });
  }
  if (remove) await send(base, 'DELETE', `${PATH}/${name}`);
}

function checkWatcher(label: string, w: Watcher, final: Map<string, number>): void {
  assert.equal(w.ended, false, `${label}: the stream is still open`);
  const lastRv = new Map<string, number>();
  const seenNames = new Set<string>();
  for (const e of w.events) {
    if (!seenNames.has(e.name)) {
      // Existing objects come as synthetic ADDEDs, new ones as their create: ADDED either way.
      assert.equal(e.type, 'ADDED', `${label}: ${e.name} first appears as ADDED`);
      seenNames.add(e.name);
    }
    const prev = lastRv.get(e.name);
    assert.ok(
      prev === undefined || e.rv > prev,
      `${label}: ${e.name} at ${String(e.rv)} after ${String(prev)} (no duplicate, in order)`,
    );
    lastRv.set(e.name, e.rv);
  }
  assert.deepEqual(
    [...w.state.entries()].sort(),
    [...final.entries()].sort(),
    `${label}: ends at the listed state`,
  );
}

const backends: {
  name: string;
  open: () => Promise<{ store: Store; close: () => Promise<void> }>;
}[] = [
  {
    name: 'sqlite',
    open: () => {
      const store = new SqliteStore({ path: ':memory:' });
      return Promise.resolve({ store, close: () => store.close() });
    },
  },
  {
    name: 'etcd',
    open: async () => {
      const cluster = await EtcdCluster.start({ members: 1 });
      const store = new EtcdStore({ endpoints: cluster.members.map((m) => m.clientUrl) });
      return {
        store,
        close: async () => {
          await store.close();
          await cluster.stop();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`watch without a resourceVersion during concurrent writes (${backend.name})`, () => {
    let server: ApiServer;
    let base = '';
    let close: () => Promise<void> = () => Promise.resolve();

    before(async () => {
      const opened = await backend.open();
      close = opened.close;
      server = new ApiServer({ store: opened.store, endpointReconciler: false });
      base = (await server.start()).url;
    });
    after(async () => {
      await server.stop();
      await close();
    });

    it('opens with the current state, then every change, and stays open', async () => {
      for (let i = 0; i < 10; i++) await churn(base, `before-${String(i)}`, i % 3 === 0);
      const watchers: [string, Watcher][] = [];
      const burst = Promise.all(
        Array.from({ length: 30 }, (_, i) => churn(base, `burst-${String(i)}`, i % 3 === 0)),
      );
      // Opened while the burst runs, each at a different moment of it.
      for (const query of ['', '&resourceVersion=', '&resourceVersion=0']) {
        await new Promise((r) => setTimeout(r, 15));
        watchers.push([query === '' ? 'unset' : query, await openWatch(base, query)]);
      }
      await burst;
      try {
        const list = await send(base, 'GET', PATH);
        const final = new Map(
          (list['items'] as Json[]).map((o) => [
            String(meta(o)['name']),
            Number(meta(o)['resourceVersion']),
          ]),
        );
        assert.equal(final.size, 10 - 4 + 30 - 10);
        const deadline = Date.now() + 15_000;
        const caughtUp = (w: Watcher): boolean =>
          w.ended ||
          (w.state.size === final.size &&
            [...final].every(([name, rv]) => w.state.get(name) === rv));
        while (!watchers.every(([, w]) => caughtUp(w)) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        for (const [label, w] of watchers) checkWatcher(label, w, final);
      } finally {
        for (const [, w] of watchers) w.stop();
      }
    });
  });
}
