import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidDnsName, normalizeIp, normalizeSans, splitSans } from './subject-alt-names.ts';
import { PkiInvalidArgumentError } from './errors.ts';

const ips: [string, string | undefined][] = [
  ['10.96.0.1', '10.96.0.1'],
  ['::1', '::1'],
  ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['fe80::1%eth0', undefined],
  ['::ffff:10.0.0.1', '::ffff:a00:1'],
  ['10.0.0.256', undefined],
  ['localhost', undefined],
  ['', undefined],
];
for (const [input, expected] of ips) {
  test(`normalizeIp(${JSON.stringify(input)})`, () => {
    assert.equal(normalizeIp(input), expected);
  });
}

const dns: [string, boolean][] = [
  ['kubernetes.default.svc.cluster.local', true],
  ['*.apps.example.com', true],
  ['lb', true],
  ['a-b.c', true],
  ['Upper.example', false],
  ['under_score', false],
  ['-lead.example', false],
  ['trail-.example', false],
  ['*', false],
  ['a..b', false],
  ['', false],
  [`${'a'.repeat(250)}.com`, false],
];
for (const [name, valid] of dns) {
  test(`isValidDnsName(${JSON.stringify(name.slice(0, 40))}) = ${String(valid)}`, () => {
    assert.equal(isValidDnsName(name), valid);
  });
}

test('splitSans sorts IPs from names like kubeadm --apiserver-cert-extra-sans, de-duplicating', () => {
  assert.deepEqual(splitSans(['lb.example', '10.0.0.10', 'fd00::10', 'lb.example', 'FD00::10']), {
    dnsNames: ['lb.example'],
    ipAddresses: ['10.0.0.10', 'fd00::10'],
    emailAddresses: [],
    uris: [],
  });
  assert.throws(() => splitSans(['not a name']), PkiInvalidArgumentError);
  assert.deepEqual(normalizeSans({ dnsNames: ['Under_Score'] }, false).dnsNames, ['Under_Score']);
});
