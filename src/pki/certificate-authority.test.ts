import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import {
  BACKDATE_MS,
  CA_VALIDITY_MS,
  CertificateAuthority,
  LEAF_VALIDITY_MS,
} from './certificate-authority.ts';
import { parseCertificate } from './certificate-info.ts';
import {
  PkiInvalidArgumentError,
  PkiInvalidCertificateError,
  PkiKeyMismatchError,
  PkiSignerExpiredError,
} from './errors.ts';
import { TempDir, openssl, opensslStatus } from './test-support.ts';

const NOW = new Date('2030-01-01T00:00:00Z');
const dir = new TempDir();
let ca: CertificateAuthority;

before(async () => {
  ca = await CertificateAuthority.create({ now: NOW });
  dir.write('ca.crt', ca.certificatePem);
});
after(() => {
  dir.remove();
});

test('create: a kubeadm-shaped self-signed CA', () => {
  const info = ca.info;
  assert.equal(info.subject.commonName, 'kubernetes');
  assert.equal(info.issuerDn, info.subjectDn);
  assert.equal(info.isCA, true);
  assert.deepEqual(info.usages, ['digital signature', 'cert sign', 'crl sign']);
  assert.equal(info.notBefore.getTime(), NOW.getTime() - BACKDATE_MS);
  assert.equal(info.notAfter.getTime(), NOW.getTime() + CA_VALIDITY_MS);
  assert.match(info.subjectKeyId ?? '', /^[0-9a-f]{40}$/);
  assert.equal(ca.encryptionAlgorithm, 'ECDSA-P256');
  const text = openssl(['x509', '-noout', '-text', '-in', dir.file('ca.crt')]).toString();
  assert.match(text, /Basic Constraints: critical\s+CA:TRUE/);
  assert.match(text, /Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
});

test('create: options (CN, O, RSA key, validity)', async () => {
  const rsa = await CertificateAuthority.create({
    commonName: 'etcd-ca',
    organizations: ['k8ts'],
    encryptionAlgorithm: 'RSA-2048',
    validityMs: 1000 * 60 * 60,
    now: NOW,
  });
  assert.deepEqual(rsa.info.subject, { commonName: 'etcd-ca', organizations: ['k8ts'] });
  assert.equal(rsa.encryptionAlgorithm, 'RSA-2048');
  assert.equal(rsa.info.notAfter.getTime(), NOW.getTime() + 3_600_000);
  const leaf = await rsa.issueServing({ commonName: 'etcd', dnsNames: ['localhost'], now: NOW });
  assert.equal(parseCertificate(leaf.certificatePem).issuer.commonName, 'etcd-ca');
  assert.deepEqual(rsa.info.dnsNames, ['etcd-ca']);
  // A CN that is not a DNS name is fine; it just gets no SAN.
  const spaced = await CertificateAuthority.create({ commonName: 'k8ts Root CA', now: NOW });
  assert.deepEqual(spaced.info.dnsNames, []);
});

test('load: round-trips through PEM and keeps signing with the same key', async () => {
  const loaded = await CertificateAuthority.load(ca.certificatePem, await ca.exportKeyPem());
  assert.equal(loaded.certificatePem, ca.certificatePem);
  const leaf = await loaded.issueClient({ commonName: 'u', now: NOW });
  assert.equal(parseCertificate(leaf.certificatePem).authorityKeyId, ca.info.subjectKeyId);
});

test('load: rejects a key of another CA, a non-CA certificate and garbage', async () => {
  const other = await CertificateAuthority.create({ now: NOW });
  await assert.rejects(
    CertificateAuthority.load(ca.certificatePem, await other.exportKeyPem()),
    PkiKeyMismatchError,
  );
  const leaf = await ca.issueClient({ commonName: 'u', now: NOW });
  await assert.rejects(
    CertificateAuthority.load(leaf.certificatePem, leaf.keyPem),
    PkiInvalidCertificateError,
  );
  await assert.rejects(CertificateAuthority.load('garbage', 'garbage'), {
    code: 'PKI_INVALID_PEM',
  });
});

test('issueServing: serverAuth, DNS + IPv4 + IPv6 SANs, 1 y, backdated, AKI/SKI', async () => {
  const leaf = await ca.issueServing({
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default.svc', 'kubernetes'],
    ipAddresses: ['10.96.0.1', '127.0.0.1', '::1', '2001:0DB8:0:0::1'],
    now: NOW,
  });
  const info = parseCertificate(leaf.certificatePem);
  assert.deepEqual(info.dnsNames, ['kubernetes', 'kubernetes.default.svc']);
  assert.deepEqual(info.ipAddresses, ['10.96.0.1', '127.0.0.1', '::1', '2001:db8::1']);
  assert.deepEqual(info.usages, ['digital signature', 'key encipherment', 'server auth']);
  assert.equal(info.isCA, false);
  assert.equal(info.notBefore.getTime(), NOW.getTime() - BACKDATE_MS);
  assert.equal(info.notAfter.getTime(), NOW.getTime() + LEAF_VALIDITY_MS);
  assert.equal(info.authorityKeyId, ca.info.subjectKeyId);
  assert.match(info.subjectKeyId ?? '', /^[0-9a-f]{40}$/);
  // Positive 16-byte serial with the top bit clear.
  assert.match(info.serialNumber, /^[4-7][0-9a-f]{31}$/);
  // The key and certificate are directly usable by Node's TLS stack.
  createSecureContext({ key: leaf.keyPem, cert: leaf.certificatePem, ca: ca.certificatePem });

  const crt = dir.write('serving.crt', leaf.certificatePem);
  const at = String(Math.floor(NOW.getTime() / 1000));
  const check = ['verify', '-attime', at, '-CAfile', dir.file('ca.crt')];
  assert.equal(opensslStatus([...check, '-purpose', 'sslserver', crt]).status, 0);
  assert.notEqual(opensslStatus([...check, '-purpose', 'sslclient', crt]).status, 0);
  const text = openssl(['x509', '-noout', '-text', '-in', crt]).toString();
  assert.match(text, /IP Address:2001:DB8:0:0:0:0:0:1/);
});

test('issueClient: CN = user, O = groups, clientAuth; openssl agrees', async () => {
  const leaf = await ca.issueClient({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters', 'kubeadm:cluster-admins'],
    now: NOW,
  });
  const info = parseCertificate(leaf.certificatePem);
  assert.deepEqual(info.subject, {
    commonName: 'kubernetes-admin',
    organizations: ['system:masters', 'kubeadm:cluster-admins'],
  });
  assert.deepEqual(info.usages, ['digital signature', 'key encipherment', 'client auth']);
  const crt = dir.write('client.crt', leaf.certificatePem);
  const at = String(Math.floor(NOW.getTime() / 1000));
  const verify = ['verify', '-attime', at, '-CAfile', dir.file('ca.crt'), '-purpose', 'sslclient'];
  assert.equal(opensslStatus([...verify, crt]).status, 0);
  const subject = openssl(['x509', '-noout', '-subject', '-in', crt]).toString();
  assert.match(subject, /O = system:masters \+ O = kubeadm:cluster-admins, CN = kubernetes-admin/);
});

test('serials are unique', async () => {
  const serials = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const leaf = await ca.issueClient({ commonName: `u${String(i)}`, now: NOW });
    serials.add(parseCertificate(leaf.certificatePem).serialNumber);
  }
  assert.equal(serials.size, 5);
});

