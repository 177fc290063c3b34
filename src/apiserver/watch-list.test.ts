// WatchList (`sendInitialEvents`) and the list/watch option rules, over HTTP on sqlite:
// the initial state then a BOOKMARK annotated k8s.io/initial-events-end at the revision it was
// read at, then changes; sendInitialEvents=false starts at the latest revision; a future
// resourceVersion is a 504; every broken option rule is one 422 ListOptions Status as upstream's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from './api-server.ts';
import { SqliteStore } from '../storage/sqlite/sqlite-store.ts';

type Json = Record<string, unknown>;
const PATH = '/api/v1/namespaces/default/configmaps';
const meta = (o: Json): Json => (o['metadata'] ?? {}) as Json;

interface Event {
  readonly type: string;
  readonly object: Json;
}

/** Reads watch events until `count` arrived (or 5 s passed), then closes the stream. */
async function watchEvents(
  base: string,
  query: string,
  count: number,
  during?: () => Promise<void>,
): Promise<Event[]> {
  const ac = new AbortController();
  const res = await fetch(`${base}${PATH}?watch=true&${query}`, { signal: ac.signal });
  assert.equal(res.status, 200);
  const body = res.body;
  assert.ok(body !== null);
  const events: Event[] = [];
  const timer = setTimeout(() => {
    ac.abort();
  }, 5_000);
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          events.push(JSON.parse(buffered.slice(0, i)) as Event);
          buffered = buffered.slice(i + 1);
          if (events.length >= count) ac.abort();
        }
      }
    } catch {
      // aborted: enough events, or the time bound
    }
  })();
  await during?.();
  await reading;
  clearTimeout(timer);
  return events;
}

describe('watch with sendInitialEvents (WatchList)', () => {
  let server: ApiServer;
  let store: SqliteStore;
  let base = '';
  const create = async (name: string): Promise<Json> => {
    const res = await fetch(`${base}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name }, data: { k: name } }),
    });
    assert.equal(res.status, 201);
    return (await res.json()) as Json;
  };
  const status = async (query: string): Promise<{ code: number; body: Json }> => {
    const res = await fetch(`${base}${PATH}?${query}`);
    return { code: res.status, body: (await res.json()) as Json };
  };

  before(async () => {
    store = new SqliteStore({ path: ':memory:' });
    server = new ApiServer({ store, endpointReconciler: false });
    base = (await server.start()).url;
    for (const n of ['a', 'b', 'c']) await create(n);
  });
  after(async () => {
    await server.stop();
    await store.close();
  });

  it('sends the state, an initial-events-end BOOKMARK at its revision, then changes', async () => {
    const listRv = String(meta((await status('')).body)['resourceVersion']);
    const events = await watchEvents(
      base,
      'sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
      5,
      async () => {
        await new Promise((r) => setTimeout(r, 100));
        await create('d');
      },
    );
    assert.deepEqual(
      events.map((e) => [e.type, meta(e.object)['name'] ?? '']),
      [
        ['ADDED', 'a'],
        ['ADDED', 'b'],
        ['ADDED', 'c'],
        ['BOOKMARK', ''],
        ['ADDED', 'd'],
      ],
    );
    const bookmark = events[3]?.object ?? {};
    assert.equal(bookmark['kind'], 'ConfigMap');
    assert.equal(bookmark['apiVersion'], 'v1');
    assert.deepEqual(meta(bookmark)['annotations'], { 'k8s.io/initial-events-end': 'true' });
    assert.equal(meta(bookmark)['resourceVersion'], listRv);
  });

  it('with a resourceVersion: the current state, not a replay from it', async () => {
    const first = await create('e');
    const events = await watchEvents(
      base,
      `sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${String(meta(first)['resourceVersion'])}`,
      6,
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED', 'BOOKMARK'],
    );
  });

  it('without allowWatchBookmarks: the state, and no bookmark', async () => {
    const events = await watchEvents(
      base,
      'sendInitialEvents=true&resourceVersionMatch=NotOlderThan',
      6,
      async () => {
        await new Promise((r) => setTimeout(r, 100));
        await create('f');
      },
    );
    assert.deepEqual(
      events.map((e) => [e.type, meta(e.object)['name']]),
      [
        ['ADDED', 'a'],
        ['ADDED', 'b'],
        ['ADDED', 'c'],
        ['ADDED', 'd'],
        ['ADDED', 'e'],
        ['ADDED', 'f'],
      ],
    );
  });

  it('sendInitialEvents=false without a resourceVersion: only changes from now', async () => {
    const events = await watchEvents(
      base,
      'sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
      1,
      async () => {
        await new Promise((r) => setTimeout(r, 100));
        await create('g');
      },
    );
    assert.deepEqual(
      events.map((e) => [e.type, meta(e.object)['name']]),
      [['ADDED', 'g']],
    );
  });

  it('a resourceVersion the store has not reached is a 504 Timeout', async () => {
    const r = await status(
      'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=999999',
    );
    assert.equal(r.code, 504);
    assert.equal(r.body['reason'], 'Timeout');
    assert.match(String(r.body['message']), /^Too large resource version: 999999, current: \d+$/);
  });

  const invalid: [string, string, string[]][] = [
    [
      'list with sendInitialEvents',
      'sendInitialEvents=true',
      ['sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    ],
    [
      'list resourceVersionMatch without resourceVersion',
      'resourceVersionMatch=NotOlderThan',
      [
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      ],
    ],
    [
      'list resourceVersionMatch=Exact at "0"',
      'resourceVersion=0&resourceVersionMatch=Exact',
      [
        'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      ],
    ],
    [
      'list with an unknown resourceVersionMatch',
      'resourceVersion=1&resourceVersionMatch=Newest',
      [
        'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""',
      ],
    ],
    [
      'watch sendInitialEvents without resourceVersionMatch',
      'watch=true&sendInitialEvents=true',
      [
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      ],
    ],
    [
      'watch resourceVersionMatch without sendInitialEvents',
      'watch=true&resourceVersionMatch=NotOlderThan',
      [
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
      ],
    ],
    [
      'watch sendInitialEvents with resourceVersionMatch=Exact',
      'watch=true&sendInitialEvents=true&resourceVersionMatch=Exact&resourceVersion=1',
      [
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"',
      ],
    ],
  ];
  for (const [name, query, causes] of invalid) {
    it(`422 Invalid: ${name}`, async () => {
      const r = await status(query);
      assert.equal(r.code, 422);
      assert.equal(r.body['reason'], 'Invalid');
      const details = r.body['details'] as Json;
      assert.equal(details['kind'], 'ListOptions');
      assert.equal(details['group'], 'meta.k8s.io');
      const prefix = 'ListOptions.meta.k8s.io "" is invalid: ';
      assert.equal(
        r.body['message'],
        prefix + (causes.length === 1 ? (causes[0] ?? '') : `[${causes.join(', ')}]`),
      );
    });
  }

  it('400 for a sendInitialEvents that is not a boolean', async () => {
    const r = await status('watch=true&sendInitialEvents=maybe&resourceVersionMatch=NotOlderThan');
    assert.equal(r.code, 400);
    assert.equal(r.body['reason'], 'BadRequest');
    assert.equal(r.body['message'], 'strconv.ParseBool: parsing "maybe": invalid syntax');
  });
});
