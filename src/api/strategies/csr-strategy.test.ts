import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { csrStrategy } from './csr-strategy.ts';

const PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----\n';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const newCSR = (spec: JsonObject = {}, status?: JsonObject): JsonObject => ({
  metadata: { name: 'node-csr-1' },
  spec: {
    request: b64(PEM),
    signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
    usages: ['digital signature', 'client auth'],
    ...spec,
  },
  ...(status ? { status } : {}),
});

const errors = (csr: JsonObject): string[] =>
  (csrStrategy.validate?.(csr) ?? []).map(formatFieldError);

describe('CertificateSigningRequest', () => {
  it('create clears status; conditions default to status True', () => {
    const csr = newCSR({}, { certificate: 'eA==' });
    csrStrategy.prepareForCreate?.(csr);
    assert.deepEqual(csr['status'], {});
    const approved = newCSR({}, { conditions: [{ type: 'Approved', reason: 'r' }] });
    csrStrategy.defaults?.(approved);
    assert.deepEqual((approved['status'] as JsonObject)['conditions'], [
      { type: 'Approved', reason: 'r', status: 'True' },
    ]);
  });

  const cases: { name: string; csr: JsonObject; want: string[] }[] = [
    { name: 'valid', csr: newCSR(), want: [] },
    {
      name: 'request not a CSR PEM block',
      csr: newCSR({ request: b64('hi') }),
      want: [
        'spec.request: Invalid value: []byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST',
      ],
    },
    {
      name: 'usages',
      csr: newCSR({ usages: ['client auth', 'bogus', 'client auth'] }),
      want: [
        'spec.usages[1]: Unsupported value: "bogus": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping"',
        'spec.usages[2]: Duplicate value: "client auth"',
      ],
    },
    {
      name: 'missing request, usages and signer',
      csr: { metadata: { name: 'x' }, spec: {} },
      want: [
        'spec.request: Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST',
        'spec.usages: Required value',
        'spec.signerName: Required value',
      ],
    },
    {
      name: 'signer name forms',
      csr: newCSR({ signerName: 'example', expirationSeconds: 60 }),
      want: [
        'spec.signerName: Invalid value: "example": must be a fully qualified domain and path of the form \'example.com/signer-name\'',
        'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
      ],
    },
    {
      name: 'signer domain with one segment',
      csr: newCSR({ signerName: 'example/signer' }),
      want: [
        'spec.signerName: Invalid value: "example": should be a domain with at least two segments separated by dots',
      ],
    },
    {
      name: 'approved and denied',
      csr: newCSR({}, { conditions: [{ type: 'Approved' }, { type: 'Denied' }] }),
      want: [
        'status.conditions: Invalid value: "Denied": Denied condition may not be set once the Approved condition is set',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(errors(c.csr), c.want);
    });

  it('update: conditions are not removed, the certificate is not replaced', () => {
    const old = newCSR(
      {},
      { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'eA==' },
    );
    const next = newCSR({}, { certificate: 'eQ==' });
    assert.deepEqual((csrStrategy.validateUpdate?.(next, old) ?? []).map(formatFieldError), [
      'status.conditions: Forbidden: updates may not remove a condition of type "Approved"',
      'status.certificate: Invalid value: "<certificate data>": updates may not modify existing certificate content',
    ]);
  });
});
