import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, jwtVerify } from 'jose';
import {
  generateServiceAccountKey,
  loadServiceAccountSigningKey,
  loadServiceAccountVerificationKeys,
} from './service-account-key.ts';
import type { ServiceAccountKeyAlgorithm } from './service-account-key.ts';
import { PkiInvalidKeyError, PkiInvalidPemError } from './errors.ts';
import { TempDir, openssl } from './test-support.ts';

const dir = new TempDir();
after(() => {
  dir.remove();
});

const cases: { algorithm: ServiceAccountKeyAlgorithm; alg: string; opensslType: RegExp }[] = [
  { algorithm: 'RSA-2048', alg: 'RS256', opensslType: /Private-Key: \(2048 bit/ },
  { algorithm: 'ECDSA-P256', alg: 'ES256', opensslType: /Private-Key: \(256 bit/ },
];
for (const c of cases) {
  test(`${c.algorithm}: sa.key/sa.pub sign and verify a service-account JWT`, async () => {
    const files = await generateServiceAccountKey(c.algorithm);
    assert.match(files.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(files.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(openssl('pkey -noout -text', files.privateKeyPem).toString(), c.opensslType);

    const signing = await loadServiceAccountSigningKey(files.privateKeyPem);
    assert.equal(signing.jwsAlgorithm, c.alg);
    const jwt = await new SignJWT({ 'kubernetes.io': { namespace: 'default' } })
      .setProtectedHeader({ alg: signing.jwsAlgorithm, kid: signing.keyId })
      .setIssuer('https://kubernetes.default.svc.cluster.local')
      .setSubject('system:serviceaccount:default:default')
      .setAudience('https://kubernetes.default.svc.cluster.local')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(signing.privateKey);

    const [verification] = await loadServiceAccountVerificationKeys(files.publicKeyPem);
    assert.ok(verification !== undefined);
    assert.equal(verification.keyId, signing.keyId);
    const { payload, protectedHeader } = await jwtVerify(jwt, verification.publicKey, {
      issuer: 'https://kubernetes.default.svc.cluster.local',
    });
    assert.equal(payload.sub, 'system:serviceaccount:default:default');
    assert.equal(protectedHeader.kid, signing.keyId);
  });
}

test('keyId is base64url(SHA-256(DER SPKI)) as the API server computes it (openssl cross-check)', async () => {
  const files = await generateServiceAccountKey('ECDSA-P256');
  const der = openssl('pkey -pubin -outform der', files.publicKeyPem);
  const digest = openssl('dgst -sha256 -binary', der);
  const [key] = await loadServiceAccountVerificationKeys(files.publicKeyPem);
  assert.ok(key !== undefined);
  assert.equal(key.keyId, digest.toString('base64url'));
  assert.match(key.keyId, /^[A-Za-z0-9_-]{43}$/);
});

test('loads kubeadm-style PKCS#1 sa.key and a multi-key sa.pub (rotation)', async () => {
  const pkcs1 = openssl('genrsa -traditional 2048').toString();
  assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
  const keyPath = dir.write('sa.key', pkcs1);
  const pub = openssl(['rsa', '-in', keyPath, '-pubout']).toString();
  const signing = await loadServiceAccountSigningKey(pkcs1);
  assert.equal(signing.jwsAlgorithm, 'RS256');

  const older = await generateServiceAccountKey('ECDSA-P256');
  const keys = await loadServiceAccountVerificationKeys(pub + older.publicKeyPem);
  assert.deepEqual(
    keys.map((k) => k.jwsAlgorithm),
    ['RS256', 'ES256'],
  );
  assert.equal(keys[0]?.keyId, signing.keyId);
});

test('bad inputs are typed errors', async () => {
  await assert.rejects(loadServiceAccountSigningKey('garbage'), PkiInvalidPemError);
  await assert.rejects(loadServiceAccountVerificationKeys('garbage'), PkiInvalidPemError);
  await assert.rejects(
    loadServiceAccountVerificationKeys(
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
    ),
    PkiInvalidKeyError,
  );
});
