// The signer rule table of upstream's signer_test.go (TestHandle's validation cases).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signerVerdict } from './csr-signer-rules.ts';
import type { SignerVerdict } from './csr-signer-rules.ts';
import type { CsrContents } from './kubelet-csr-rules.ts';

const node: CsrContents = {
  subject: { commonName: 'system:node:w1', organizations: ['system:nodes'] },
  dnsNames: [],
  ipAddresses: [],
  emailAddresses: [],
  uris: [],
};
const nodeServing: CsrContents = { ...node, dnsNames: ['w1'], ipAddresses: ['10.0.0.1'] };
const user: CsrContents = { ...node, subject: { commonName: 'alice', organizations: ['dev'] } };

const sign: SignerVerdict = { kind: 'sign' };
const fail = (message: string): SignerVerdict => ({ kind: 'fail', message });

describe('signerVerdict', () => {
  const cases: {
    name: string;
    signer: string;
    req: CsrContents;
    usages: string[];
    want: SignerVerdict;
  }[] = [
    {
      name: 'kubelet client',
      signer: 'kubernetes.io/kube-apiserver-client-kubelet',
      req: node,
      usages: ['digital signature', 'client auth'],
      want: sign,
    },
    {
      name: 'kubelet client for a user',
      signer: 'kubernetes.io/kube-apiserver-client-kubelet',
      req: user,
      usages: ['digital signature', 'client auth'],
      want: fail('subject organization is not system:nodes'),
    },
    {
      name: 'kubelet client with SANs',
      signer: 'kubernetes.io/kube-apiserver-client-kubelet',
      req: nodeServing,
      usages: ['digital signature', 'client auth'],
      want: fail('DNS subjectAltNames are not allowed'),
    },
    {
      name: 'kubelet serving',
      signer: 'kubernetes.io/kubelet-serving',
      req: nodeServing,
      usages: ['digital signature', 'key encipherment', 'server auth'],
      want: sign,
    },
    {
      name: 'kubelet serving without SANs',
      signer: 'kubernetes.io/kubelet-serving',
      req: node,
      usages: ['digital signature', 'server auth'],
      want: fail('DNS or IP subjectAltName is required'),
    },
    {
      name: 'kubelet serving with client auth',
      signer: 'kubernetes.io/kubelet-serving',
      req: nodeServing,
      usages: ['digital signature', 'server auth', 'client auth'],
      want: fail('usages did not match [digital signature key encipherment server auth]'),
    },
    {
      name: 'apiserver client, any subject',
      signer: 'kubernetes.io/kube-apiserver-client',
      req: user,
      usages: ['client auth'],
      want: sign,
    },
    {
      name: 'apiserver client with server auth',
      signer: 'kubernetes.io/kube-apiserver-client',
      req: user,
      usages: ['client auth', 'server auth'],
      want: fail('invalid usage for client certificate: server auth'),
    },
    {
      name: 'legacy-unknown is not served',
      signer: 'kubernetes.io/legacy-unknown',
      req: user,
      usages: ['client auth'],
      want: { kind: 'ignore' },
    },
    {
      name: 'another signer',
      signer: 'example.com/signer',
      req: user,
      usages: ['client auth'],
      want: { kind: 'ignore' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(signerVerdict(c.signer, c.req, c.usages), c.want);
    });
  }
});
