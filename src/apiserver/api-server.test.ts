import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ApiServer } from './api-server.ts';
import { MemoryStore } from '../storage/memory/memory-store.ts';

type Json = Record<string, unknown>;

let base = '';
const store = new MemoryStore();
const server = new ApiServer({ store, bookmarkIntervalMs: 100 });

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; text: string; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, headers: res.headers };
}

const cm = (
  name: string,
  data: Record<string, string> = {},
  labels: Record<string, string> = {},
): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

const meta = (o: Json): Json => o['metadata'] as Json;

before(async () => {
  base = (await server.start()).url;
  for (const ns of ['a', 'b']) {
    assert.equal(
      (await call('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status,
      201,
    );
    // What the serviceaccount controller would create: pods need it (ServiceAccount admission).
    assert.equal(
      (
        await call('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
          metadata: { name: 'default' },
        })
      ).status,
      201,
    );
  }
});
after(async () => {
  await server.stop();
  await store.close();
});

describe('API server over HTTP', () => {
  it('serves version, health and metrics', async () => {
    const v = await call('GET', '/version');
    assert.equal(v.json['gitVersion'], 'v1.33.0-k8ts.1');
    assert.equal((await call('GET', '/healthz')).text, 'ok');
    const verbose = await call('GET', '/readyz?verbose');
    assert.match(verbose.text, /\[\+\]etcd ok/);
    assert.match(verbose.text, /readyz check passed/);
    assert.equal((await call('GET', '/livez/ping')).text, 'ok');
    const metrics = await call('GET', '/metrics');
    assert.match(metrics.text, /apiserver_request_total\{verb="GET"/);
    assert.match(
      metrics.text,
      /apiserver_storage_request_duration_seconds_count\{operation="get",outcome="success"\} \d+/,
    );
  });

  it('creates with server-owned metadata and answers 201', async () => {
    const r = await call('POST', '/api/v1/namespaces/a/configmaps', cm('c1', { k: 'v' }));
    assert.equal(r.status, 201);
    const m = meta(r.json);
    assert.equal(m['namespace'], 'a');
    assert.match(String(m['uid']), /^[0-9a-f-]{36}$/);
    assert.match(String(m['creationTimestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(String(m['resourceVersion']), /^\d+$/);
    const got = await call('GET', '/api/v1/namespaces/a/configmaps/c1');
    assert.deepEqual(got.json, r.json);
  });

  it('generateName makes a unique name', async () => {
    const r = await call('POST', '/api/v1/namespaces/a/configmaps', {
      metadata: { generateName: 'gen-' },
    });
    assert.equal(r.status, 201);
    assert.match(String(meta(r.json)['name']), /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('answers upstream Status errors', async () => {
    const missing = await call('GET', '/api/v1/namespaces/a/configmaps/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'configmaps' },
      code: 404,
    });
    const dup = await call('POST', '/api/v1/namespaces/a/configmaps', cm('c1'));
    assert.equal(dup.status, 409);
    assert.equal(dup.json['reason'], 'AlreadyExists');
    assert.equal(dup.json['message'], 'configmaps "c1" already exists');
    const bad = await call('POST', '/api/v1/namespaces/a/configmaps', '{"metadata": ');
    assert.equal(bad.status, 400);
    assert.equal(bad.json['reason'], 'BadRequest');
    const media = await call('POST', '/api/v1/namespaces/a/configmaps', 'x', {
      'content-type': 'text/csv',
    });
    assert.equal(media.status, 415);
    const wrongKind = await call('POST', '/api/v1/namespaces/a/configmaps', {
      ...cm('c9'),
      kind: 'Secret',
    });
    assert.equal(wrongKind.status, 400);
    const wrongNs = await call('POST', '/api/v1/namespaces/a/configmaps', {
      metadata: { name: 'x', namespace: 'b' },
    });
    assert.equal(wrongNs.status, 400);
    assert.equal((await call('GET', '/api/v1/widgets')).status, 404);
    assert.equal((await call('GET', '/apis/apps/v1/namespaces/a/pods')).status, 404);
    const noName = await call('POST', '/api/v1/namespaces/a/configmaps', { metadata: {} });
    assert.equal(noName.status, 422);
    assert.equal(noName.json['reason'], 'Invalid');
  });

  it('refuses bodies over 3 MiB with 413 and stores nothing', async () => {
    const before = await store.currentRevision();
    const big = { ...cm('huge'), data: { x: 'y'.repeat(3 * 1024 * 1024 + 10) } };
    const r = await call('POST', '/api/v1/namespaces/a/configmaps', big);
    assert.equal(r.status, 413);
    assert.equal(r.json['reason'], 'RequestEntityTooLarge');
    assert.equal(await store.currentRevision(), before);
  });

  it('refuses creates in a missing or terminating namespace', async () => {
    const r = await call('POST', '/api/v1/namespaces/ghost/configmaps', cm('x'));
    assert.equal(r.status, 404);
    assert.equal(r.json['message'], 'namespaces "ghost" not found');
    await call('POST', '/api/v1/namespaces', {
      metadata: { name: 'dying', finalizers: ['example.com/hold'] },
    });
    const d = await call('DELETE', '/api/v1/namespaces/dying');
    assert.equal(d.status, 200);
    assert.ok(meta(d.json)['deletionTimestamp']);
    const r2 = await call('POST', '/api/v1/namespaces/dying/configmaps', cm('x'));
    assert.equal(r2.status, 403);
    assert.match(String(r2.json['message']), /because it is being terminated/);
  });

  it('updates with optimistic concurrency (409 on a stale resourceVersion)', async () => {
    const created = (await call('POST', '/api/v1/namespaces/a/configmaps', cm('u1', { v: '1' })))
      .json;
    const rv = meta(created)['resourceVersion'];
    const ok = await call('PUT', '/api/v1/namespaces/a/configmaps/u1', {
      ...created,
      data: { v: '2' },
    });
    assert.equal(ok.status, 200);
    assert.notEqual(meta(ok.json)['resourceVersion'], rv);
    const stale = await call('PUT', '/api/v1/namespaces/a/configmaps/u1', {
      ...created,
      data: { v: '3' },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json['reason'], 'Conflict');
    assert.equal(
      stale.json['message'],
      'Operation cannot be fulfilled on configmaps "u1": the object has been modified; please apply your changes to the latest version and try again',
    );
    const nameMismatch = await call('PUT', '/api/v1/namespaces/a/configmaps/u1', cm('other'));
    assert.equal(nameMismatch.status, 400);
  });

  it('status subresource: main updates keep status, status updates keep spec, generation counts spec', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd1' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        },
      },
      status: { replicas: 99 },
    };
    const created = (await call('POST', '/apis/apps/v1/namespaces/a/deployments', dep)).json;
    assert.equal(meta(created)['generation'], 1);
    const st = await call('PUT', '/apis/apps/v1/namespaces/a/deployments/d1/status', {
      ...created,
      spec: { ...dep.spec, replicas: 5 },
      status: { replicas: 1 },
    });
    assert.equal(st.status, 200);
    assert.deepEqual(st.json['status'], { replicas: 1 });
    assert.equal((st.json['spec'] as Json)['replicas'], 1);
    const up = await call('PUT', '/apis/apps/v1/namespaces/a/deployments/d1', {
      ...st.json,
      spec: { ...dep.spec, replicas: 3 },
      status: { replicas: 7 },
    });
    assert.equal(meta(up.json)['generation'], 2);
    assert.deepEqual(up.json['status'], { replicas: 1 });
    const scale = await call('GET', '/apis/apps/v1/namespaces/a/deployments/d1/scale');
    assert.equal(scale.json['kind'], 'Scale');
    assert.deepEqual(scale.json['spec'], { replicas: 3 });
    const put = await call('PUT', '/apis/apps/v1/namespaces/a/deployments/d1/scale', {
      ...scale.json,
      spec: { replicas: 4 },
    });
    assert.deepEqual(put.json['spec'], { replicas: 4 });
  });

  it('lists in pages at one resourceVersion', async () => {
    for (let i = 0; i < 5; i++)
      await call('POST', '/api/v1/namespaces/b/configmaps', cm(`p${String(i)}`));
    const p1 = await call('GET', '/api/v1/namespaces/b/configmaps?limit=2');
    const m1 = p1.json['metadata'] as Json;
    assert.equal((p1.json['items'] as Json[]).length, 2);
    assert.equal(m1['remainingItemCount'], 3);
    await call('DELETE', '/api/v1/namespaces/b/configmaps/p4');
    const p2 = await call(
      'GET',
      `/api/v1/namespaces/b/configmaps?limit=2&continue=${encodeURIComponent(String(m1['continue']))}`,
    );
    const p3 = await call(
      'GET',
      `/api/v1/namespaces/b/configmaps?limit=2&continue=${encodeURIComponent(String((p2.json['metadata'] as Json)['continue']))}`,
    );
    const names = [
      ...(p1.json['items'] as Json[]),
      ...(p2.json['items'] as Json[]),
      ...(p3.json['items'] as Json[]),
    ].map((o) => meta(o)['name']);
    assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4']);
    assert.equal((p2.json['metadata'] as Json)['resourceVersion'], m1['resourceVersion']);
    assert.equal(
      (await call('GET', '/api/v1/namespaces/b/configmaps?continue=garbage')).status,
      400,
    );
    const all = await call('GET', '/api/v1/configmaps');
    assert.ok((all.json['items'] as Json[]).length >= 6);
  });

  it('serves a Table when kubectl asks for one', async () => {
    const r = await call('GET', '/api/v1/namespaces/b/configmaps?limit=500', undefined, {
      accept:
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    });
    assert.equal(r.json['kind'], 'Table');
    assert.equal(r.json['apiVersion'], 'meta.k8s.io/v1');
    const rows = r.json['rows'] as { cells: unknown[]; object: Json }[];
    assert.equal(rows[0]?.object['kind'], 'PartialObjectMetadata');
  });

  it('watches from a resourceVersion, with bookmarks, and 410 on compacted history', async () => {
    const start = meta((await call('POST', '/api/v1/namespaces/b/configmaps', cm('w0'))).json)[
      'resourceVersion'
    ];
    const lines: Json[] = [];
    const ac = new AbortController();
    const watching = new Promise<void>((resolve, reject) => {
      const req = request(
        `${base}/api/v1/namespaces/b/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${String(start)}`,
        { signal: ac.signal },
        (res) => {
          let buf = '';
          res.on('data', (chunk: Buffer) => {
            buf += chunk.toString();
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
              lines.push(JSON.parse(buf.slice(0, i)) as Json);
              buf = buf.slice(i + 1);
              if (
                lines.some((l) => l['type'] === 'BOOKMARK') &&
                lines.filter((l) => l['type'] !== 'BOOKMARK').length >= 3
              )
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
    await call('POST', '/api/v1/namespaces/b/configmaps', cm('w1'));
    const w1 = (await call('GET', '/api/v1/namespaces/b/configmaps/w1')).json;
    await call('PUT', '/api/v1/namespaces/b/configmaps/w1', { ...w1, data: { x: 'y' } });
    await call('DELETE', '/api/v1/namespaces/b/configmaps/w1');
    await Promise.race([watching, new Promise((r) => setTimeout(r, 3000))]);
    ac.abort();
    const types = lines.filter((l) => l['type'] !== 'BOOKMARK').map((l) => l['type']);
    assert.deepEqual(types, ['ADDED', 'MODIFIED', 'DELETED']);
    assert.ok(lines.some((l) => l['type'] === 'BOOKMARK'));
    await store.compact(await store.currentRevision());
    const gone = await call(
      'GET',
      `/api/v1/namespaces/b/configmaps?watch=true&resourceVersion=${String(start)}`,
    );
    assert.equal(gone.status, 410);
    assert.equal(gone.json['reason'], 'Expired');
  });

  it('deletes with finalizers: deletionTimestamp first, gone once the last finalizer is removed', async () => {
    await call('POST', '/api/v1/namespaces/a/configmaps', {
      ...cm('f1'),
      metadata: { name: 'f1', finalizers: ['example.com/x'] },
    });
    const d = await call('DELETE', '/api/v1/namespaces/a/configmaps/f1');
    assert.equal(d.status, 200);
    const obj = (await call('GET', '/api/v1/namespaces/a/configmaps/f1')).json;
    assert.ok(meta(obj)['deletionTimestamp']);
    const cleared = await call('PUT', '/api/v1/namespaces/a/configmaps/f1', {
      ...obj,
      metadata: { ...meta(obj), finalizers: [] },
    });
    assert.equal(cleared.status, 200);
    assert.equal((await call('GET', '/api/v1/namespaces/a/configmaps/f1')).status, 404);
  });

  it('delete answers a Success Status; preconditions are checked', async () => {
    const c = (await call('POST', '/api/v1/namespaces/a/configmaps', cm('del1'))).json;
    const pre = await call('DELETE', '/api/v1/namespaces/a/configmaps/del1', {
      preconditions: { uid: 'wrong' },
    });
    assert.equal(pre.status, 409);
    const r = await call('DELETE', '/api/v1/namespaces/a/configmaps/del1', {
      propagationPolicy: 'Background',
    });
    assert.equal(r.status, 200);
    assert.equal(r.json['status'], 'Success');
    assert.equal((r.json['details'] as Json)['uid'], meta(c)['uid']);
    assert.equal((await call('DELETE', '/api/v1/namespaces/a/configmaps/del1')).status, 404);
  });

  it('has the system namespaces and a kubernetes Service listing this server', async () => {
    const ns = await call('GET', '/api/v1/namespaces');
    const names = (ns.json['items'] as Json[]).map((o) => meta(o)['name']);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      assert.ok(names.includes(n), n);
    const svc = await call('GET', '/api/v1/namespaces/default/services/kubernetes');
    assert.equal((svc.json['spec'] as Json)['clusterIP'], '10.96.0.1');
    const ep = await call('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    const subsets = ep.json['subsets'] as {
      addresses: { ip: string }[];
      ports: { port: number }[];
    }[];
    assert.deepEqual(subsets[0]?.addresses, [{ ip: '127.0.0.1' }]);
    assert.equal(subsets[0].ports[0]!.port, Number(new URL(base).port));
  });

  it('deletes a namespace in two steps: Terminating, then gone once finalized', async () => {
    await call('POST', '/api/v1/namespaces', {
      metadata: { name: 'gone' },
      spec: { finalizers: ['kubernetes'] },
    });
    const d = await call('DELETE', '/api/v1/namespaces/gone');
    assert.equal(d.status, 200);
    const ns = (await call('GET', '/api/v1/namespaces/gone')).json;
    assert.equal((ns['status'] as Json)['phase'], 'Terminating');
    assert.ok(meta(ns)['deletionTimestamp']);
    const fin = await call('PUT', '/api/v1/namespaces/gone/finalize', {
      ...ns,
      spec: { finalizers: [] },
    });
    assert.equal(fin.status, 200);
    assert.equal((await call('GET', '/api/v1/namespaces/gone')).status, 404);
  });

  it('evicts a pod only while its PodDisruptionBudget allows it (429 otherwise)', async () => {
    const pod = (n: string): Json => ({
      metadata: { name: n, labels: { app: 'e' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    for (const n of ['e1', 'e2']) {
      await call('POST', '/api/v1/namespaces/b/pods', pod(n));
      const p = (await call('GET', `/api/v1/namespaces/b/pods/${n}`)).json;
      await call('PUT', `/api/v1/namespaces/b/pods/${n}/status`, {
        ...p,
        status: { phase: 'Running' },
      });
    }
    const pdb = (
      await call('POST', '/apis/policy/v1/namespaces/b/poddisruptionbudgets', {
        metadata: { name: 'pdb' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'e' } } },
      })
    ).json;
    await call('PUT', '/apis/policy/v1/namespaces/b/poddisruptionbudgets/pdb/status', {
      ...pdb,
      status: {
        disruptionsAllowed: 1,
        currentHealthy: 2,
        desiredHealthy: 1,
        expectedPods: 2,
        observedGeneration: meta(pdb)['generation'] ?? 1,
      },
    });
    const eviction = (n: string): Json => ({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: n, namespace: 'b' },
    });
    const first = await call('POST', '/api/v1/namespaces/b/pods/e1/eviction', eviction('e1'));
    assert.equal(first.status, 201);
    assert.equal((await call('GET', '/api/v1/namespaces/b/pods/e1')).status, 404);
    const second = await call('POST', '/api/v1/namespaces/b/pods/e2/eviction', eviction('e2'));
    assert.equal(second.status, 429);
    assert.equal(
      second.json['message'],
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert.equal((await call('GET', '/api/v1/namespaces/b/pods/e2')).status, 200);
    const after = (await call('GET', '/apis/policy/v1/namespaces/b/poddisruptionbudgets/pdb')).json;
    assert.equal((after['status'] as Json)['disruptionsAllowed'], 0);
    assert.ok(((after['status'] as Json)['disruptedPods'] as Json)['e1']);
  });

  it('allocates Service ClusterIPs and NodePorts once across the cluster, and frees them', async () => {
    const svc = (name: string, spec: Json): Json => ({
      metadata: { name },
      spec: { ports: [{ port: 80 }], ...spec },
    });
    const a = (await call('POST', '/api/v1/namespaces/a/services', svc('s1', { type: 'NodePort' })))
      .json;
    const ip = (a['spec'] as Json)['clusterIP'] as string;
    assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    assert.notEqual(ip, '10.96.0.1');
    assert.deepEqual((a['spec'] as Json)['clusterIPs'], [ip]);
    const nodePort = ((a['spec'] as Json)['ports'] as Json[])[0]!['nodePort'] as number;
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    const taken = await call('POST', '/api/v1/namespaces/a/services', svc('s2', { clusterIP: ip }));
    assert.equal(taken.status, 422);
    assert.match(String(taken.json['message']), /provided IP is already allocated/);
    const kube = await call(
      'POST',
      '/api/v1/namespaces/a/services',
      svc('s3', { clusterIP: '10.96.0.1' }),
    );
    assert.equal(kube.status, 422);
    const outside = await call(
      'POST',
      '/api/v1/namespaces/a/services',
      svc('s4', { clusterIP: '192.168.0.1' }),
    );
    assert.equal(outside.status, 422);
    const headless = (
      await call('POST', '/api/v1/namespaces/a/services', svc('s5', { clusterIP: 'None' }))
    ).json;
    assert.equal((headless['spec'] as Json)['clusterIP'], 'None');
    assert.equal((await call('DELETE', '/api/v1/namespaces/a/services/s1')).status, 200);
    const again = await call(
      'POST',
      '/api/v1/namespaces/a/services',
      svc('s6', { clusterIP: ip, type: 'NodePort', ports: [{ port: 80, nodePort }] }),
    );
    assert.equal(again.status, 201, JSON.stringify(again.json));
  });

  it('serves one Event store through core/v1 and events.k8s.io/v1, as upstream', async () => {
    const core = await call('POST', '/api/v1/namespaces/a/events', {
      metadata: { name: 'ev1' },
      involvedObject: { kind: 'Pod', name: 'p1', namespace: 'a' },
      reason: 'Scheduled',
      message: 'Successfully assigned a/p1 to n1',
      type: 'Normal',
      count: 1,
    });
    assert.equal(core.status, 201, JSON.stringify(core.json));
    const viaV1 = (await call('GET', '/apis/events.k8s.io/v1/namespaces/a/events/ev1')).json;
    assert.equal(viaV1['apiVersion'], 'events.k8s.io/v1');
    assert.equal(viaV1['note'], 'Successfully assigned a/p1 to n1');
    assert.deepEqual(viaV1['regarding'], { kind: 'Pod', name: 'p1', namespace: 'a' });
    assert.equal(meta(viaV1)['resourceVersion'], meta(core.json)['resourceVersion']);
    const made = await call('POST', '/apis/events.k8s.io/v1/namespaces/a/events', {
      metadata: { name: 'ev2' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'k8ts.io/test',
      reportingInstance: 'x',
      action: 'Testing',
      reason: 'Tested',
      regarding: { kind: 'Pod', name: 'p1', namespace: 'a' },
      note: 'made through events.k8s.io',
      type: 'Normal',
    });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const viaCore = (await call('GET', '/api/v1/namespaces/a/events/ev2')).json;
    assert.equal(viaCore['apiVersion'], 'v1');
    assert.equal(viaCore['message'], 'made through events.k8s.io');
    assert.equal(viaCore['reportingComponent'], 'k8ts.io/test');
    const names = (
      (await call('GET', '/apis/events.k8s.io/v1/namespaces/a/events')).json['items'] as Json[]
    ).map((e) => meta(e)['name']);
    assert.deepEqual(names, ['ev1', 'ev2']);
  });

  it('binds a pod to a node once (pods/binding)', async () => {
    const pod = { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    assert.equal((await call('POST', '/api/v1/namespaces/a/pods', pod)).status, 201);
    const bind = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'p1' },
      target: { kind: 'Node', name: 'n1' },
    };
    const r = await call('POST', '/api/v1/namespaces/a/pods/p1/binding', bind);
    assert.equal(r.status, 201);
    assert.equal(r.json['status'], 'Success');
    const got = (await call('GET', '/api/v1/namespaces/a/pods/p1')).json;
    assert.equal((got['spec'] as Json)['nodeName'], 'n1');
    const conds = ((got['status'] as Json)['conditions'] as Json[]).map((c) => [
      c['type'],
      c['status'],
    ]);
    assert.deepEqual(conds, [['PodScheduled', 'True']]);
    const again = await call('POST', '/api/v1/namespaces/a/pods/p1/binding', {
      ...bind,
      target: { kind: 'Node', name: 'n2' },
    });
    assert.equal(again.status, 409);
    assert.match(String(again.json['message']), /already assigned to node "n1"/);
  });

  it('serves legacy and aggregated discovery', async () => {
    const api = await call('GET', '/api');
    assert.deepEqual(api.json['versions'], ['v1']);
    const apis = await call('GET', '/apis');
    assert.ok((apis.json['groups'] as Json[]).some((g) => g['name'] === 'apps'));
    const v1 = await call('GET', '/api/v1');
    assert.ok((v1.json['resources'] as Json[]).some((r) => r['name'] === 'pods/status'));
    const agg = await call('GET', '/apis', undefined, {
      accept:
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    assert.equal(agg.json['kind'], 'APIGroupDiscoveryList');
    assert.equal(agg.json['apiVersion'], 'apidiscovery.k8s.io/v2');
    assert.match(
      agg.headers.get('content-type') ?? '',
      /g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList/,
    );
    const beta = await call('GET', '/api', undefined, {
      accept:
        'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
    });
    assert.equal(beta.json['apiVersion'], 'apidiscovery.k8s.io/v2beta1');
  });
});
