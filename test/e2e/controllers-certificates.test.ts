/**
 * TLS bootstrap's cluster side against a real API server in RBAC mode, with the csrapproving,
 * csrsigning, bootstrapsigner and tokencleaner controllers running in this process: cluster-info
 * gets a JWS per signing token (and loses it when the token goes); a node-client CSR sent with
 * a bootstrap token (kubeadm's RBAC bindings) is approved and signed by the cluster CA; a CSR
 * with a non-node CN is never approved; a kube-apiserver-client CSR that asks for server auth is
 * failed; expired tokens are deleted, including one that expires while watched. Loopback only;
 * every wait is bounded.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.d.ts';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.d.ts';
import { RestClient, isNotFound, realClock } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/client/index.ts';
import { newBootstrapSigner } from '../../src/controllers/bootstrap/bootstrap-signer.ts';
import { newTokenCleaner } from '../../src/controllers/bootstrap/token-cleaner.ts';
import { newCsrApprovingController } from '../../src/controllers/certificates/csr-approving.ts';
import { csrSigningControllerFactory } from '../../src/controllers/certificates/csr-signing.ts';
import type { Controller, ControllerContext } from '../../src/controllers/controller.ts';
import { SharedInformerFactory } from '../../src/controllers/informer-factory.ts';
import {
  BootstrapToken,
  bootstrapTokenToSecret,
  createCertificateRequest,
  verifyCertificate,
  verifyClusterInfo,
} from '../../src/pki/index.ts';
import type { BootstrapTokenSecretOptions } from '../../src/pki/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';

const WAIT_MS = 15_000;
const CSRS = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' };
const SECRETS = { group: '', version: 'v1', plural: 'secrets', namespace: 'kube-system' };
const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespace: 'kube-public' };
const BINDINGS = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'clusterrolebindings',
};
const NODE_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

let fixture: ApiServerFixture;
let admin: RestClient;
let informers: SharedInformerFactory;
const stop = new AbortController();
// Every informer and controller listens for the one stop signal.
setMaxListeners(50, stop.signal);
let runs: Promise<void>[] = [];
const logs: string[] = [];

/** Polls `probe` every 50 ms until it returns a value, failing after WAIT_MS. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      assert.fail(`timed out waiting for ${what}; logs: ${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createTokenSecret(options: BootstrapTokenSecretOptions): Promise<Secret> {
  const s = bootstrapTokenToSecret(options);
  return admin.create<Secret & KubeObject>(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: s.name, namespace: s.namespace },
    type: s.type,
    data: Object.fromEntries(
      Object.entries(s.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
  });
}

async function isGone(ref: typeof SECRETS, name: string): Promise<true | undefined> {
  try {
    await admin.get({ ...ref, name });
    return undefined;
  } catch (err: unknown) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

function newCsr(
  name: string,
  csrPem: string,
  spec: Partial<CertificateSigningRequest['spec']> = {},
): CertificateSigningRequest & KubeObject {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: ['digital signature', 'client auth'],
      ...spec,
    },
  };
}

const getCsr = (name: string): Promise<CertificateSigningRequest & KubeObject> =>
  admin.get<CertificateSigningRequest & KubeObject>({ ...CSRS, name });

before(async () => {
  fixture = await startApiServerFixture(new MemoryStore(), { authorizationMode: 'RBAC' });
  admin = RestClient.fromKubeconfig(readFileSync(fixture.kubeconfigPath, 'utf8'));
  // kubeadm's bootstrap-token RBAC: its node token may create CSRs and get them auto-approved.
  for (const [name, role] of [
    ['kubeadm:kubelet-bootstrap', 'system:node-bootstrapper'],
    [
      'kubeadm:node-autoapprove-bootstrap',
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
    ],
  ] as const) {
    await admin.create(BINDINGS, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: NODE_TOKEN_GROUP }],
    } as KubeObject);
  }
  informers = new SharedInformerFactory({ client: admin, clock: realClock });
  const ctx: ControllerContext = {
    client: admin,
    informers,
    events: { event: () => undefined },
    clock: realClock,
    log: (level, message, fields) => {
      logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    },
  };
  const controllers: Controller[] = [
    newCsrApprovingController(ctx),
    csrSigningControllerFactory({
      caCertPem: fixture.caPem,
      caKeyPem: await fixture.ca.exportKeyPem(),
    })(ctx),
    newBootstrapSigner(ctx),
    newTokenCleaner(ctx),
  ];
  informers.start(stop.signal);
  runs = controllers.map((c) => c.run(stop.signal));
});

after(async () => {
  stop.abort();
  await Promise.all(runs);
  await informers.stopped();
  admin.close();
  await fixture.stop();
});

describe('bootstrapsigner', () => {
  it('signs cluster-info for a signing token, and unsigns it when the token goes', async () => {
    const token = BootstrapToken.generate();
    const kubeconfig = `apiVersion: v1\nclusters:\n- cluster:\n    server: ${fixture.url}\n  name: ""\nkind: Config\n`;
    await admin.create<ConfigMap & KubeObject>(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cluster-info', namespace: 'kube-public' },
      data: { kubeconfig },
    });
    const secret = await createTokenSecret({ token, usages: ['signing', 'authentication'] });
    // A token without the signing usage never signs.
    const authOnly = BootstrapToken.generate();
    await createTokenSecret({ token: authOnly, usages: ['authentication'] });

    const key = `jws-kubeconfig-${token.id}`;
    const data = await waitFor('the signature', async () => {
      const cm = await admin.get<ConfigMap & KubeObject>({ ...CONFIGMAPS, name: 'cluster-info' });
      return cm.data?.[key] === undefined ? undefined : cm.data;
    });
    assert.equal(await verifyClusterInfo(data, token), kubeconfig);
    assert.equal(data[`jws-kubeconfig-${authOnly.id}`], undefined);

    await admin.delete({ ...SECRETS, name: secret.metadata?.name ?? '' });
    await waitFor('the signature to go', async () => {
      const cm = await admin.get<ConfigMap & KubeObject>({ ...CONFIGMAPS, name: 'cluster-info' });
      return cm.data?.[key] === undefined ? true : undefined;
    });
  });
});

describe('csrapproving + csrsigning', () => {
  let token: BootstrapToken;
  let joiner: RestClient;

  before(async () => {
    token = BootstrapToken.generate();
    await createTokenSecret({ token });
    joiner = new RestClient({ servers: [fixture.url], caPem: fixture.caPem, token: token.value });
  });
  after(() => {
    joiner.close();
  });

  it('approves and signs a node client CSR sent with a bootstrap token', async () => {
    const { csrPem } = await createCertificateRequest({
      commonName: 'system:node:w1',
      organizations: ['system:nodes'],
    });
    const created = await joiner.create(
      CSRS,
      newCsr('node-csr-w1', csrPem, {
        // What the API server records from the requester on create (upstream's strategy).
        username: `system:bootstrap:${token.id}`,
        groups: ['system:bootstrappers', NODE_TOKEN_GROUP, 'system:authenticated'],
        expirationSeconds: 3600,
      }),
    );
    assert.equal(created.spec.username, `system:bootstrap:${token.id}`);
    const csr = await waitFor('the certificate', async () => {
      const c = await getCsr('node-csr-w1');
      return (c.status?.certificate ?? '') === '' ? undefined : c;
    });
    const approved = csr.status?.conditions?.find((c) => c.type === 'Approved');
    assert.deepEqual(
      [approved?.status, approved?.reason, approved?.message],
      [
        'True',
        'AutoApproved',
        'Auto approving kubelet client certificate after SubjectAccessReview.',
      ],
    );
    const certPem = Buffer.from(csr.status?.certificate ?? '', 'base64').toString('utf8');
    const info = await verifyCertificate(certPem, fixture.caPem, { requiredUsage: 'client auth' });
    assert.deepEqual(info.subject, {
      commonName: 'system:node:w1',
      organizations: ['system:nodes'],
    });
    const ttlMs = info.notAfter.getTime() - Date.now();
    assert.ok(ttlMs > 50 * 60_000 && ttlMs <= 3600_000, `ttl ${ttlMs}`);
  });

  it('never approves a CSR whose CN is not a node', async () => {
    const { csrPem } = await createCertificateRequest({
      commonName: 'w2',
      organizations: ['system:nodes'],
    });
    await joiner.create(
      CSRS,
      newCsr('node-csr-wrong-cn', csrPem, {
        username: `system:bootstrap:${token.id}`,
        groups: ['system:bootstrappers', NODE_TOKEN_GROUP, 'system:authenticated'],
      }),
    );
    // A good CSR created after it is handled; by then the bad one has been looked at too.
    const { csrPem: goodPem } = await createCertificateRequest({
      commonName: 'system:node:w3',
      organizations: ['system:nodes'],
    });
    await joiner.create(
      CSRS,
      newCsr('node-csr-w3', goodPem, {
        username: `system:bootstrap:${token.id}`,
        groups: ['system:bootstrappers', NODE_TOKEN_GROUP, 'system:authenticated'],
      }),
    );
    await waitFor('the later CSR', async () => {
      const c = await getCsr('node-csr-w3');
      return (c.status?.certificate ?? '') === '' ? undefined : c;
    });
    await new Promise((r) => setTimeout(r, 300));
    const bad = await getCsr('node-csr-wrong-cn');
    assert.deepEqual(bad.status?.conditions ?? [], []);
    assert.equal(bad.status?.certificate ?? '', '');
  });

  it('fails an approved kube-apiserver-client CSR that asks for server auth', async () => {
    const { csrPem } = await createCertificateRequest({ commonName: 'alice' });
    const csr = await admin.create(
      CSRS,
      newCsr('alice', csrPem, {
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth', 'server auth'],
      }),
    );
    await admin.update(
      { ...CSRS, name: 'alice', subresource: 'approval' },
      {
        ...csr,
        status: {
          conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'approved' }],
        },
      },
    );
    const failed = await waitFor('the Failed condition', async () => {
      const c = await getCsr('alice');
      return c.status?.conditions?.find((x) => x.type === 'Failed');
    });
    assert.deepEqual(
      [failed.reason, failed.message],
      ['SignerValidationFailure', 'invalid usage for client certificate: server auth'],
    );
    assert.equal((await getCsr('alice')).status?.certificate ?? '', '');
  });
});

describe('tokencleaner', () => {
  it('deletes an expired token at once and another when it expires', async () => {
    const expired = await createTokenSecret({
      token: BootstrapToken.generate(),
      expires: new Date(Date.now() - 60_000),
    });
    const soon = await createTokenSecret({
      token: BootstrapToken.generate(),
      expires: new Date(Date.now() + 2_000),
    });
    const forever = await createTokenSecret({ token: BootstrapToken.generate(), ttlMs: 0 });
    await waitFor('the expired token to go', () => isGone(SECRETS, expired.metadata?.name ?? ''));
    assert.equal(await isGone(SECRETS, soon.metadata?.name ?? ''), undefined);
    await waitFor('the other token to go', () => isGone(SECRETS, soon.metadata?.name ?? ''));
    assert.equal(await isGone(SECRETS, forever.metadata?.name ?? ''), undefined);
  });
});
