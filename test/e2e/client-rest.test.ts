/**
 * k8ts's own REST client against real in-process API servers over HTTP/2 + TLS with client
 * certificates: CRUD and patches, typed errors carrying the server's Status, watches with
 * bookmarks and 410, deadlines and aborts, the User-Agent and bearer token on the wire, CA
 * verification, and failover between two API servers on one store (discovered from the
 * `default/kubernetes` Endpoints) — including what is and is not replayed when a connection
 * fails after the request was sent. Everything listens on 127.0.0.1.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createSecureServer } from 'node:http2';
import type { Http2SecureServer, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { ConfigMap } from 'kubernetes-types/core/v1.d.ts';
import { ApiServer } from '../../src/apiserver/api-server.ts';
import {
  ApiStatusError,
  ClientTimeoutError,
  ClientUnavailableError,
  RestClient,
  isAlreadyExists,
  isConflict,
  isExpired,
  isNotFound,
} from '../../src/client/index.ts';
import type { ObjectRef, ResourceRef } from '../../src/client/index.ts';
import { CertificateAuthority } from '../../src/pki/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';

interface Pki {
  ca: CertificateAuthority;
  serving: { certificatePem: string; keyPem: string };
  admin: { certificatePem: string; keyPem: string };
}

async function newPki(): Promise<Pki> {
  const ca = await CertificateAuthority.create({ commonName: 'kubernetes' });
  const serving = await ca.issueServing({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const admin = await ca.issueClient({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
  });
  return { ca, serving, admin };
}

function newApiServer(pki: Pki, store: MemoryStore, endpointReconciler = false): ApiServer {
  return new ApiServer({
    store,
    endpointReconciler,
    endpointReconcileIntervalMs: 200,
    bookmarkIntervalMs: 200,
    tls: {
      cert: pki.serving.certificatePem,
      key: pki.serving.keyPem,
      clientCa: pki.ca.certificatePem,
    },
  });
}

function newClient(
  pki: Pki,
  servers: string[],
  extra: { timeoutMs?: number; token?: string } = {},
) {
  return new RestClient({
    servers,
    caPem: pki.ca.certificatePem,
    clientCertificatePem: pki.admin.certificatePem,
    clientKeyPem: pki.admin.keyPem,
    component: 'client-e2e',
    connectTimeoutMs: 2000,
    ...extra,
  });
}

/** A bare HTTP/2 server on 127.0.0.1 whose every stream gets `onStream`; records headers. */
async function rawServer(
  pki: Pki,
  onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Http2SecureServer }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createSecureServer({
    cert: pki.serving.certificatePem,
    key: pki.serving.keyPem,
  });
  server.on('stream', (stream, headers) => {
    seen.push(headers);
    // Resetting a stream (REFUSED_STREAM) also errors it on this side.
    stream.on('error', () => undefined);
    onStream(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${String(port)}`, seen, server };
}

/**
 * A TCP proxy on 127.0.0.1 to `port` that can go silent (a blackholed server): `freeze()` stops
 * forwarding on every connection, and new connections are accepted but never answered.
 */
async function freezableProxy(port: number) {
  let frozen = false;
  const sockets: Socket[] = [];
  const server = createNetServer((client) => {
    client.on('error', () => undefined);
    sockets.push(client);
    if (frozen) {
      client.pause();
      return;
    }
    const upstream = netConnect(port, '127.0.0.1');
    upstream.on('error', () => undefined);
    sockets.push(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${String(proxyPort)}`,
    freeze: () => {
      frozen = true;
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const closeRaw = (s: Http2SecureServer): Promise<void> =>
  new Promise((resolve) => {
    s.close(() => {
      resolve();
    });
  });

const configmaps = (namespace: string): ResourceRef => ({
  group: '',
  version: 'v1',
  plural: 'configmaps',
  namespace,
});
const cm = (namespace: string, name: string): ObjectRef => ({ ...configmaps(namespace), name });
const namespaces: ResourceRef = { group: '', version: 'v1', plural: 'namespaces' };

describe('RestClient against one API server', () => {
  let pki: Pki;
  const store = new MemoryStore();
  let server: ApiServer;
  let url: string;
  let client: RestClient;

  before(async () => {
    pki = await newPki();
    server = newApiServer(pki, store);
    url = (await server.start()).url;
    client = newClient(pki, [url]);
    await client.create(namespaces, { metadata: { name: 'rc' } });
  });
  after(async () => {
    client.close();
    await server.stop();
    await store.close();
  });

  it('creates, gets, lists with paging and selectors, updates, patches and deletes', async () => {
    const created = await client.create<ConfigMap>(configmaps('rc'), {
      metadata: { name: 'a', labels: { app: 'x' } },
      data: { k: 'v' },
    });
    assert.ok(created.metadata?.uid);
    await client.create<ConfigMap>(configmaps('rc'), { metadata: { name: 'b' } });
    await client.create<ConfigMap>(configmaps('rc'), { metadata: { name: 'c' } });
    const got = await client.get<ConfigMap>(cm('rc', 'a'));
    assert.deepEqual(got.data, { k: 'v' });

    const page1 = await client.list<ConfigMap>(configmaps('rc'), { limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.metadata.continue);
    const page2 = await client.list<ConfigMap>(configmaps('rc'), {
      limit: 2,
      continue: page1.metadata.continue,
    });
    assert.deepEqual(
      [...page1.items, ...page2.items].map((i) => i.metadata?.name),
      ['a', 'b', 'c'],
    );
    const selected = await client.list<ConfigMap>(configmaps('rc'), { labelSelector: 'app=x' });
    assert.deepEqual(
      selected.items.map((i) => i.metadata?.name),
      ['a'],
    );

    const updated = await client.update<ConfigMap>(cm('rc', 'a'), { ...got, data: { k: 'v2' } });
    assert.deepEqual(updated.data, { k: 'v2' });
    const json = await client.patch<ConfigMap>(
      cm('rc', 'a'),
      [{ op: 'add', path: '/data/j', value: '1' }],
      { type: 'json' },
    );
    assert.deepEqual(json.data, { k: 'v2', j: '1' });
    const merged = await client.patch<ConfigMap>(
      cm('rc', 'a'),
      { data: { m: '2' } },
      { type: 'merge' },
    );
    assert.deepEqual(merged.data, { k: 'v2', j: '1', m: '2' });
    const strategic = await client.patch<ConfigMap>(
      cm('rc', 'a'),
      { metadata: { labels: { tier: 'web' } } },
      { type: 'strategic' },
    );
    assert.deepEqual(strategic.metadata?.labels, { app: 'x', tier: 'web' });
    const dry = await client.patch<ConfigMap>(
      cm('rc', 'a'),
      { data: { dry: 'run' } },
      { type: 'merge', dryRun: true },
    );
    assert.equal(dry.data?.['dry'], 'run');
    assert.equal((await client.get<ConfigMap>(cm('rc', 'a'))).data?.['dry'], undefined);

    await client.delete(cm('rc', 'a'), { propagationPolicy: 'Background' });
    await assert.rejects(client.get(cm('rc', 'a')), isNotFound);
    await client.deleteCollection(configmaps('rc'));
    assert.equal((await client.list(configmaps('rc'))).items.length, 0);
  });

  it('server-side apply sends fieldManager and force', async () => {
    const applied = await client.patch<ConfigMap>(
      cm('rc', 'applied'),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } },
      { type: 'apply', fieldManager: 'client-e2e', force: true },
    );
    assert.deepEqual(applied.data, { a: '1' });
    assert.ok(
      (applied.metadata?.managedFields ?? []).some((f) => f.manager === 'client-e2e'),
      'managedFields names the field manager',
    );
  });

  it('throws ApiStatusError with the Status body (NotFound, AlreadyExists, Conflict, Invalid)', async () => {
    const missing = await client.get(cm('rc', 'nope')).catch((e: unknown) => e);
    assert.ok(missing instanceof ApiStatusError);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.reason, 'NotFound');
    assert.equal(missing.message, 'configmaps "nope" not found');
    assert.equal(missing.details?.name, 'nope');
    assert.equal(missing.status.kind, 'Status');

    await client.create(configmaps('rc'), { metadata: { name: 'dup' } });
    await assert.rejects(client.create(configmaps('rc'), { metadata: { name: 'dup' } }), (e) => {
      assert.ok(isAlreadyExists(e));
      assert.equal((e as ApiStatusError).statusCode, 409);
      return true;
    });
    await assert.rejects(
      client.update(cm('rc', 'dup'), { metadata: { name: 'dup', resourceVersion: '1' } }),
      isConflict,
    );
    await assert.rejects(
      client.create(configmaps('rc'), { metadata: { name: 'Not_Valid' } }),
      (e: unknown) => e instanceof ApiStatusError && e.reason === 'Invalid' && e.statusCode === 422,
    );
  });

  it('watches: events from a list RV, bookmarks, then an ending on close', async () => {
    const list = await client.list(configmaps('rc'));
    const ac = new AbortController();
    const watch = await client.watch<ConfigMap>(configmaps('rc'), {
      resourceVersion: list.metadata.resourceVersion,
      allowWatchBookmarks: true,
      signal: ac.signal,
    });
    await client.create(configmaps('rc'), { metadata: { name: 'w1' } });
    await client.patch(cm('rc', 'w1'), { data: { x: 'y' } }, { type: 'merge' });
    await client.delete(cm('rc', 'w1'));
    const seen: string[] = [];
    const timer = setTimeout(() => {
      ac.abort();
    }, 5000);
    for await (const e of watch) {
      if (e.type === 'ERROR') assert.fail(e.error.message);
      seen.push(e.type === 'BOOKMARK' ? 'BOOKMARK' : `${e.type} ${e.object.metadata?.name ?? ''}`);
      if (e.type === 'BOOKMARK') watch.close();
    }
    clearTimeout(timer);
    assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1', 'DELETED w1', 'BOOKMARK']);
  });

  it('a watch from a compacted resourceVersion fails with 410 Expired', async () => {
    const old = (await client.list(configmaps('rc'))).metadata.resourceVersion ?? '';
    for (const name of ['compact-1', 'compact-2'])
      await client.create(configmaps('rc'), { metadata: { name } });
    await store.compact(await store.currentRevision());
    await assert.rejects(client.watch(configmaps('rc'), { resourceVersion: old }), (e: unknown) => {
      assert.ok(isExpired(e));
      assert.equal((e as ApiStatusError).statusCode, 410);
      return true;
    });
  });

  it('honours AbortSignal and the per-request deadline', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client.get(cm('rc', 'dup'), { signal: ac.signal }), {
      name: 'AbortError',
    });
    const hang = await rawServer(pki, () => undefined);
    const slow = newClient(pki, [hang.url], { timeoutMs: 200 });
    try {
      const started = Date.now();
      const err = await slow.get(cm('rc', 'x')).catch((e: unknown) => e);
      assert.ok(err instanceof ClientTimeoutError);
      assert.equal(err.code, 'CLIENT_TIMEOUT');
      assert.ok(Date.now() - started < 2000);
      const ac2 = new AbortController();
      setTimeout(() => {
        ac2.abort(new Error('stop now'));
      }, 50);
      await assert.rejects(slow.get(cm('rc', 'x'), { signal: ac2.signal, timeoutMs: 5000 }), {
        message: 'stop now',
      });
    } finally {
      slow.close();
      await closeRaw(hang.server);
    }
  });

  it('a scoped client: admit can refuse, the scope aborts what is in flight, nothing is sent after', async () => {
    const hang = await rawServer(pki, () => undefined);
    const parent = newClient(pki, [hang.url]);
    const term = new AbortController();
    let refuse = false;
    const scoped = parent.scoped({
      signal: term.signal,
      admit: () => {
        if (refuse) throw new Error('not leading');
      },
    });
    try {
      const inFlight = scoped.get(cm('rc', 'x')).catch((e: unknown) => e);
      const watching = scoped.watch(configmaps('rc')).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(hang.seen.length, 2, 'both requests reached the server');
      term.abort(new Error('term over'));
      assert.equal(((await inFlight) as Error).message, 'term over');
      assert.equal(((await watching) as Error).message, 'term over');
      await assert.rejects(scoped.create(configmaps('rc'), { metadata: { name: 'late' } }), {
        message: 'term over',
      });
      assert.equal(hang.seen.length, 2, 'nothing sent after the scope ended');
      // close() on a scoped view leaves the parent's connections alone.
      scoped.close();
      const other = parent.scoped({
        signal: new AbortController().signal,
        admit: () => {
          if (refuse) throw new Error('not leading');
        },
      });
      refuse = true;
      await assert.rejects(other.get(cm('rc', 'x')), { message: 'not leading' });
      assert.equal(hang.seen.length, 2, 'a refused request is not sent');
      // The parent itself is unaffected: a real server answers through a sibling client.
      const okTerm = new AbortController();
      const ok = client.scoped({ signal: okTerm.signal });
      await ok.create(configmaps('rc'), { metadata: { name: 'scoped-ok' } });
      const w = await ok.watch<ConfigMap>(configmaps('rc'), {
        fieldSelector: 'metadata.name=scoped-ok',
        resourceVersion: '0',
      });
      const events = w[Symbol.asyncIterator]();
      assert.equal((await events.next()).done, false);
      // An open watch ends with its scope.
      okTerm.abort();
      const end = await Promise.race([
        events.next().then(
          (r) => r.done,
          () => true,
        ),
        new Promise((r) => setTimeout(r, 2_000, 'still open')),
      ]);
      assert.equal(end, true);
      await client.get(cm('rc', 'scoped-ok'));
    } finally {
      parent.close();
      await closeRaw(hang.server);
    }
  });

  it('sends client-go’s User-Agent and the bearer token, and never echoes the token', async () => {
    const raw = await rawServer(pki, (stream) => {
      stream.respond({ ':status': 401, 'content-type': 'application/json' });
      stream.end(
        JSON.stringify({
          kind: 'Status',
          code: 401,
          reason: 'Unauthorized',
          message: 'Unauthorized',
        }),
      );
    });
    const c = newClient(pki, [raw.url], { token: 's3cr3t-token' });
    try {
      const err = await c.get(cm('rc', 'x')).catch((e: unknown) => e);
      assert.ok(err instanceof ApiStatusError && err.reason === 'Unauthorized');
      assert.ok(!String(err.stack).includes('s3cr3t'));
      const h = raw.seen[0]!;
      assert.equal(h.authorization, 'Bearer s3cr3t-token');
      assert.match(
        String(h['user-agent']),
        /^k8ts\/v[\d.]+ \(\S+\/\S+\) kubernetes\/\w+\/client-e2e$/,
      );
      assert.equal(h[':path'], '/api/v1/namespaces/rc/configmaps/x');
    } finally {
      c.close();
      await closeRaw(raw.server);
    }
  });

  it('verifies the server certificate against the cluster CA', async () => {
    const other = await newPki();
    const c = newClient({ ...pki, ca: other.ca }, [url]);
    try {
      const err = await c.get(cm('rc', 'dup')).catch((e: unknown) => e);
      assert.ok(err instanceof ClientUnavailableError, String(err));
      assert.equal(err.requestMayHaveReachedServer, false);
      assert.match(err.message, /certificate/);
    } finally {
      c.close();
    }
  });
});

