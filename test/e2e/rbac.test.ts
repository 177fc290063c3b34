/**
 * RBAC with real kubectl 1.33 against an API server in RBAC mode: the admin (O=system:masters)
 * can do everything; a user "jane" (CN=jane) is refused with upstream's exact message until a
 * RoleBinding to `view` lets her list pods; `auth can-i --list --as=jane` (impersonation by the
 * admin) shows the view rules and `auth can-i create pods --as=jane` says no. Loopback only.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildKubeconfig } from '../../src/client/kubeconfig.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';

const V = '1.33';

let fixture: ApiServerFixture;
let janeConfig: string;

before(async () => {
  fixture = await startApiServerFixture(new MemoryStore(), { authorizationMode: 'RBAC' });
  const cert = await fixture.ca.issueClient({ commonName: 'jane' });
  // Its own directory: kubectl's cache dir and HOME sit beside the kubeconfig.
  const dir = join(fixture.dir, 'jane');
  mkdirSync(dir);
  janeConfig = join(dir, 'jane.conf');
  writeFileSync(
    janeConfig,
    buildKubeconfig({
      server: fixture.url,
      caPem: fixture.caPem,
      userName: 'jane',
      clientCertificatePem: cert.certificatePem,
      clientKeyPem: cert.keyPem,
    }),
    { mode: 0o600 },
  );
});

after(async () => {
  await fixture.stop();
});

describe(`kubectl ${V} with RBAC`, { skip: !hasKubectl(V) }, () => {
  const admin = (args: readonly string[]): ReturnType<typeof kubectl> =>
    kubectl(V, fixture.kubeconfigPath, args);
  const jane = (args: readonly string[]): ReturnType<typeof kubectl> =>
    kubectl(V, janeConfig, args);

  it('the admin can do everything', async () => {
    const r = await admin(['auth', 'can-i', '*', '*', '--all-namespaces']);
    assert.deepEqual([r.code, r.stdout], [0, 'yes\n'], r.stderr);
    const roles = await admin(['get', 'clusterroles', '-o', 'name']);
    assert.equal(roles.code, 0, roles.stderr);
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery'])
      assert.ok(roles.stdout.includes(`clusterrole.rbac.authorization.k8s.io/${name}\n`), name);
    const pods = await admin(['get', 'pods', '-n', 'kube-system']);
    assert.equal(pods.code, 0, pods.stderr);
  });

  it('jane is forbidden to list pods, in upstream words', async () => {
    const r = await jane(['get', 'pods', '-n', 'default']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"\n',
    );
  });

  it('a RoleBinding to view lets her list pods', async () => {
    const created = await admin([
      'create',
      'rolebinding',
      'jane-view',
      '--clusterrole=view',
      '--user=jane',
      '-n',
      'default',
    ]);
    assert.deepEqual(
      [created.code, created.stdout],
      [0, 'rolebinding.rbac.authorization.k8s.io/jane-view created\n'],
      created.stderr,
    );
    // The binding reaches the authorizer through its watch within milliseconds.
    let r = await jane(['get', 'pods', '-n', 'default']);
    for (let i = 0; i < 20 && r.code !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      r = await jane(['get', 'pods', '-n', 'default']);
    }
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [0, '', 'No resources found in default namespace.\n'],
    );
    const other = await jane(['get', 'pods', '-n', 'kube-system']);
    assert.equal(other.code, 1);
  });

  it('auth can-i --list --as=jane shows the view rules', async () => {
    const r = await admin(['auth', 'can-i', '--list', '--as=jane', '-n', 'default']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    const row = (resource: string): string | undefined =>
      lines.find((l) => l.split(/\s+/)[0] === resource);
    assert.match(row('pods') ?? '', /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/);
    assert.match(row('deployments.apps') ?? '', /\[get list watch\]$/);
    assert.match(
      row('selfsubjectrulesreviews.authorization.k8s.io') ?? '',
      /\[\]\s+\[\]\s+\[create\]$/,
    );
    assert.match(r.stdout, /\[\/api\/\*\]\s+\[\]\s+\[get\]/);
    assert.equal(row('secrets'), undefined);
  });

  it('auth can-i create pods --as=jane says no', async () => {
    const r = await admin(['auth', 'can-i', 'create', 'pods', '--as=jane', '-n', 'default']);
    assert.deepEqual([r.code, r.stdout], [1, 'no\n'], r.stderr);
    const list = await admin(['auth', 'can-i', 'list', 'pods', '--as=jane', '-n', 'default']);
    assert.deepEqual([list.code, list.stdout], [0, 'yes\n'], list.stderr);
    const self = await jane(['auth', 'can-i', 'list', 'pods', '-n', 'default']);
    assert.deepEqual([self.code, self.stdout], [0, 'yes\n'], self.stderr);
  });

  it('jane may not impersonate', async () => {
    const r = await jane(['get', 'pods', '-n', 'default', '--as=bob']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'Error from server (Forbidden): users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope\n',
    );
  });
});
