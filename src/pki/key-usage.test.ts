import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKeyUsages, encodeKeyUsages, isKeyUsage } from './key-usage.ts';
import { PkiInvalidArgumentError } from './errors.ts';

// The certificates.k8s.io/v1 strings and the bits/OIDs upstream's policies.go maps them to.
const cases: { usages: string[]; flags: number; oids: string[]; decoded: string[] }[] = [
  { usages: ['signing'], flags: 1, oids: [], decoded: ['digital signature'] },
  {
    usages: ['digital signature', 'key encipherment', 'server auth'],
    flags: 1 | 4,
    oids: ['1.3.6.1.5.5.7.3.1'],
    decoded: ['digital signature', 'key encipherment', 'server auth'],
  },
  {
    usages: ['client auth', 'server auth', 'client auth'],
    flags: 0,
    oids: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
    decoded: ['server auth', 'client auth'],
  },
  {
    usages: ['cert sign', 'crl sign'],
    flags: 32 | 64,
    oids: [],
    decoded: ['cert sign', 'crl sign'],
  },
  { usages: ['s/mime'], flags: 0, oids: ['1.3.6.1.5.5.7.3.4'], decoded: ['email protection'] },
  { usages: ['any'], flags: 0, oids: ['2.5.29.37.0'], decoded: ['any'] },
  {
    usages: ['netscape sgc'],
    flags: 0,
    oids: ['2.16.840.1.113730.4.1'],
    decoded: ['netscape sgc'],
  },
];
for (const c of cases) {
  test(`encode/decode ${JSON.stringify(c.usages)}`, () => {
    const encoded = encodeKeyUsages(c.usages);
    assert.equal(encoded.keyUsageFlags, c.flags);
    assert.deepEqual(encoded.extKeyUsageOids, c.oids);
    assert.deepEqual(decodeKeyUsages(encoded.keyUsageFlags, encoded.extKeyUsageOids), c.decoded);
  });
}

test('unknown usages are rejected, unknown OIDs decode as the OID', () => {
  assert.throws(() => encodeKeyUsages(['server auth', 'Server Auth']), PkiInvalidArgumentError);
  assert.equal(isKeyUsage('client auth'), true);
  assert.equal(isKeyUsage('toString'), false);
  assert.deepEqual(decodeKeyUsages(0, ['1.2.3.4']), ['1.2.3.4']);
});
