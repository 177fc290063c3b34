// The ServiceAccount admission plugin in the API server's request path: a POST and a
// server-side apply of a pod both get the default account and the token volume, a missing
// account is a 403 Status (also on dry-run), an account created a moment ago is found, the
// account cannot change afterwards (pod spec immutability), and `disableAdmissionPlugins`
// turns it off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../api-server.ts';
import { MemoryStore } from '../../storage/memory/memory-store.ts';

type Json = Record<string, unknown>;

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

const pod = (name: string, spec: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const specOf = (o: Json): Json => o['spec'] as Json;

describe('ServiceAccount admission over HTTP', () => {
  const store = new MemoryStore();
  const server = new ApiServer({ store });
  let base = '';
  const api = (method: string, path: string, body?: unknown, type?: string) =>
    call(base, method, path, body, type);
  before(async () => {
    base = (await server.start()).url;
    await api('POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
  });
  after(async () => {
    await server.stop();
    await store.close();
  });

  it('refuses a pod whose namespace has no default account yet (also on dry-run)', async () => {
    for (const q of ['', '?dryRun=All']) {
      const r = await api('POST', `/api/v1/namespaces/team/pods${q}`, pod('early'));
      assert.equal(r.status, 403);
      assert.equal(r.json['reason'], 'Forbidden');
      assert.equal(
        r.json['message'],
        'pods "early" is forbidden: error looking up service account team/default: serviceaccount "default" not found',
      );
    }
    assert.equal((await api('GET', '/api/v1/namespaces/team/pods/early')).status, 404);
  });

  it('admits it once the account exists, with the token volume mounted', async () => {
    const sa = await api('POST', '/api/v1/namespaces/team/serviceaccounts', {
      metadata: { name: 'default' },
    });
    assert.equal(sa.status, 201);
    const r = await api('POST', '/api/v1/namespaces/team/pods', pod('p'));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const spec = specOf(r.json);
    assert.equal(spec['serviceAccountName'], 'default');
    assert.equal(spec['serviceAccount'], 'default');
    const volumes = spec['volumes'] as Json[];
    assert.equal(volumes.length, 1);
    const name = String(volumes[0]?.['name']);
    assert.match(name, /^kube-api-access-[a-z0-9]{5}$/);
    const c = (spec['containers'] as Json[])[0] ?? {};
    assert.deepEqual(c['volumeMounts'], [
      { name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ]);
  });

  it('server-side apply creates go through it too', async () => {
    const r = await api(
      'PATCH',
      '/api/v1/namespaces/team/pods/applied?fieldManager=test',
      pod('applied', { serviceAccountName: 'nobody' }),
      'application/apply-patch+yaml',
    );
    assert.equal(r.status, 403);
    assert.match(String(r.json['message']), /serviceaccount "nobody" not found$/);
    const ok = await api(
      'PATCH',
      '/api/v1/namespaces/team/pods/applied?fieldManager=test',
      pod('applied'),
      'application/apply-patch+yaml',
    );
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal(specOf(ok.json)['serviceAccountName'], 'default');
  });

  it('the account of a pod cannot change', async () => {
    await api('POST', '/api/v1/namespaces/team/serviceaccounts', { metadata: { name: 'other' } });
    const r = await api(
      'PATCH',
      '/api/v1/namespaces/team/pods/p',
      { spec: { serviceAccountName: 'other' } },
      'application/merge-patch+json',
    );
    assert.equal(r.status, 422);
    assert.match(String(r.json['message']), /pod updates may not change fields/);
  });
});

describe('ServiceAccount admission disabled', () => {
  it('admits pods unchanged when disableAdmissionPlugins names it', async () => {
    const store = new MemoryStore();
    const server = new ApiServer({ store, disableAdmissionPlugins: ['ServiceAccount'] });
    const base = (await server.start()).url;
    try {
      const r = await call(base, 'POST', '/api/v1/namespaces/default/pods', pod('p'));
      assert.equal(r.status, 201);
      assert.equal(specOf(r.json)['serviceAccountName'], undefined);
      assert.equal(specOf(r.json)['volumes'], undefined);
    } finally {
      await server.stop();
      await store.close();
    }
  });
});
