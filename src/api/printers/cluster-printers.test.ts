import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import {
  certificateSigningRequestPrinter,
  leasePrinter,
  podDisruptionBudgetPrinter,
} from './cluster-printers.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const ALMOST_NOW = new Date(NOW.getTime() + 1900).toISOString();
const FIVE_MIN_AGO = new Date(NOW.getTime() - 300_000).toISOString();
const meta = (name: string, creationTimestamp = ALMOST_NOW): JsonObject => ({
  name,
  creationTimestamp,
});
const approved = { conditions: [{ type: 'Approved', status: 'True' }] };

const cases: {
  name: string;
  printer: Printer;
  obj: JsonObject;
  want: readonly (string | number)[];
}[] = [
  // TestPrintLease
  {
    name: 'lease with a holder',
    printer: leasePrinter,
    obj: { metadata: meta('lease1'), spec: { holderIdentity: 'holder1' } },
    want: ['lease1', 'holder1', '0s'],
  },
  {
    name: 'lease 5m old',
    printer: leasePrinter,
    obj: { metadata: meta('lease2', FIVE_MIN_AGO), spec: { holderIdentity: 'holder2' } },
    want: ['lease2', 'holder2', '5m'],
  },
  {
    name: 'lease without a holder',
    printer: leasePrinter,
    obj: { metadata: meta('free'), spec: { holderIdentity: null } },
    want: ['free', '', '0s'],
  },
  // TestPrintCertificateSigningRequest: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION
  {
    name: 'csr without spec or status is Pending',
    printer: certificateSigningRequestPrinter,
    obj: { metadata: meta('csr1'), spec: {}, status: {} },
    want: ['csr1', '0s', '<none>', '', '<none>', 'Pending'],
  },
  {
    name: 'csr approved',
    printer: certificateSigningRequestPrinter,
    obj: { metadata: meta('csr2'), spec: { username: 'CSR Requestor' }, status: approved },
    want: ['csr2', '0s', '<none>', 'CSR Requestor', '<none>', 'Approved'],
  },
  {
    name: 'csr with a signer name',
    printer: certificateSigningRequestPrinter,
    obj: {
      metadata: meta('csr2'),
      spec: { username: 'CSR Requestor', signerName: 'example.com/test-signer' },
      status: approved,
    },
    want: ['csr2', '0s', 'example.com/test-signer', 'CSR Requestor', '<none>', 'Approved'],
  },
  {
    name: 'csr with expirationSeconds (a week and an hour)',
    printer: certificateSigningRequestPrinter,
    obj: {
      metadata: meta('csr2'),
      spec: {
        username: 'CSR Requestor',
        signerName: 'example.com/test-signer',
        expirationSeconds: 7 * 86400 + 3600,
      },
      status: approved,
    },
    want: ['csr2', '0s', 'example.com/test-signer', 'CSR Requestor', '7d1h', 'Approved'],
  },
  {
    name: 'csr approved and issued',
    printer: certificateSigningRequestPrinter,
    obj: {
      metadata: meta('csr2'),
      spec: { username: 'CSR Requestor' },
      status: { ...approved, certificate: 'Y2VydCBkYXRh' },
    },
    want: ['csr2', '0s', '<none>', 'CSR Requestor', '<none>', 'Approved,Issued'],
  },
  {
    name: 'csr denied',
    printer: certificateSigningRequestPrinter,
    obj: {
      metadata: meta('csr3'),
      spec: { username: 'CSR Requestor' },
      status: { conditions: [{ type: 'Denied' }] },
    },
    want: ['csr3', '0s', '<none>', 'CSR Requestor', '<none>', 'Denied'],
  },
  {
    name: 'csr denied wins over approved; failed is appended',
    printer: certificateSigningRequestPrinter,
    obj: {
      metadata: meta('csr4'),
      spec: {
        username: 'system:node:n1',
        signerName: 'kubernetes.io/kubelet-serving',
        expirationSeconds: 3600,
      },
      status: { conditions: [{ type: 'Approved' }, { type: 'Denied' }, { type: 'Failed' }] },
    },
    want: ['csr4', '0s', 'kubernetes.io/kubelet-serving', 'system:node:n1', '60m', 'Denied,Failed'],
  },
  // TestPrintPodDisruptionBudget
  {
    name: 'pdb with minAvailable',
    printer: podDisruptionBudgetPrinter,
    obj: { metadata: meta('pdb1'), spec: { minAvailable: 22 }, status: { disruptionsAllowed: 5 } },
    want: ['pdb1', '22', 'N/A', 5, '0s'],
  },
  {
    name: 'pdb with maxUnavailable',
    printer: podDisruptionBudgetPrinter,
    obj: {
      metadata: meta('pdb2'),
      spec: { maxUnavailable: 11 },
      status: { disruptionsAllowed: 5 },
    },
    want: ['pdb2', 'N/A', '11', 5, '0s'],
  },
  {
    name: 'pdb with a percentage',
    printer: podDisruptionBudgetPrinter,
    obj: { metadata: meta('pdb3'), spec: { minAvailable: '50%' } },
    want: ['pdb3', '50%', 'N/A', 0, '0s'],
  },
];

describe('cluster printers', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(c.printer.cells(c.obj, NOW), c.want);
    });
  }
});

test('cluster printer columns match upstream', () => {
  const shape = (p: Printer): string[] =>
    p.columns.map((c) => `${c.name}:${c.type}:${String(c.priority)}`);
  assert.deepEqual(shape(leasePrinter), ['Name:string:0', 'Holder:string:0', 'Age:string:0']);
  assert.deepEqual(shape(certificateSigningRequestPrinter), [
    'Name:string:0',
    'Age:string:0',
    'SignerName:string:0',
    'Requestor:string:0',
    'RequestedDuration:string:0',
    'Condition:string:0',
  ]);
  assert.deepEqual(shape(podDisruptionBudgetPrinter), [
    'Name:string:0',
    'Min Available:string:0',
    'Max Unavailable:string:0',
    'Allowed Disruptions:integer:0',
    'Age:string:0',
  ]);
  assert.equal(
    leasePrinter.columns[1]?.description,
    'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.',
  );
});