describe('RestClient failover across API servers', () => {
  let pki: Pki;
  const store = new MemoryStore();
  let a: ApiServer;
  let b: ApiServer;
  let urlA: string;
  let urlB: string;

  before(async () => {
    pki = await newPki();
    // A keeps default/kubernetes listing the live servers, as a real replica does.
    a = newApiServer(pki, store, true);
    b = newApiServer(pki, store);
    urlA = (await a.start()).url;
    urlB = (await b.start()).url;
  });
  after(async () => {
    await a.stop();
    await b.stop();
    await store.close();
  });

  it('refreshServers reads the kubernetes Endpoints written by the API server', async () => {
    const c = newClient(pki, [urlA]);
    try {
      const deadline = Date.now() + 5000;
      let servers: readonly string[] = [];
      while (Date.now() < deadline) {
        servers = await c.refreshServers().catch(() => []);
        if (servers.length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(servers, [urlA]);
    } finally {
      c.close();
    }
  });

  it('fails over to a server discovered from the Endpoints when the current one stops', async () => {
    const c = newClient(pki, [urlA]);
    try {
      await c.create(namespaces, { metadata: { name: 'fo' } });
      // Two servers on one IP: one subset each, with its own port (a valid Endpoints shape).
      c.setDiscoveredServers([urlA, urlB]);
      assert.deepEqual(c.servers, [urlA, urlB]);
      await c.create(configmaps('fo'), { metadata: { name: 'before' } });
      assert.equal(c.currentServer, urlA);
      await a.stop();
      // A GET, a create (refused connections are never-sent requests) and a watch all carry on.
      assert.equal((await c.get<ConfigMap>(cm('fo', 'before'))).metadata?.name, 'before');
      assert.equal(c.currentServer, urlB);
      await c.create(configmaps('fo'), { metadata: { name: 'after' } });
      const w = await c.watch(configmaps('fo'), { resourceVersion: '0' });
      w.close();
      await a.start();
      // Sticky: the client stays on B while B answers.
      await c.get(cm('fo', 'after'));
      assert.equal(c.currentServer, urlB);
      await b.stop();
      await c.get(cm('fo', 'after'));
      assert.equal(c.currentServer, urlA);
      await b.start();
    } finally {
      c.close();
    }
  });

  it('all servers down: ClientUnavailableError naming each', async () => {
    const dead1 = await rawServer(pki, () => undefined);
    const dead2 = await rawServer(pki, () => undefined);
    await closeRaw(dead1.server);
    await closeRaw(dead2.server);
    const c = newClient(pki, [dead1.url, dead2.url]);
    try {
      const err = await c.get(cm('fo', 'x')).catch((e: unknown) => e);
      assert.ok(err instanceof ClientUnavailableError);
      assert.equal(err.code, 'CLIENT_UNAVAILABLE');
      assert.deepEqual(
        err.failures.map((f) => f.server),
        [dead1.url, dead2.url],
      );
      assert.match(err.message, /ECONNREFUSED/);
    } finally {
      c.close();
    }
  });

  it('replays reads but not creates when a connection drops after the request was sent', async () => {
    const dropper = await rawServer(pki, (stream) => {
      stream.session?.destroy();
    });
    const c = newClient(pki, [dropper.url, urlA]);
    try {
      const got = await c.get<ConfigMap>(cm('fo', 'before'));
      assert.equal(got.metadata?.name, 'before');
      assert.equal(c.currentServer, urlA);
      const again = newClient(pki, [dropper.url, urlA]);
      try {
        const err = await again
          .create(configmaps('fo'), { metadata: { name: 'maybe' } })
          .catch((e: unknown) => e);
        assert.ok(err instanceof ClientUnavailableError, String(err));
        assert.equal(err.requestMayHaveReachedServer, true);
        await assert.rejects(c.get(cm('fo', 'maybe')), isNotFound);
        // A JSON patch is not replayed either; a merge patch is.
        await assert.rejects(
          again.patch(cm('fo', 'before'), [{ op: 'add', path: '/data', value: {} }], {
            type: 'json',
          }),
          ClientUnavailableError,
        );
        await again.patch(cm('fo', 'before'), { data: { m: '1' } }, { type: 'merge' });
      } finally {
        again.close();
      }
    } finally {
      c.close();
      await closeRaw(dropper.server);
    }
  });

  it('reconnects after a GOAWAY instead of reusing the closing session', async () => {
    const sessions = new Set<unknown>();
    const raw = await rawServer(pki, (stream) => {
      sessions.add(stream.session);
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end('{"kind":"ConfigMap","metadata":{"name":"x"}}');
      // A graceful close: GOAWAY; this stream finishes, new ones must use a new connection.
      stream.session?.close();
    });
    const c = newClient(pki, [raw.url]);
    try {
      for (let i = 0; i < 3; i++) await c.get(cm('fo', 'x'));
      assert.equal(sessions.size, 3);
    } finally {
      c.close();
      await closeRaw(raw.server);
    }
  });

  it('a silent server: PINGs end its watches and requests fail over', async () => {
    const port = Number(new URL(urlA).port);
    const proxy = await freezableProxy(port);
    const c = new RestClient({
      servers: [proxy.url, urlB],
      caPem: pki.ca.certificatePem,
      clientCertificatePem: pki.admin.certificatePem,
      clientKeyPem: pki.admin.keyPem,
      pingIntervalMs: 100,
      pingTimeoutMs: 200,
      connectTimeoutMs: 300,
      timeoutMs: 5000,
    });
    try {
      const watch = await c.watch(configmaps('fo'), { resourceVersion: '0' });
      assert.equal(c.currentServer, proxy.url);
      const ended = (async () => {
        let n = 0;
        for await (const event of watch) n += event.type === 'ERROR' ? 0 : 1;
        return n;
      })();
      proxy.freeze();
      const started = Date.now();
      await ended;
      assert.ok(Date.now() - started < 3000, 'the watch ended once PINGs went unanswered');
      // The silent server's connections hang: the connect timeout moves the request on.
      assert.equal((await c.get<ConfigMap>(cm('fo', 'before'))).metadata?.name, 'before');
      assert.equal(c.currentServer, urlB);
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it('fails a create over when the server refuses the stream (never processed)', async () => {
    const refuser = await rawServer(pki, (stream) => {
      stream.close(constants.NGHTTP2_REFUSED_STREAM);
    });
    const c = newClient(pki, [refuser.url, urlA]);
    try {
      const created = await c.create<ConfigMap>(configmaps('fo'), {
        metadata: { name: 'refused' },
      });
      assert.equal(created.metadata?.name, 'refused');
      assert.equal(c.currentServer, urlA);
      assert.equal(refuser.seen.length, 1);
    } finally {
      c.close();
      await closeRaw(refuser.server);
    }
  });
});
