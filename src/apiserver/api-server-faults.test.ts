import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { ApiServer } from './api-server.ts';
import type { Authorizer } from './authz/authorizer.ts';
import { EtcdStore } from '../storage/etcd/etcd-store.ts';
import { MemoryStore } from '../storage/memory/memory-store.ts';

type Json = Record<string, unknown>;

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    /* plain text */
  }
  return { status: res.status, json, text, ms: performance.now() - t0 };
}

describe('API server faults', () => {
  // An "etcd" that accepts connections and never answers: the worst case for hangs.
  let blackhole: Server;
  const held = new Set<Socket>();
  let store: EtcdStore;
  let server: ApiServer;
  let base = '';

  before(async () => {
    blackhole = createServer((socket) => {
      held.add(socket);
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as AddressInfo).port;
    store = new EtcdStore({
      endpoints: [`http://127.0.0.1:${String(port)}`],
      requestTimeoutMs: 500,
      dialTimeoutMs: 500,
    });
    server = new ApiServer({ store, endpointReconciler: false });
    // Starting runs the system-namespace bootstrap, which must fail fast, not hang.
    await assert.rejects(server.start());
    server = new ApiServer({ store, endpointReconciler: false, bootstrapNamespaces: false });
    base = (await server.start()).url;
  });
  after(async () => {
    await server.stop();
    await store.close();
    for (const socket of held) socket.destroy();
    blackhole.close();
  });

  it('answers 503 ServiceUnavailable (not a hang, not a 500) when the store does not answer', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/namespaces/default/configmaps/x', undefined],
      ['GET', '/api/v1/configmaps', undefined],
      ['POST', '/api/v1/namespaces', { metadata: { name: 'x' } }],
    ] as const) {
      const r = await call(base, method, path, body);
      assert.equal(r.status, 503, `${method} ${path}: ${r.text}`);
      assert.equal(r.json['reason'], 'ServiceUnavailable');
      assert.ok(r.ms < 5000, `${method} ${path} took ${String(r.ms)} ms`);
    }
  });

  it('fails /readyz with the etcd check named, and stays live', async () => {
    const ready = await call(base, 'GET', '/readyz?verbose');
    assert.equal(ready.status, 500);
    assert.match(ready.text, /\[-\]etcd failed: reason withheld/);
    assert.equal((await call(base, 'GET', '/livez')).status, 200);
  });
});

describe('API server authentication and authorization errors', () => {
  const deny: Authorizer = {
    authorize: (user, req) =>
      Promise.resolve(
        req.isResourceRequest && req.verb === 'delete'
          ? { allowed: false, reason: 'no delete for you' }
          : { allowed: true },
      ),
    rulesFor: () => Promise.resolve({ resourceRules: [], nonResourceRules: [], incomplete: true }),
  };
  const store = new MemoryStore();
  const open = new ApiServer({ store, endpointReconciler: false, authorizer: deny });
  const closed = new ApiServer({ store, endpointReconciler: false, allowAnonymous: false });
  let openBase = '';
  let closedBase = '';
  before(async () => {
    openBase = (await open.start()).url;
    closedBase = (await closed.start()).url;
  });
  after(async () => {
    await open.stop();
    await closed.stop();
    await store.close();
  });

  it('401 without credentials when anonymous requests are off', async () => {
    const r = await call(closedBase, 'GET', '/api/v1/namespaces');
    assert.equal(r.status, 401);
    assert.equal(r.json['reason'], 'Unauthorized');
  });

  it('403 Forbidden with upstream wording when the authorizer denies', async () => {
    const r = await call(openBase, 'DELETE', '/api/v1/namespaces/default');
    assert.equal(r.status, 403);
    assert.equal(r.json['reason'], 'Forbidden');
    assert.equal(
      r.json['message'],
      'namespaces "default" is forbidden: User "system:anonymous" cannot delete resource "namespaces" in API group "" at the cluster scope: no delete for you',
    );
  });

  it('405 for a verb the kind does not serve, 404 for unknown paths', async () => {
    const r = await call(openBase, 'GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    assert.equal(r.status, 405);
    assert.equal(r.json['reason'], 'MethodNotAllowed');
    assert.equal((await call(openBase, 'GET', '/apis/nope.example/v1/things')).status, 404);
    assert.equal((await call(openBase, 'POST', '/healthz')).status, 405);
  });
});
