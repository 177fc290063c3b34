// The Node authorizer and NodeRestriction end to end over HTTPS, with a node's client
// certificate (system:node:n1 in system:nodes) against an API server running kubeadm's
// `Node,RBAC` and NodeRestriction; plus what the TLS bootstrap and the controller manager's
// service-account credentials rely on: CSRs carry their requestor, controllers get tokens.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RestClient, isForbidden } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/client/index.ts';
import { ServiceAccountClients } from '../../src/controllers/service-account-clients.ts';
import { createCertificateRequest, generateServiceAccountKey } from '../../src/pki/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';

let fx: ApiServerFixture;
let admin: RestClient;
let n1: RestClient;

const NODES = { group: '', version: 'v1', plural: 'nodes' };
const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };
const SECRETS = { group: '', version: 'v1', plural: 'secrets', namespace: 'default' };
const LEASES = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespace: 'kube-node-lease',
};
const CSRS = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' };

const node = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
});
const secret = (name: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { k: 'dg==' } }) as KubeObject;

async function forbidden(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isForbidden(e), String(e));
    assert.match((e as Error).message, message);
    return true;
  });
}

async function eventually(check: () => Promise<void>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await check();
      return;
    } catch (err: unknown) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

before(async () => {
  const saKey = await generateServiceAccountKey('ECDSA-P256');
  fx = await startApiServerFixture(new MemoryStore(), {
    authorizationMode: ['Node', 'RBAC'],
    enableAdmissionPlugins: ['NodeRestriction'],
    serviceAccountSigningKeyPem: saKey.privateKeyPem,
  });
  const a = await fx.ca.issueClient({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
  });
  admin = new RestClient({
    servers: [fx.url],
    caPem: fx.caPem,
    clientCertificatePem: a.certificatePem,
    clientKeyPem: a.keyPem,
  });
  const n = await fx.ca.issueClient({
    commonName: 'system:node:n1',
    organizations: ['system:nodes'],
  });
  n1 = new RestClient({
    servers: [fx.url],
    caPem: fx.caPem,
    clientCertificatePem: n.certificatePem,
    clientKeyPem: n.keyPem,
  });
});

after(async () => {
  admin.close();
  n1.close();
  await fx.stop();
});

test('a node registers and updates only its own Node, and may not touch its taints', async () => {
  const created = await n1.create(NODES, node('n1', { 'kubernetes.io/hostname': 'n1' }));
  await forbidden(n1.create(NODES, node('n2')), /node "n1" is not allowed to modify node "n2"/);
  await forbidden(
    n1.create(NODES, node('n3', { 'node-role.kubernetes.io/control-plane': '' })),
    /is not allowed to modify node "n3"/,
  );
  await admin.create(NODES, node('n2'));
  await forbidden(n1.get({ ...NODES, name: 'n2' }), /cannot read 'n2', only its own Node object/);
  await forbidden(n1.list(NODES), /cannot read all nodes/);
  const own = await n1.list(NODES, { fieldSelector: 'metadata.name=n1' });
  assert.deepEqual(
    own.items.map((i) => i.metadata?.name),
    ['n1'],
  );
  await forbidden(
    n1.update({ ...NODES, name: 'n1' }, {
      ...created,
      spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] },
    } as KubeObject),
    /not allowed to modify taints/,
  );
  await forbidden(n1.delete({ ...NODES, name: 'n2' }), /cannot delete resource "nodes"/);
});

test('a node reads only the secrets of pods bound to it', async () => {
  await admin.create(SECRETS, secret('used'));
  await admin.create(SECRETS, secret('other'));
  await admin.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web' },
    spec: {
      nodeName: 'n1',
      containers: [{ name: 'c', image: 'busybox' }],
      volumes: [{ name: 'v', secret: { secretName: 'used' } }],
    },
  } as KubeObject);
  await eventually(async () => {
    await n1.get({ ...SECRETS, name: 'used' });
  });
  await forbidden(
    n1.get({ ...SECRETS, name: 'other' }),
    /no relationship found between node 'n1' and this object/,
  );
  await forbidden(n1.list(SECRETS), /cannot list resource "secrets"/);
  const pods = await n1.list(PODS, { fieldSelector: 'spec.nodeName=n1' });
  assert.deepEqual(
    pods.items.map((p) => p.metadata?.name),
    ['web'],
  );
  await forbidden(n1.list(PODS), /spec.nodeName field selector/);
});

test('a node keeps only its own Lease', async () => {
  const lease = (name: string): KubeObject =>
    ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name },
      spec: { holderIdentity: name },
    }) as KubeObject;
  await n1.create(LEASES, lease('n1'));
  await forbidden(n1.create(LEASES, lease('n2')), /same name as the requesting node/);
  await admin.create(LEASES, lease('n2'));
  await forbidden(n1.get({ ...LEASES, name: 'n2' }), /same name as the requesting node/);
});

test('a CSR carries the user who made it, whatever the body says, and its spec never changes', async () => {
  const { csrPem } = await createCertificateRequest({
    commonName: 'system:node:n1',
    organizations: ['system:nodes'],
  });
  const body = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'n1-csr' },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: ['digital signature', 'client auth'],
      username: 'system:admin',
      groups: ['system:masters'],
    },
  } as KubeObject;
  const created = (await n1.create(CSRS, body)) as KubeObject & {
    spec: { username: string; groups: string[] };
  };
  assert.equal(created.spec.username, 'system:node:n1');
  assert.deepEqual(created.spec.groups, ['system:nodes', 'system:authenticated']);
  const updated = (await admin.update({ ...CSRS, name: 'n1-csr' }, {
    ...created,
    spec: { ...created.spec, username: 'mallory' },
  } as KubeObject)) as KubeObject & { spec: { username: string } };
  assert.equal(updated.spec.username, 'system:node:n1');
});

test('controllers get their own service-account identity (--use-service-account-credentials)', async () => {
  const clients = new ServiceAccountClients({ root: admin, servers: [fx.url], caPem: fx.caPem });
  try {
    const client = await clients.clientFor('bootstrap-signer');
    const review = (await client.create(
      { group: 'authentication.k8s.io', version: 'v1', plural: 'selfsubjectreviews' },
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    )) as KubeObject & { status: { userInfo: { username: string } } };
    assert.equal(
      review.status.userInfo.username,
      'system:serviceaccount:kube-system:bootstrap-signer',
    );
    assert.equal(await clients.clientFor('bootstrap-signer'), client, 'one client per account');
  } finally {
    await clients.close();
  }
});
