// RBAC end to end over HTTPS with client certificates: the bootstrap policy in force, upstream's
// 403 messages, RoleBindings taking effect, access reviews and impersonation.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, test } from 'node:test';
import { MemoryStore } from '../../../storage/memory/memory-store.ts';
import { startApiServerFixture } from '../../../../test/harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../../../../test/harness/api-server-fixture.ts';

interface Identity {
  readonly cert?: string;
  readonly key?: string;
}

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

let fx: ApiServerFixture;
let admin: Identity;
let jane: Identity;

function call(
  who: Identity,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string | string[]> = {},
): Promise<Reply> {
  const url = new URL(path, fx.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        ca: fx.caPem,
        ...(who.cert === undefined ? {} : { cert: who.cert, key: who.key }),
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { text };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('condition not reached in 2 s');
}

before(async () => {
  fx = await startApiServerFixture(new MemoryStore(), { authorizationMode: 'RBAC' });
  const adminCert = await fx.ca.issueClient({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
  });
  admin = { cert: adminCert.certificatePem, key: adminCert.keyPem };
  const janeCert = await fx.ca.issueClient({ commonName: 'jane' });
  jane = { cert: janeCert.certificatePem, key: janeCert.keyPem };
});

after(async () => {
  await fx.stop();
});

test('system:masters is cluster-admin through the bootstrap binding', async () => {
  assert.equal((await call(admin, 'GET', '/api/v1/namespaces/default/pods')).status, 200);
  assert.equal((await call(admin, 'GET', '/api/v1/nodes')).status, 200);
  assert.equal((await call(admin, 'GET', '/metrics')).status, 200);
  const crb = await call(
    admin,
    'GET',
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin',
  );
  assert.equal(crb.status, 200);
});

test('a user without bindings gets upstream 403s', async () => {
  const pods = await call(jane, 'GET', '/api/v1/namespaces/default/pods');
  assert.equal(pods.status, 403);
  assert.equal(
    pods.body['message'],
    'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
  );
  assert.equal((pods.body['details'] as { kind?: string }).kind, 'pods');
  const status = await call(jane, 'GET', '/api/v1/namespaces/default/pods/p/status');
  assert.equal(
    status.body['message'],
    'pods "p" is forbidden: User "jane" cannot get resource "pods/status" in API group "" in the namespace "default"',
  );
  const nodes = await call(jane, 'GET', '/api/v1/nodes');
  assert.equal(
    nodes.body['message'],
    'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
  );
  const metrics = await call(jane, 'GET', '/metrics');
  assert.equal(metrics.status, 403);
  assert.equal(metrics.body['message'], 'forbidden: User "jane" cannot get path "/metrics"');
  // Discovery and public info are bound to every authenticated user.
  assert.equal((await call(jane, 'GET', '/api')).status, 200);
  assert.equal((await call(jane, 'GET', '/apis/apps/v1')).status, 200);
  assert.equal((await call(jane, 'GET', '/version')).status, 200);
});

test('anonymous requests see only public info', async () => {
  assert.equal((await call({}, 'GET', '/healthz')).status, 200);
  assert.equal((await call({}, 'GET', '/version')).status, 200);
  const api = await call({}, 'GET', '/api');
  assert.equal(api.status, 403);
  assert.equal(api.body['message'], 'forbidden: User "system:anonymous" cannot get path "/api"');
});

test('a RoleBinding to view lets jane read pods in that namespace only', async () => {
  const created = await call(
    admin,
    'POST',
    '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'jane-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
    },
  );
  assert.equal(created.status, 201);
  await eventually(
    async () => (await call(jane, 'GET', '/api/v1/namespaces/default/pods')).status === 200,
  );
  assert.equal((await call(jane, 'GET', '/api/v1/namespaces/kube-system/pods')).status, 403);
  const create = await call(jane, 'POST', '/api/v1/namespaces/default/configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x' },
  });
  assert.equal(create.status, 403);
  // kubectl auth can-i create pods: a SelfSubjectAccessReview.
  const review = await call(
    jane,
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
    },
  );
  assert.equal(review.status, 201);
  assert.deepEqual(review.body['status'], { allowed: false, reason: '' });
});

test('impersonation: allowed for admins, with upstream messages otherwise', async () => {
  const asJane = { 'Impersonate-User': 'jane' };
  const rules = await call(
    admin,
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      spec: { namespace: 'default' },
    },
    asJane,
  );
  assert.equal(rules.status, 201);
  const status = rules.body['status'] as { resourceRules: { resources: string[] }[] };
  const resources = status.resourceRules.flatMap((r) => r.resources);
  assert.ok(resources.includes('pods'));
  assert.ok(resources.includes('selfsubjectrulesreviews'));
  assert.ok(!resources.includes('*'));
  // The impersonated user is jane with system:authenticated.
  const who = await call(
    admin,
    'POST',
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    { ...asJane, 'Impersonate-Group': ['devs', 'ops'] },
  );
  assert.deepEqual((who.body['status'] as { userInfo: unknown }).userInfo, {
    username: 'jane',
    groups: ['devs', 'ops', 'system:authenticated'],
  });
  assert.equal(
    (await call(admin, 'GET', '/api/v1/namespaces/default/pods', undefined, asJane)).status,
    200,
  );
  assert.equal(
    (await call(admin, 'GET', '/api/v1/namespaces/kube-system/pods', undefined, asJane)).status,
    403,
  );
  const denied = await call(jane, 'GET', '/api/v1/namespaces/default/pods', undefined, {
    'Impersonate-User': 'bob',
  });
  assert.equal(denied.status, 403);
  assert.equal(
    denied.body['message'],
    'users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope',
  );
  const sa = await call(jane, 'GET', '/api/v1/namespaces/default/pods', undefined, {
    'Impersonate-User': 'system:serviceaccount:kube-system:builder',
  });
  assert.equal(
    sa.body['message'],
    'serviceaccounts "builder" is forbidden: User "jane" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"',
  );
  const noUser = await call(admin, 'GET', '/api', undefined, { 'Impersonate-Group': 'g' });
  assert.equal(noUser.status, 500);
  assert.equal(
    noUser.body['message'],
    'Internal error occurred: requested [{Group  g    }] without impersonating a user',
  );
});
