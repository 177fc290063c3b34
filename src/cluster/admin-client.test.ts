import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RestClient } from '../client/index.ts';
import { MemoryStore } from '../storage/memory/memory-store.ts';
import { startApiServerFixture } from '../../test/harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../../test/harness/api-server-fixture.ts';
import {
  AdminNotAllowedError,
  RBAC,
  clusterAdminsBinding,
  createOrUpdate,
  waitUntilAllowed,
} from './admin-client.ts';

describe('waitUntilAllowed', () => {
  let api: ApiServerFixture;
  const clients: RestClient[] = [];

  /** A client for a user the fixture's CA vouches for. */
  const clientFor = async (user: string, groups: string[]): Promise<RestClient> => {
    const cert = await api.ca.issueClient({ commonName: user, organizations: groups });
    const c = new RestClient({
      servers: [api.url],
      caPem: api.caPem,
      clientCertificatePem: cert.certificatePem,
      clientKeyPem: cert.keyPem,
    });
    clients.push(c);
    return c;
  };

  before(async () => {
    api = await startApiServerFixture(new MemoryStore(), { authorizationMode: 'RBAC' });
  });
  after(async () => {
    for (const c of clients) c.close();
    await api.stop();
  });

  it('fails with a typed, coded error when the user stays refused', async () => {
    const client = await clientFor('someone', ['kubeadm:cluster-admins']);
    const started = Date.now();
    await assert.rejects(waitUntilAllowed(client, { timeoutMs: 300, pollMs: 20 }), (err) => {
      assert.ok(err instanceof AdminNotAllowedError);
      assert.equal(err.code, 'ADMIN_NOT_ALLOWED');
      assert.match(err.message, /admin\.conf is still not allowed 0\.3 s after/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'bounded by its timeout');
  });

  it('resolves once the kubeadm:cluster-admins binding reaches the authorizer', async () => {
    const admin = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'));
    clients.push(admin);
    assert.equal(
      await createOrUpdate(admin, RBAC('clusterrolebindings'), clusterAdminsBinding()),
      'created',
    );
    const client = await clientFor('kubernetes-admin', ['kubeadm:cluster-admins']);
    await waitUntilAllowed(client, { timeoutMs: 20_000 });
  });
});
