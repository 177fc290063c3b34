import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFirstPem, decodePem, decodePemBlocks, encodePem } from './pem.ts';
import { PkiInvalidPemError } from './errors.ts';

const der = new Uint8Array(Array.from({ length: 100 }, (_, i) => i));

test('encodePem writes 64-column base64 and round-trips', () => {
  const pem = encodePem('CERTIFICATE', der);
  const lines = pem.trimEnd().split('\n');
  assert.equal(lines[0], '-----BEGIN CERTIFICATE-----');
  assert.equal(lines.at(-1), '-----END CERTIFICATE-----');
  assert.ok(lines.slice(1, -1).every((l) => l.length <= 64));
  assert.ok(pem.endsWith('\n'));
  assert.deepEqual(decodeFirstPem(pem, 'CERTIFICATE'), der);
  assert.deepEqual(decodeFirstPem(Buffer.from(pem), 'CERTIFICATE'), der);
});

test('decodePem returns every block with the label, skipping others', () => {
  const bundle =
    encodePem('CERTIFICATE', der) +
    encodePem('PRIVATE KEY', new Uint8Array([9])) +
    'junk between blocks\r\n' +
    encodePem('CERTIFICATE', new Uint8Array([1, 2, 3])).replaceAll('\n', '\r\n');
  const certs = decodePem(bundle, 'CERTIFICATE');
  assert.equal(certs.length, 2);
  assert.deepEqual(certs[1], new Uint8Array([1, 2, 3]));
  assert.deepEqual(
    decodePemBlocks(bundle).map((b) => b.label),
    ['CERTIFICATE', 'PRIVATE KEY', 'CERTIFICATE'],
  );
});

const bad: { name: string; input: string }[] = [
  { name: 'empty string', input: '' },
  { name: 'garbage', input: 'this is not PEM at all' },
  { name: 'only another label', input: encodePem('PRIVATE KEY', der) },
  { name: 'mismatched END', input: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END KEY-----\n' },
  {
    name: 'non-base64 body',
    input: '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----',
  },
  { name: 'empty body', input: '-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----' },
  {
    name: 'encrypted PEM headers',
    input: '-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END CERTIFICATE-----',
  },
];
for (const c of bad) {
  test(`decodePem rejects ${c.name}`, () => {
    assert.throws(
      () => decodePem(c.input, 'CERTIFICATE'),
      (err: unknown) => err instanceof PkiInvalidPemError && err.expectedLabel === 'CERTIFICATE',
    );
  });
}
