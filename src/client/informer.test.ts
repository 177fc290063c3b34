// The informer and its reflector over a scripted ListerWatcher: what is listed and watched with
// which options, which handler calls follow, tombstones after a relist, 410 handling, backoff.
// (Against a real API server: test/e2e/client-informer.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiStatusError, ClientUnavailableError } from './errors.ts';
import { DeletedFinalStateUnknown, NODE_NAME_INDEX, byNodeName } from './indexer.ts';
import { SharedInformer, waitForCacheSync } from './informer.ts';
import type { ListCall, ListerWatcher, WatchCall } from './list-watch.ts';
import type { KubeList, KubeObject } from './resource-ref.ts';
import type { WatchEvent, WatchStream } from './watch-stream.ts';

interface Pod extends KubeObject {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec?: { nodeName?: string };
}

const pod = (name: string, rv: number, nodeName?: string): Pod => ({
  metadata: { name, namespace: 'ns', resourceVersion: String(rv) },
  ...(nodeName === undefined ? {} : { spec: { nodeName } }),
});

const expired = (): ApiStatusError =>
  new ApiStatusError(
    { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
    410,
  );

/** A watch stream the test pushes events into and ends. */
class FakeWatch implements WatchStream<Pod> {
  readonly #events: WatchEvent<Pod>[] = [];
  #wake: (() => void) | undefined;
  closed = false;
  push(e: WatchEvent<Pod>): void {
    this.#events.push(e);
    this.#wake?.();
  }
  close(): void {
    this.closed = true;
    this.#wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<Pod>> {
    for (;;) {
      const e = this.#events.shift();
      if (e !== undefined) {
        yield e;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.#wake = r));
    }
  }
}

type ListAnswer = KubeList<Pod> | Error;
type WatchAnswer = FakeWatch | Error;

/** Answers lists and watches from scripts; records every call. */
class ScriptedListerWatcher implements ListerWatcher<Pod> {
  readonly lists: Omit<ListCall, 'signal'>[] = [];
  readonly watches: Omit<WatchCall, 'signal'>[] = [];
  readonly listAnswers: ListAnswer[] = [];
  readonly watchAnswers: WatchAnswer[] = [];
  list(call: ListCall): Promise<KubeList<Pod>> {
    const { signal, ...rest } = call;
    this.lists.push(rest);
    const a = this.listAnswers.shift();
    // No answer scripted: hang until aborted, as a real list would.
    if (a === undefined)
      return new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(new Error('aborted'));
        });
      });
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  }
  watch(call: WatchCall): Promise<WatchStream<Pod>> {
    const { signal, ...rest } = call;
    this.watches.push(rest);
    const a = this.watchAnswers.shift() ?? new FakeWatch();
    if (a instanceof Error) return Promise.reject(a);
    signal.addEventListener('abort', () => {
      a.close();
    });
    return Promise.resolve(a);
  }
}

const list = (rv: number, items: Pod[], cont?: string): KubeList<Pod> => ({
  metadata: { resourceVersion: String(rv), ...(cont === undefined ? {} : { continue: cont }) },
  items,
});

