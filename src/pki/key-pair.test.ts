import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto } from 'node:crypto';
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  importPublicKeyDer,
  exportPublicKeyDer,
  samePublicKey,
  signingAlgorithm,
} from './key-pair.ts';
import type { EncryptionAlgorithm } from './key-pair.ts';
import { PkiInvalidKeyError, PkiInvalidPemError } from './errors.ts';
import { TempDir, openssl } from './test-support.ts';

const dir = new TempDir();
after(() => {
  dir.remove();
});

const algorithms: { algorithm: EncryptionAlgorithm; nodeType: string }[] = [
  { algorithm: 'ECDSA-P256', nodeType: 'ec' },
  { algorithm: 'ECDSA-P384', nodeType: 'ec' },
  { algorithm: 'RSA-2048', nodeType: 'rsa' },
];
for (const c of algorithms) {
  test(`${c.algorithm}: generate, export PKCS#8/SPKI, re-import, sign/verify`, async () => {
    const keys = await generateKeyPair(c.algorithm);
    const keyPem = await exportPrivateKeyPem(keys.privateKey);
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(createPrivateKey(keyPem).asymmetricKeyType, c.nodeType);
    assert.match(await exportPublicKeyPem(keys.publicKey), /^-----BEGIN PUBLIC KEY-----\n/);

    const again = await importPrivateKeyPem(keyPem);
    assert.equal(again.algorithm, c.algorithm);
    assert.ok(await samePublicKey(again.publicKey, keys.publicKey));
    const data = new TextEncoder().encode('payload');
    const sig = await webcrypto.subtle.sign(signingAlgorithm(c.algorithm), again.privateKey, data);
    const alg = signingAlgorithm(c.algorithm);
    assert.ok(await webcrypto.subtle.verify(alg, keys.publicKey, sig, data));

    const imported = await importPublicKeyDer(await exportPublicKeyDer(keys.publicKey));
    assert.equal(imported.algorithm, c.algorithm);
    // OpenSSL accepts the PKCS#8 export as a private key.
    assert.match(openssl(['pkey', '-noout', '-text'], keyPem).toString(), /Private-Key/);
  });
}

test('imports the legacy PEM forms OpenSSL and kubeadm write (PKCS#1, SEC1)', async () => {
  const rsaPkcs1 = openssl(['genrsa', '-traditional', '2048']).toString();
  assert.match(rsaPkcs1, /BEGIN RSA PRIVATE KEY/);
  assert.equal((await importPrivateKeyPem(rsaPkcs1)).algorithm, 'RSA-2048');

  // `ecparam -genkey` prefixes an "EC PARAMETERS" block, which must be skipped.
  const sec1 = openssl(['ecparam', '-name', 'prime256v1', '-genkey']).toString();
  assert.match(sec1, /BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);
  const ec = await importPrivateKeyPem(sec1);
  assert.equal(ec.algorithm, 'ECDSA-P256');
  // The public half derived on import equals OpenSSL's.
  dir.write('ec.key', sec1);
  const opensslPub = openssl(['pkey', '-in', dir.file('ec.key'), '-pubout']).toString();
  assert.equal(await exportPublicKeyPem(ec.publicKey), opensslPub);
});

const badKeys: { name: string; pem: () => string; error: new (...a: never[]) => Error }[] = [
  { name: 'garbage', pem: () => 'not a key', error: PkiInvalidPemError },
  {
    name: 'a certificate label',
    pem: () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    error: PkiInvalidKeyError,
  },
  {
    name: 'corrupt PKCS#8 body',
    pem: () => '-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n',
    error: PkiInvalidKeyError,
  },
  {
    name: 'an unsupported key type (Ed25519)',
    pem: () => openssl(['genpkey', '-algorithm', 'ed25519']).toString(),
    error: PkiInvalidKeyError,
  },
  {
    name: 'an unsupported curve (secp256k1)',
    pem: () =>
      openssl([
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:secp256k1',
      ]).toString(),
    error: PkiInvalidKeyError,
  },
];
for (const c of badKeys) {
  test(`importPrivateKeyPem rejects ${c.name} with a typed error`, async () => {
    await assert.rejects(importPrivateKeyPem(c.pem()), c.error);
  });
}

test('importPublicKeyDer rejects garbage', async () => {
  await assert.rejects(importPublicKeyDer(new Uint8Array([1, 2, 3])), PkiInvalidKeyError);
});
