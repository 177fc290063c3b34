import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCertificate, parseCertificates } from './certificate-info.ts';
import { PkiInvalidCertificateError, PkiInvalidPemError } from './errors.ts';
import { encodePem } from './pem.ts';
import { TempDir, openssl } from './test-support.ts';

const dir = new TempDir();
let opensslPem: string;

before(() => {
  // An OpenSSL-made certificate: an independent encoder for the parser to read.
  const san = 'DNS:w1.example,IP:10.0.0.7,IP:fe80::1,email:ops@example.com,URI:spiffe://k8ts/w1';
  openssl(
    `req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30
     -keyout ${dir.file('o.key')} -out ${dir.file('o.crt')}
     -subj /O=system:nodes/O=extra/CN=system:node:w1 -addext subjectAltName=${san}
     -addext keyUsage=critical,digitalSignature -addext extendedKeyUsage=clientAuth,serverAuth`,
  );
  opensslPem = dir.read('o.crt');
});
after(() => {
  dir.remove();
});

test('parseCertificate reads what OpenSSL wrote', () => {
  const info = parseCertificate(opensslPem);
  assert.deepEqual(info.subject, {
    commonName: 'system:node:w1',
    organizations: ['system:nodes', 'extra'],
  });
  assert.deepEqual(info.issuer, info.subject);
  assert.deepEqual(info.dnsNames, ['w1.example']);
  assert.deepEqual(info.ipAddresses, ['10.0.0.7', 'fe80::1']);
  assert.deepEqual(info.emailAddresses, ['ops@example.com']);
  assert.deepEqual(info.uris, ['spiffe://k8ts/w1']);
  assert.deepEqual(info.usages, ['digital signature', 'client auth', 'server auth']);
  assert.equal(info.hasExtKeyUsage, true);

  const crt = dir.file('o.crt');
  const serial = openssl(['x509', '-noout', '-serial', '-in', crt]).toString().trim();
  assert.equal(`serial=${info.serialNumber.toUpperCase()}`, serial);
  const dates = openssl(['x509', '-noout', '-dates', '-in', crt]).toString();
  const notBefore = /notBefore=(.*)/.exec(dates)?.[1] ?? '';
  const notAfter = /notAfter=(.*)/.exec(dates)?.[1] ?? '';
  assert.equal(info.notBefore.getTime(), Date.parse(notBefore));
  assert.equal(info.notAfter.getTime(), Date.parse(notAfter));
  // openssl req -x509 adds basicConstraints CA:TRUE and SKI/AKI by default.
  assert.equal(info.isCA, true);
  assert.match(info.subjectKeyId ?? '', /^[0-9a-f]{40}$/);
});

test('parseCertificate accepts DER bytes and PEM bytes', () => {
  const der = openssl(['x509', '-in', dir.file('o.crt'), '-outform', 'der']);
  const fromDer = parseCertificate(new Uint8Array(der));
  assert.equal(fromDer.subject.commonName, 'system:node:w1');
  assert.equal(fromDer.pem, parseCertificate(opensslPem).pem);
  assert.equal(parseCertificate(Buffer.from(opensslPem)).serialNumber, fromDer.serialNumber);
});

test('parseCertificates reads a bundle in order', () => {
  const other = openssl(
    `req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1
     -keyout ${dir.file('b.key')} -subj /CN=second`,
  ).toString();
  const infos = parseCertificates(opensslPem + other);
  assert.deepEqual(
    infos.map((i) => i.subject.commonName),
    ['system:node:w1', 'second'],
  );
});

const bad: { name: string; input: string | Uint8Array; error: new (...a: never[]) => Error }[] = [
  { name: 'garbage text', input: 'hello', error: PkiInvalidPemError },
  {
    name: 'garbage DER',
    input: new Uint8Array([0x30, 0x03, 0x02, 0x01]),
    error: PkiInvalidCertificateError,
  },
  {
    name: 'PEM of junk bytes',
    input: encodePem('CERTIFICATE', new Uint8Array([1, 2, 3, 4])),
    error: PkiInvalidCertificateError,
  },
  {
    name: 'a key, not a certificate',
    input: encodePem('PRIVATE KEY', new Uint8Array([1])),
    error: PkiInvalidPemError,
  },
];
for (const c of bad) {
  test(`parseCertificate rejects ${c.name}`, () => {
    assert.throws(() => parseCertificate(c.input), c.error);
  });
}
