import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CertificateAuthority } from './certificate-authority.ts';
import type { IssuedCertificate } from './certificate-authority.ts';
import {
  PkiCertificateExpiredError,
  PkiCertificateNotYetValidError,
  PkiInvalidCertificateError,
  PkiInvalidPemError,
  PkiUntrustedCertificateError,
} from './errors.ts';
import type { UntrustedReason } from './errors.ts';
import { verifyCertificate } from './verify-certificate.ts';
import type { CertificateInput, VerifyCertificateOptions } from './verify-certificate.ts';
import { TempDir, openssl } from './test-support.ts';

const NOW = new Date('2030-06-01T00:00:00Z');
const HOUR = 60 * 60 * 1000;
const dir = new TempDir();
let ca: CertificateAuthority;
let sameNameCa: CertificateAuthority;
let otherCa: CertificateAuthority;
let serving: IssuedCertificate;

before(async () => {
  [ca, sameNameCa, otherCa] = await Promise.all([
    CertificateAuthority.create({ now: NOW }),
    CertificateAuthority.create({ now: NOW }),
    CertificateAuthority.create({ commonName: 'other-ca', now: NOW }),
  ]);
  serving = await ca.issueServing({ commonName: 'srv', dnsNames: ['srv'], now: NOW });
});
after(() => {
  dir.remove();
});

interface Case {
  name: string;
  leaf: () => CertificateInput;
  roots: () => CertificateInput | readonly CertificateInput[];
  options?: VerifyCertificateOptions;
  /** undefined: must verify. */
  error?: new (...a: never[]) => Error;
  reason?: UntrustedReason;
}

const cases: Case[] = [
  { name: 'valid leaf', leaf: () => serving.certificatePem, roots: () => ca.certificatePem },
  {
    name: 'valid leaf, root in a bundle after another CA',
    leaf: () => serving.certificatePem,
    roots: () => otherCa.certificatePem + ca.certificatePem,
  },
  {
    name: 'valid leaf, roots as a list',
    leaf: () => serving.certificatePem,
    roots: () => [otherCa.certificatePem, ca.certificatePem],
  },
  {
    name: 'required usage present',
    leaf: () => serving.certificatePem,
    roots: () => ca.certificatePem,
    options: { requiredUsage: 'server auth' },
  },
  { name: 'the root itself', leaf: () => ca.certificatePem, roots: () => ca.certificatePem },
  {
    name: 'required usage missing',
    leaf: () => serving.certificatePem,
    roots: () => ca.certificatePem,
    options: { requiredUsage: 'client auth' },
    error: PkiUntrustedCertificateError,
    reason: 'missing-usage',
  },
  {
    name: 'wrong CA',
    leaf: () => serving.certificatePem,
    roots: () => otherCa.certificatePem,
    error: PkiUntrustedCertificateError,
    reason: 'unknown-issuer',
  },
  {
    name: 'CA with the same name but another key',
    leaf: () => serving.certificatePem,
    roots: () => sameNameCa.certificatePem,
    error: PkiUntrustedCertificateError,
    reason: 'bad-signature',
  },
  {
    name: 'no roots',
    leaf: () => serving.certificatePem,
    roots: () => [],
    error: PkiUntrustedCertificateError,
    reason: 'no-roots',
  },
  {
    name: 'expired (injected now past NotAfter)',
    leaf: () => serving.certificatePem,
    roots: () => ca.certificatePem,
    options: { now: new Date(NOW.getTime() + 400 * 24 * HOUR) },
    error: PkiCertificateExpiredError,
  },
  {
    name: 'not yet valid (injected now before NotBefore)',
    leaf: () => serving.certificatePem,
    roots: () => ca.certificatePem,
    options: { now: new Date(NOW.getTime() - HOUR) },
    error: PkiCertificateNotYetValidError,
  },
  {
    name: 'an expired root (10 y + 1 d)',
    leaf: () => ca.certificatePem,
    roots: () => ca.certificatePem,
    options: { now: new Date(NOW.getTime() + 3651 * 24 * HOUR) },
    error: PkiCertificateExpiredError,
  },
  {
    name: 'garbage leaf',
    leaf: () => 'garbage',
    roots: () => ca.certificatePem,
    error: PkiInvalidPemError,
  },
  {
    name: 'garbage DER leaf',
    leaf: () => new Uint8Array([0x30, 0x00]),
    roots: () => ca.certificatePem,
    error: PkiInvalidCertificateError,
  },
];

for (const c of cases) {
  test(`verifyCertificate: ${c.name}`, async () => {
    const run = verifyCertificate(c.leaf(), c.roots(), { now: NOW, ...c.options });
    if (c.error === undefined) {
      const info = await run;
      assert.ok(info.subject.commonName.length > 0);
      return;
    }
    const expected = c.error;
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof expected, String(err));
      if (c.reason !== undefined) {
        assert.ok(err instanceof PkiUntrustedCertificateError);
        assert.equal(err.reason, c.reason);
      }
      return true;
    });
  });
}

test('verifyCertificate follows an OpenSSL-built root -> intermediate -> leaf chain', async () => {
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  const f = (n: string): string => dir.file(n);
  dir.write('ca.ext', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  dir.write('leaf.ext', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  openssl(`req -x509 ${ec} -keyout ${f('root.key')} -out ${f('root.crt')} -subj /CN=root -days 1`);
  openssl(`req -new ${ec} -keyout ${f('int.key')} -out ${f('int.csr')} -subj /CN=intermediate`);
  openssl(`x509 -req -in ${f('int.csr')} -CA ${f('root.crt')} -CAkey ${f('root.key')}
    -set_serial 2 -days 2 -extfile ${f('ca.ext')} -out ${f('int.crt')}`);
  openssl(`req -new ${ec} -keyout ${f('leaf.key')} -out ${f('leaf.csr')} -subj /O=dev/CN=alice`);
  openssl(`x509 -req -in ${f('leaf.csr')} -CA ${f('int.crt')} -CAkey ${f('int.key')}
    -set_serial 3 -days 2 -extfile ${f('leaf.ext')} -out ${f('leaf.crt')}`);
  // A certificate signed by the (non-CA) leaf must be refused.
  openssl(`req -new ${ec} -keyout ${f('bad.key')} -out ${f('bad.csr')} -subj /CN=mallory`);
  openssl(`x509 -req -in ${f('bad.csr')} -CA ${f('leaf.crt')} -CAkey ${f('leaf.key')}
    -set_serial 4 -days 2 -out ${f('bad.crt')}`);

  const root = dir.read('root.crt');
  const leaf = dir.read('leaf.crt');
  const intermediate = dir.read('int.crt');
  const info = await verifyCertificate(leaf, root, {
    intermediates: [intermediate],
    requiredUsage: 'client auth',
  });
  assert.deepEqual(info.subject, { commonName: 'alice', organizations: ['dev'] });
  // The same chain sent as one bundle (as a TLS peer would).
  await verifyCertificate(leaf + intermediate, root);
  await assert.rejects(verifyCertificate(leaf, root), { reason: 'unknown-issuer' });
  // The root (1 day) expires before the intermediate and leaf (2 days): still refused.
  await assert.rejects(
    verifyCertificate(leaf + intermediate, root, { now: new Date(Date.now() + 36 * HOUR) }),
    (err: unknown) => err instanceof PkiCertificateExpiredError && err.message.includes('CN=root'),
  );
  await assert.rejects(
    verifyCertificate(dir.read('bad.crt'), root, { intermediates: [leaf, intermediate] }),
    { reason: 'issuer-not-ca' },
  );
});
