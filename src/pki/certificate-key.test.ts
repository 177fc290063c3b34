import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  decryptCertificateFiles,
  decryptWithCertificateKey,
  encryptCertificateFiles,
  encryptWithCertificateKey,
  generateCertificateKey,
  kubeadmCertsSecretKey,
  parseCertificateKey,
} from './certificate-key.ts';
import { PkiDecryptionError, PkiInvalidCertificateKeyError } from './errors.ts';

const key = generateCertificateKey();
const plaintext = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG...\n-----END PRIVATE KEY-----\n';

test('generateCertificateKey: 32 random bytes as 64 lower-case hex characters', () => {
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.notEqual(generateCertificateKey(), key);
  assert.equal(parseCertificateKey(key).length, 32);
  assert.equal(parseCertificateKey(key.toUpperCase()).length, 32);
});

const badKeys: { name: string; value: string }[] = [
  { name: 'empty', value: '' },
  { name: '31 bytes', value: 'ab'.repeat(31) },
  { name: '33 bytes', value: 'ab'.repeat(33) },
  { name: 'AES-128 sized (kubeadm requires 32 bytes)', value: 'ab'.repeat(16) },
  { name: 'non-hex', value: 'zz'.repeat(32) },
  { name: 'with whitespace', value: ` ${'ab'.repeat(32)}` },
];
for (const c of badKeys) {
  test(`parseCertificateKey rejects ${c.name} without echoing it`, async () => {
    const check = (err: unknown): boolean =>
      err instanceof PkiInvalidCertificateKeyError &&
      (c.value.length === 0 || !err.message.includes(c.value.trim()));
    assert.throws(() => parseCertificateKey(c.value), check);
    await assert.rejects(encryptWithCertificateKey('x', c.value), check);
  });
}

test('round trip, and the layout is nonce(12) || ciphertext || tag(16) like Go gcm.Seal', async () => {
  const sealed = await encryptWithCertificateKey(plaintext, key);
  assert.equal(sealed.length, 12 + Buffer.byteLength(plaintext) + 16);
  assert.equal((await decryptWithCertificateKey(sealed, key)).toString(), plaintext);
  // Open it with an independent AES-GCM implementation (OpenSSL via node:crypto).
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'hex'), sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const opened = Buffer.concat([decipher.update(sealed.subarray(12, -16)), decipher.final()]);
  assert.equal(opened.toString(), plaintext);
  // Nonces are random: the same plaintext never seals the same way twice.
  assert.notDeepEqual(await encryptWithCertificateKey(plaintext, key), sealed);
});

test('decrypts a blob sealed elsewhere in kubeadm layout', async () => {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'hex'), nonce);
  const body = Buffer.concat([cipher.update('from kubeadm'), cipher.final()]);
  const blob = Buffer.concat([nonce, body, cipher.getAuthTag()]);
  assert.equal((await decryptWithCertificateKey(blob, key)).toString(), 'from kubeadm');
});

test('wrong key, tampering and truncation fail with PkiDecryptionError, never garbage', async () => {
  const sealed = await encryptWithCertificateKey(plaintext, key);
  const wrongKey = generateCertificateKey();
  const flipped = (at: number): Buffer => {
    const copy = Buffer.from(sealed);
    copy[at] = (copy[at] ?? 0) ^ 0x01;
    return copy;
  };
  const attempts: [string, Uint8Array, string][] = [
    ['wrong key', sealed, wrongKey],
    ['nonce bit flipped', flipped(0), key],
    ['ciphertext bit flipped', flipped(20), key],
    ['tag bit flipped', flipped(sealed.length - 1), key],
    ['truncated tag', sealed.subarray(0, sealed.length - 1), key],
    ['shorter than nonce + tag', sealed.subarray(0, 20), key],
    ['empty', new Uint8Array(0), key],
  ];
  for (const [name, blob, k] of attempts) {
    await assert.rejects(
      decryptWithCertificateKey(blob, k),
      (err: unknown) =>
        err instanceof PkiDecryptionError &&
        !err.message.includes(k) &&
        !err.message.includes('PRIVATE'),
      name,
    );
  }
});

test('kubeadm-certs data: etcd/ca.crt -> etcd-ca.crt, empty stays empty, all-or-nothing', async () => {
  assert.equal(kubeadmCertsSecretKey('etcd/ca.key'), 'etcd-ca.key');
  const data = await encryptCertificateFiles(
    {
      'ca.crt': 'CA CERT',
      'ca.key': plaintext,
      'etcd/ca.crt': new Uint8Array([1, 2, 3]),
      'sa.pub': '',
    },
    key,
  );
  assert.deepEqual(Object.keys(data).sort(), ['ca.crt', 'ca.key', 'etcd-ca.crt', 'sa.pub']);
  assert.equal(data['sa.pub']?.length, 0);
  const files = await decryptCertificateFiles(data, key);
  assert.equal(files['ca.key']?.toString(), plaintext);
  assert.deepEqual(files['etcd-ca.crt'], Buffer.from([1, 2, 3]));
  assert.equal(files['sa.pub']?.length, 0);

  await assert.rejects(decryptCertificateFiles(data, generateCertificateKey()), PkiDecryptionError);
  const tampered = { ...data, 'ca.crt': Buffer.from(data['ca.key'] ?? '').fill(0, 12, 14) };
  await assert.rejects(decryptCertificateFiles(tampered, key), PkiDecryptionError);
  await assert.rejects(
    encryptCertificateFiles({ 'ca.crt': 'x' }, 'nope'),
    PkiInvalidCertificateKeyError,
  );
});
