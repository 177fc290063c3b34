import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { BACKDATE_MS, CertificateAuthority, LEAF_VALIDITY_MS } from './certificate-authority.ts';
import { parseCertificate } from './certificate-info.ts';
import {
  certificateTtlMs,
  createCertificateRequest,
  parseCertificateRequest,
  signCertificateRequest,
} from './csr.ts';
import { PkiInvalidArgumentError, PkiInvalidCsrError, PkiInvalidPemError } from './errors.ts';
import { generateKeyPair, exportPublicKeyPem } from './key-pair.ts';
import { decodeFirstPem, encodePem } from './pem.ts';
import { TempDir, openssl, opensslStatus } from './test-support.ts';

const NOW = new Date('2030-03-01T12:00:00Z');
const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const dir = new TempDir();
let ca: CertificateAuthority;

before(async () => {
  ca = await CertificateAuthority.create({ now: NOW });
  dir.write('ca.crt', ca.certificatePem);
});
after(() => {
  dir.remove();
});

test('createCertificateRequest + parseCertificateRequest: the TLS bootstrap CSR', async () => {
  const { csrPem, keyPem } = await createCertificateRequest({
    commonName: 'system:node:w1',
    organizations: ['system:nodes'],
    dnsNames: ['w1'],
    ipAddresses: ['10.0.0.5', 'fd00::5'],
    requestedUsages: ['digital signature', 'client auth'],
  });
  assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
  const info = await parseCertificateRequest(csrPem);
  assert.deepEqual(info.subject, { commonName: 'system:node:w1', organizations: ['system:nodes'] });
  assert.deepEqual(info.dnsNames, ['w1']);
  assert.deepEqual(info.ipAddresses, ['10.0.0.5', 'fd00::5']);
  assert.deepEqual(info.requestedUsages, ['digital signature', 'client auth']);
  assert.equal(info.publicKeyAlgorithm, 'ECDSA-P256');
  // The CSR's public key is the key's public half.
  const expected = createPublicKey(createPrivateKey(keyPem)).export({
    type: 'spki',
    format: 'pem',
  });
  assert.equal(info.publicKeyPem, expected);

  // OpenSSL verifies the self-signature and reads the same subject.
  const out = openssl(['req', '-verify', '-noout', '-subject', '-in', dir.write('w1.csr', csrPem)]);
  assert.match(out.toString(), /O = system:nodes, CN = system:node:w1/);
});

test('createCertificateRequest with an existing RSA key pair', async () => {
  const keyPair = await generateKeyPair('RSA-2048');
  const { csrPem } = await createCertificateRequest({ commonName: 'rsa', keyPair });
  const info = await parseCertificateRequest(csrPem);
  assert.equal(info.publicKeyAlgorithm, 'RSA-2048');
  assert.equal(info.publicKeyPem, await exportPublicKeyPem(keyPair.publicKey));
  assert.deepEqual(info.requestedUsages, []);
  assert.equal(
    opensslStatus(['req', '-verify', '-noout', '-in', dir.write('r.csr', csrPem)]).status,
    0,
  );
});

test('parseCertificateRequest reads an OpenSSL-made CSR', async () => {
  openssl(
    `req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ${dir.file('o.key')}
     -out ${dir.file('o.csr')} -subj /O=system:nodes/CN=system:node:w2
     -addext subjectAltName=DNS:w2,IP:192.168.1.2`,
  );
  const info = await parseCertificateRequest(dir.read('o.csr'));
  assert.equal(info.subject.commonName, 'system:node:w2');
  assert.deepEqual(info.dnsNames, ['w2']);
  assert.deepEqual(info.ipAddresses, ['192.168.1.2']);
});

test('parseCertificateRequest rejects a tampered CSR, garbage, and a wrong label', async () => {
  const { csrPem } = await createCertificateRequest({ commonName: 'system:node:w1' });
  const der = Buffer.from(decodeFirstPem(csrPem, 'CERTIFICATE REQUEST'));
  // Change a byte of the CN inside the signed part: the self-signature no longer verifies.
  const at = der.indexOf(Buffer.from('w1'));
  der[at] = 'x'.charCodeAt(0);
  await assert.rejects(
    parseCertificateRequest(encodePem('CERTIFICATE REQUEST', der)),
    (err: unknown) => err instanceof PkiInvalidCsrError && /signature/.test(err.message),
  );
  await assert.rejects(
    parseCertificateRequest(encodePem('CERTIFICATE REQUEST', new Uint8Array([1, 2, 3]))),
    PkiInvalidCsrError,
  );
  await assert.rejects(parseCertificateRequest('garbage'), PkiInvalidPemError);
  await assert.rejects(parseCertificateRequest(ca.certificatePem), PkiInvalidPemError);
});

