import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { caCertHash, caCertHashes, parseCaCertHash, verifyCaCertHash } from './ca-hash.ts';
import { CertificateAuthority } from './certificate-authority.ts';
import { PkiCaHashMismatchError, PkiInvalidCaHashError } from './errors.ts';
import { TempDir, openssl } from './test-support.ts';

const dir = new TempDir();
let opensslCa: string;
let ourCa: CertificateAuthority;

/** kubeadm's documented recipe, run verbatim through a shell pipeline. */
function kubeadmDocumentedHash(caPath: string): string {
  const out = execFileSync('sh', [
    '-c',
    `openssl x509 -pubkey -noout -in '${caPath}' | openssl pkey -pubin -outform der | sha256sum`,
  ]).toString();
  const hex = /^([0-9a-f]{64})\s/.exec(out)?.[1];
  assert.ok(hex !== undefined, out);
  return `sha256:${hex}`;
}

before(async () => {
  openssl(
    `req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=kubernetes
     -keyout ${dir.file('rsa.key')} -out ${dir.file('rsa.crt')}`,
  );
  opensslCa = dir.read('rsa.crt');
  ourCa = await CertificateAuthority.create();
  dir.write('ours.crt', ourCa.certificatePem);
});
after(() => {
  dir.remove();
});

test('caCertHash matches openssl for an OpenSSL-made RSA CA', () => {
  assert.equal(caCertHash(opensslCa), kubeadmDocumentedHash(dir.file('rsa.crt')));
});

test('caCertHash matches openssl for a k8ts-made ECDSA CA', () => {
  const hash = caCertHash(ourCa.certificatePem);
  assert.match(hash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(hash, kubeadmDocumentedHash(dir.file('ours.crt')));
});

test('caCertHashes covers every certificate of a bundle', () => {
  assert.deepEqual(caCertHashes(opensslCa + ourCa.certificatePem), [
    caCertHash(opensslCa),
    caCertHash(ourCa.certificatePem),
  ]);
});

test('verifyCaCertHash accepts the pin in any case, and any of several pins', () => {
  const pin = caCertHash(opensslCa);
  verifyCaCertHash(opensslCa, pin);
  verifyCaCertHash(opensslCa, pin.toUpperCase());
  verifyCaCertHash(opensslCa, `sha256:${pin.slice(7).toUpperCase()}`);
  verifyCaCertHash(opensslCa, [caCertHash(ourCa.certificatePem), pin]);
  // A bundle matches if any of its CAs is pinned (kubeadm's CheckAny).
  verifyCaCertHash(ourCa.certificatePem + opensslCa, pin);
});

test('verifyCaCertHash reports the actual hashes on a mismatch', () => {
  const wrong = caCertHash(ourCa.certificatePem);
  assert.throws(
    () => {
      verifyCaCertHash(opensslCa, wrong);
    },
    (err: unknown) =>
      err instanceof PkiCaHashMismatchError &&
      err.actualHashes[0] === caCertHash(opensslCa) &&
      err.message.includes(caCertHash(opensslCa)),
  );
});

const zero = '0'.repeat(64);
const badPins: { name: string; pin: string }[] = [
  { name: 'empty', pin: '' },
  { name: 'no format prefix', pin: zero },
  { name: 'unknown format', pin: `md5:${zero}` },
  { name: 'too short', pin: `sha256:${zero.slice(2)}` },
  { name: 'too long', pin: `sha256:${zero}00` },
  { name: 'not hex', pin: `sha256:${'g'.repeat(64)}` },
  { name: 'extra colon', pin: `sha256:${zero}:x` },
  { name: 'whitespace', pin: ` sha256:${zero}` },
];
for (const c of badPins) {
  test(`parseCaCertHash rejects ${c.name}`, () => {
    assert.throws(() => parseCaCertHash(c.pin), PkiInvalidCaHashError);
    assert.throws(() => {
      verifyCaCertHash(opensslCa, [caCertHash(opensslCa), c.pin]);
    }, PkiInvalidCaHashError);
  });
}

test('verifyCaCertHash needs at least one pin', () => {
  assert.throws(() => {
    verifyCaCertHash(opensslCa, []);
  }, PkiInvalidCaHashError);
});
