/**
 * Two API servers on one real 3-member etcd are indistinguishable to clients: a write through
 * one reaches a watch on the other with the same resourceVersion, a list on either returns the
 * same objects at the same revision, and the `default/kubernetes` Endpoints list exactly the live
 * servers (a graceful stop leaves at once; a silent one leaves when its lease TTL runs out).
 * The servers listen on their own loopback addresses (127.0.0.11/.12) on one port, as upstream
 * replicas share the secure port.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ApiServer } from '../../src/apiserver/api-server.ts';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.ts';
import { startEtcdCluster } from '../harness/etcd-cluster.ts';
import type { EtcdCluster } from '../harness/etcd-cluster.ts';
import { freePort } from '../harness/free-port.ts';

type Json = Record<string, unknown>;

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function endpointIps(base: string): Promise<string[]> {
  const ep = (await call(base, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes')).json;
  const subsets = (ep['subsets'] ?? []) as { addresses?: { ip: string }[] }[];
  return (subsets[0]?.addresses ?? []).map((a) => a.ip).sort();
}

async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}

describe('API server replicas on one etcd', () => {
  let cluster: EtcdCluster;
  const servers: ApiServer[] = [];
  const stores: EtcdStore[] = [];
  const bases: string[] = [];

  before(async () => {
    cluster = await startEtcdCluster({ members: 3 });
    const port = await freePort();
    for (const ip of ['127.0.0.11', '127.0.0.12']) {
      const store = new EtcdStore({ endpoints: cluster.endpoints });
      const server = new ApiServer({
        store,
        host: ip,
        port,
        endpointReconcileIntervalMs: 300,
        endpointLeaseTtlSeconds: 2,
      });
      const { url } = await server.start();
      stores.push(store);
      servers.push(server);
      bases.push(url);
    }
  });

  after(async () => {
    for (const s of servers) await s.stop();
    for (const s of stores) await s.close();
    await cluster.stop();
  });

  it('streams a write made on one server to a watch on the other, with the same resourceVersion', async () => {
    const [a, b] = bases as [string, string];
    assert.equal(
      (await call(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'shared' } })).status,
      201,
    );
    const start = (
      (await call(b, 'GET', '/api/v1/namespaces/shared/configmaps')).json['metadata'] as Json
    )['resourceVersion'];
    const events: Json[] = [];
    const ac = new AbortController();
    const watching = new Promise<void>((resolve, reject) => {
      const req = request(
        `${b}/api/v1/namespaces/shared/configmaps?watch=true&resourceVersion=${String(start)}`,
        { signal: ac.signal },
        (res) => {
          let buf = '';
          res.on('data', (chunk: Buffer) => {
            buf += chunk.toString();
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
              events.push(JSON.parse(buf.slice(0, i)) as Json);
              buf = buf.slice(i + 1);
              resolve();
            }
          });
          res.on('error', () => {
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        if (!ac.signal.aborted) reject(e);
      });
      req.end();
    });
    const created = await call(a, 'POST', '/api/v1/namespaces/shared/configmaps', {
      metadata: { name: 'x' },
      data: { k: 'v' },
    });
    assert.equal(created.status, 201);
    await Promise.race([watching, new Promise((r) => setTimeout(r, 10_000))]);
    ac.abort();
    assert.equal(events[0]?.['type'], 'ADDED');
    const seen = events[0]['object'] as Json;
    assert.equal(
      (seen['metadata'] as Json)['resourceVersion'],
      (created.json['metadata'] as Json)['resourceVersion'],
    );
    const listA = (await call(a, 'GET', '/api/v1/namespaces/shared/configmaps')).json;
    const listB = (await call(b, 'GET', '/api/v1/namespaces/shared/configmaps')).json;
    assert.deepEqual(listA['items'], listB['items']);
    // A stale write through the other replica is refused: resourceVersions mean the same on both.
    const stale = await call(b, 'PUT', '/api/v1/namespaces/shared/configmaps/x', {
      ...created.json,
      data: { k: 'w' },
    });
    assert.equal(stale.status, 200);
    const again = await call(a, 'PUT', '/api/v1/namespaces/shared/configmaps/x', {
      ...created.json,
      data: { k: 'z' },
    });
    assert.equal(again.status, 409);
  });

  it('lists exactly the live servers in the kubernetes Endpoints', async () => {
    const [a, b] = bases as [string, string];
    await until(
      'both servers in the endpoints',
      () => endpointIps(a),
      (ips) => ips.length === 2,
    );
    assert.deepEqual(await endpointIps(b), ['127.0.0.11', '127.0.0.12']);
    // A graceful stop removes the server at once.
    await servers[0]!.stop();
    const ips = await until(
      'the stopped server to leave',
      () => endpointIps(b),
      (v) => v.length === 1,
    );
    assert.deepEqual(ips, ['127.0.0.12']);
  });

  it('drops a server that went silent once its lease expires', async () => {
    const b = bases[1]!;
    // A third "server" that renewed once and died: its lease key expires after the TTL.
    await stores[1]!.create('/registry/masterleases/127.0.0.13', Buffer.from('{}'), {
      ttlSeconds: 2,
    });
    await until(
      'the silent server to appear',
      () => endpointIps(b),
      (v) => v.includes('127.0.0.13'),
    );
    const ips = await until(
      'the silent server to expire',
      () => endpointIps(b),
      (v) => !v.includes('127.0.0.13'),
      15_000,
    );
    assert.deepEqual(ips, ['127.0.0.12']);
  });
});