test('a leaf never outlives its CA, and an expired CA refuses to sign', async () => {
  const shortCa = await CertificateAuthority.create({ validityMs: 60 * 60 * 1000, now: NOW });
  const leaf = await shortCa.issueClient({ commonName: 'u', now: NOW });
  assert.deepEqual(parseCertificate(leaf.certificatePem).notAfter, shortCa.info.notAfter);
  const later = new Date(NOW.getTime() + 2 * 60 * 60 * 1000);
  await assert.rejects(shortCa.issueClient({ commonName: 'u', now: later }), PkiSignerExpiredError);
});

const badLeaves: { name: string; run: () => Promise<unknown> }[] = [
  { name: 'empty CN', run: () => ca.issueClient({ commonName: '', now: NOW }) },
  {
    name: 'no usages',
    run: () => ca.issue({ subject: { commonName: 'x' }, usages: [], now: NOW }),
  },
  {
    name: 'bad IP SAN',
    run: () => ca.issueServing({ commonName: 'x', ipAddresses: ['10.0.0.300'], now: NOW }),
  },
  {
    name: 'bad DNS SAN',
    run: () => ca.issueServing({ commonName: 'x', dnsNames: ['under_score'], now: NOW }),
  },
  {
    name: 'zero validity',
    run: () => ca.issueClient({ commonName: 'x', validityMs: 0, now: NOW }),
  },
];
for (const c of badLeaves) {
  test(`issue rejects ${c.name}`, async () => {
    await assert.rejects(c.run(), PkiInvalidArgumentError);
  });
}

test('the CA key is not visible when the CA object is logged', async () => {
  const { inspect } = await import('node:util');
  const keyPem = await ca.exportKeyPem();
  const body = keyPem.split('\n')[1] ?? '';
  assert.ok(body.length > 0);
  assert.ok(!inspect(ca, { depth: 10 }).includes(body));
  assert.ok(!JSON.stringify(ca).includes(body));
});