async function until(what: string, ok: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

type Call = string;
function recordingHandler(calls: Call[]) {
  return {
    onAdd: (p: Pod, initial: boolean) =>
      calls.push(
        `add ${p.metadata.name}@${p.metadata.resourceVersion}${initial ? ' initial' : ''}`,
      ),
    onUpdate: (o: Pod, n: Pod) =>
      calls.push(
        `update ${n.metadata.name}@${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`,
      ),
    onDelete: (p: Pod | DeletedFinalStateUnknown<Pod>) =>
      calls.push(
        p instanceof DeletedFinalStateUnknown
          ? `tombstone ${p.key}@${p.obj.metadata.resourceVersion}`
          : `delete ${p.metadata.name}@${p.metadata.resourceVersion}`,
      ),
  };
}

function newFixture() {
  const lw = new ScriptedListerWatcher();
  const errors: unknown[] = [];
  const informer = new SharedInformer<Pod>(lw, {
    indexers: { [NODE_NAME_INDEX]: byNodeName },
    backoff: { initialMs: 1, maxMs: 4, jitter: 0 },
    onError: (err) => errors.push(err),
  });
  const calls: Call[] = [];
  informer.addEventHandler(recordingHandler(calls));
  const ac = new AbortController();
  return { lw, informer, calls, errors, ac };
}

describe('SharedInformer', () => {
  it('lists in pages at "", then watches from the list RV with bookmarks and a 300–600 s timeout', async () => {
    const f = newFixture();
    f.lw.listAnswers.push(list(10, [pod('a', 5)], 'page2'), list(10, [pod('b', 7, 'n1')]));
    const w = new FakeWatch();
    f.lw.watchAnswers.push(w);
    const run = f.informer.run(f.ac.signal);
    assert.equal(await waitForCacheSync(f.ac.signal, f.informer), true);
    assert.deepEqual(f.lw.lists, [
      { resourceVersion: '', limit: 500 },
      { continue: 'page2', limit: 500 },
    ]);
    assert.deepEqual(f.calls, ['add a@5 initial', 'add b@7 initial']);
    await until('watch', () => f.lw.watches.length === 1);
    const watch = f.lw.watches[0]!;
    assert.equal(watch.resourceVersion, '10');
    assert.equal(watch.allowWatchBookmarks, true);
    assert.ok(watch.timeoutSeconds >= 300 && watch.timeoutSeconds < 600);

    w.push({ type: 'ADDED', object: pod('c', 11, 'n1') });
    w.push({ type: 'MODIFIED', object: pod('a', 12) });
    w.push({ type: 'DELETED', object: pod('b', 13, 'n1') });
    w.push({ type: 'BOOKMARK', object: pod('', 20) });
    await until('events', () => f.informer.lastSyncResourceVersion === '20');
    assert.deepEqual(f.calls.slice(2), ['add c@11', 'update a@5->12', 'delete b@13']);
    assert.deepEqual(
      f.informer.indexer.byIndex(NODE_NAME_INDEX, 'n1').map((p) => p.metadata.name),
      ['c'],
    );
    f.ac.abort();
    await run;
    assert.equal(w.closed, true);
  });

  it('re-watches from the last RV when a watch ends, without relisting', async () => {
    const f = newFixture();
    f.lw.listAnswers.push(list(10, []));
    const w1 = new FakeWatch();
    f.lw.watchAnswers.push(w1);
    const run = f.informer.run(f.ac.signal);
    await until('watch 1', () => f.lw.watches.length === 1);
    w1.push({ type: 'ADDED', object: pod('a', 11) });
    w1.close();
    await until('watch 2', () => f.lw.watches.length === 2);
    assert.equal(f.lw.watches[1]?.resourceVersion, '11');
    assert.equal(f.lw.lists.length, 1);
    f.ac.abort();
    await run;
  });

  it('backs off and re-watches (no relist) when no server is reachable', async () => {
    const f = newFixture();
    f.lw.listAnswers.push(list(10, [pod('a', 5)]));
    f.lw.watchAnswers.push(
      new ClientUnavailableError('down', [], false),
      new ClientUnavailableError('down', [], false),
    );
    const run = f.informer.run(f.ac.signal);
    await until('third watch', () => f.lw.watches.length === 3);
    assert.deepEqual(
      f.lw.watches.map((w) => w.resourceVersion),
      ['10', '10', '10'],
    );
    assert.equal(f.lw.lists.length, 1);
    assert.equal(f.errors.length, 2);
    f.ac.abort();
    await run;
  });

  it('relists after an in-stream 410: changed objects update, new ones add, missed deletes are tombstones', async () => {
    const f = newFixture();
    f.lw.listAnswers.push(list(10, [pod('keep', 3), pod('change', 4), pod('gone', 5)]));
    const w = new FakeWatch();
    f.lw.watchAnswers.push(w);
    const run = f.informer.run(f.ac.signal);
    await until('watch', () => f.lw.watches.length === 1);
    f.lw.listAnswers.push(list(50, [pod('keep', 3), pod('change', 40), pod('new', 45)]));
    const e = expired();
    w.push({ type: 'ERROR', object: e.status, error: e });
    await until('relisted', () => f.lw.lists.length === 2);
    // Not older than the last RV, unpaged, as client-go's relist.
    assert.deepEqual(f.lw.lists[1], { resourceVersion: '10', limit: undefined });
    await until('tombstone', () => f.calls.some((c) => c.startsWith('tombstone')));
    assert.deepEqual(f.calls.slice(3), [
      'update change@4->40',
      'add new@45',
      'tombstone ns/gone@5',
    ]);
    assert.equal(f.informer.indexer.getByKey('ns/gone'), undefined);
    await until('watch from the relist RV', () => f.lw.watches.length === 2);
    assert.equal(f.lw.watches[1]?.resourceVersion, '50');
    f.ac.abort();
    await run;
  });

  it('a 410 on watch start relists; a 410 on that relist falls back to a consistent paged list', async () => {
    const f = newFixture();
    f.lw.listAnswers.push(list(10, [pod('a', 5)]), expired(), list(90, [pod('a', 80)]));
    f.lw.watchAnswers.push(expired());
    const run = f.informer.run(f.ac.signal);
    await until('third list', () => f.lw.lists.length === 3);
    assert.deepEqual(f.lw.lists, [
      { resourceVersion: '', limit: 500 },
      { resourceVersion: '10', limit: undefined },
      { resourceVersion: '', limit: 500 },
    ]);
    await until('watch from 90', () => f.lw.watches.at(-1)?.resourceVersion === '90');
    assert.deepEqual(f.calls, ['add a@5 initial', 'update a@5->80']);
    f.ac.abort();
    await run;
  });

  it('an expired continue token falls back to one full list', async () => {
    const f = newFixture();
    f.lw.listAnswers.push(
      list(10, [pod('a', 1)], 'tok'),
      expired(),
      list(12, [pod('a', 1), pod('b', 2)]),
    );
    const run = f.informer.run(f.ac.signal);
    await f.informer.waitForCacheSync(f.ac.signal);
    assert.deepEqual(f.lw.lists[2], { resourceVersion: '' });
    assert.deepEqual(f.informer.indexer.listKeys().sort(), ['ns/a', 'ns/b']);
    f.ac.abort();
    await run;
  });

  it('a late handler gets every cached object as an initial add; removed handlers hear nothing', async () => {
    const f = newFixture();
    f.lw.listAnswers.push(list(10, [pod('a', 5), pod('b', 6)]));
    const w = new FakeWatch();
    f.lw.watchAnswers.push(w);
    const run = f.informer.run(f.ac.signal);
    await f.informer.waitForCacheSync(f.ac.signal);
    const late: Call[] = [];
    const reg = f.informer.addEventHandler(recordingHandler(late));
    assert.equal(reg.hasSynced(), true);
    assert.deepEqual(late, ['add a@5 initial', 'add b@6 initial']);
    reg.remove();
    await until('watch', () => f.lw.watches.length === 1);
    w.push({ type: 'ADDED', object: pod('c', 11) });
    await until('c', () => f.calls.includes('add c@11'));
    assert.equal(late.length, 2);
    f.ac.abort();
    await run;
  });

  it('resyncs every cached object as an update when asked to', async () => {
    const lw = new ScriptedListerWatcher();
    lw.listAnswers.push(list(10, [pod('a', 5)]));
    const informer = new SharedInformer<Pod>(lw, { resyncPeriodMs: 20 });
    const calls: Call[] = [];
    informer.addEventHandler(recordingHandler(calls));
    const ac = new AbortController();
    const run = informer.run(ac.signal);
    await until('two resyncs', () => calls.filter((c) => c === 'update a@5->5').length >= 2);
    ac.abort();
    await run;
  });

  it('a throwing handler does not stop delivery to the others', async () => {
    const f = newFixture();
    f.informer.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    f.lw.listAnswers.push(list(10, [pod('a', 5)]));
    const run = f.informer.run(f.ac.signal);
    await f.informer.waitForCacheSync(f.ac.signal);
    assert.deepEqual(f.calls, ['add a@5 initial']);
    assert.match(String(f.errors[0]), /handler bug/);
    f.ac.abort();
    await run;
  });

  it('waitForCacheSync answers false when aborted first; run cannot start twice', async () => {
    const f = newFixture();
    const run = f.informer.run(f.ac.signal);
    await assert.rejects(f.informer.run(f.ac.signal), /already running/);
    const waiting = f.informer.waitForCacheSync(f.ac.signal);
    f.ac.abort();
    assert.equal(await waiting, false);
    await run;
  });
});