test('signCertificateRequest: subject, SANs and key from the CSR; usages from the caller', async () => {
  const { csrPem, keyPem } = await createCertificateRequest({
    commonName: 'system:node:w1',
    organizations: ['system:nodes'],
    dnsNames: ['w1'],
    ipAddresses: ['10.0.0.5'],
    requestedUsages: ['cert sign'], // ignored: CSR extensions are dropped, as upstream
  });
  const certPem = await signCertificateRequest(ca, csrPem, {
    usages: ['digital signature', 'key encipherment', 'server auth'],
    now: NOW,
  });
  const info = parseCertificate(certPem);
  assert.deepEqual(info.subject, { commonName: 'system:node:w1', organizations: ['system:nodes'] });
  assert.deepEqual(info.dnsNames, ['w1']);
  assert.deepEqual(info.ipAddresses, ['10.0.0.5']);
  assert.deepEqual(info.usages, ['digital signature', 'key encipherment', 'server auth']);
  assert.equal(info.isCA, false);
  assert.equal(info.notBefore.getTime(), NOW.getTime() - BACKDATE_MS);
  assert.equal(info.notAfter.getTime(), NOW.getTime() + LEAF_VALIDITY_MS - BACKDATE_MS);
  // The node's key and the signed certificate form a TLS identity.
  createSecureContext({ key: keyPem, cert: certPem });
  const at = String(Math.floor(NOW.getTime() / 1000));
  const crt = dir.write('w1.crt', certPem);
  assert.equal(
    opensslStatus(`verify -attime ${at} -CAfile ${dir.file('ca.crt')} ${crt}`).status,
    0,
  );
});

test('signCertificateRequest copies DNS names an approver would judge (no RFC 1123 check)', async () => {
  const { csrPem } = await createCertificateRequest({ commonName: 'x' });
  const openSslCsr = openssl(
    `req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ${dir.file('u.key')}
     -subj /CN=x -addext subjectAltName=DNS:Under_Score`,
  ).toString();
  const certPem = await signCertificateRequest(ca, openSslCsr, {
    usages: ['client auth'],
    now: NOW,
  });
  assert.deepEqual(parseCertificate(certPem).dnsNames, ['Under_Score']);
  await assert.rejects(
    signCertificateRequest(ca, csrPem, { usages: ['bogus' as 'any'], now: NOW }),
    PkiInvalidArgumentError,
  );
});

// Upstream signer: duration(certTTL, expirationSeconds) and PermissiveSigningPolicy.apply.
const durations: { name: string; expirationSeconds?: number; ttlMs: number; validMs: number }[] = [
  { name: 'unset: the signing duration', ttlMs: LEAF_VALIDITY_MS, validMs: LEAF_VALIDITY_MS },
  {
    name: 'above the maximum: clamped',
    expirationSeconds: 2 * 365 * 86400,
    ttlMs: LEAF_VALIDITY_MS,
    validMs: LEAF_VALIDITY_MS,
  },
  {
    name: 'below 10 min: raised to 10 min',
    expirationSeconds: 60,
    ttlMs: 10 * MIN,
    validMs: 15 * MIN,
  },
  {
    name: 'short (1 h): end not backdated',
    expirationSeconds: 3600,
    ttlMs: HOUR,
    validMs: HOUR + 5 * MIN,
  },
  {
    name: 'long (24 h): end backdated',
    expirationSeconds: 86400,
    ttlMs: 24 * HOUR,
    validMs: 24 * HOUR,
  },
];
for (const c of durations) {
  test(`expirationSeconds ${c.name}`, async () => {
    assert.equal(certificateTtlMs(c.expirationSeconds), c.ttlMs);
    const { csrPem } = await createCertificateRequest({ commonName: 'd' });
    const certPem = await signCertificateRequest(ca, csrPem, {
      usages: ['client auth'],
      now: NOW,
      ...(c.expirationSeconds === undefined ? {} : { expirationSeconds: c.expirationSeconds }),
    });
    const info = parseCertificate(certPem);
    assert.equal(info.notAfter.getTime() - info.notBefore.getTime(), c.validMs);
  });
}

test('certificateTtlMs rejects a fractional expirationSeconds', () => {
  assert.throws(() => certificateTtlMs(1.5), PkiInvalidArgumentError);
});
