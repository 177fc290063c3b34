// The approval decision table of upstream's sarapprove_test.go (TestRecognizers, TestHandle).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recognizeCsr, subjectAccessReviewFor } from './csr-approval-policy.ts';
import type { CertificateSigningRequest } from './csr-conditions.ts';
import type { CsrContents } from './kubelet-csr-rules.ts';

function newCsr(
  overrides: Partial<CertificateSigningRequest['spec']> = {},
): CertificateSigningRequest {
  return {
    metadata: { name: 'csr-1' },
    spec: {
      request: '',
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: ['digital signature', 'client auth'],
      username: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:authenticated'],
      ...overrides,
    },
  };
}

function newRequest(cn = 'system:node:w1', orgs = ['system:nodes']): CsrContents {
  return {
    subject: { commonName: cn, organizations: orgs },
    dnsNames: [],
    ipAddresses: [],
    emailAddresses: [],
    uris: [],
  };
}

describe('recognizeCsr', () => {
  const cases: {
    name: string;
    csr: CertificateSigningRequest;
    req: CsrContents;
    want: string[];
  }[] = [
    {
      name: 'bootstrapper asks for a node client cert',
      csr: newCsr(),
      req: newRequest(),
      want: ['nodeclient'],
    },
    {
      name: 'node renews its own client cert',
      csr: newCsr({ username: 'system:node:w1', groups: ['system:nodes'] }),
      req: newRequest(),
      want: ['selfnodeclient', 'nodeclient'],
    },
    {
      name: 'node asks for another node',
      csr: newCsr({ username: 'system:node:w2' }),
      req: newRequest(),
      want: ['nodeclient'],
    },
    {
      name: 'RSA usages',
      csr: newCsr({ usages: ['digital signature', 'key encipherment', 'client auth'] }),
      req: newRequest(),
      want: ['nodeclient'],
    },
    { name: 'wrong CN', csr: newCsr(), req: newRequest('w1'), want: [] },
    {
      name: 'wrong O',
      csr: newCsr(),
      req: newRequest('system:node:w1', ['system:masters']),
      want: [],
    },
    {
      name: 'extra O',
      csr: newCsr(),
      req: newRequest('system:node:w1', ['system:nodes', 'system:masters']),
      want: [],
    },
    {
      name: 'server auth usage',
      csr: newCsr({ usages: ['digital signature', 'client auth', 'server auth'] }),
      req: newRequest(),
      want: [],
    },
    {
      name: 'other signer',
      csr: newCsr({ signerName: 'kubernetes.io/kube-apiserver-client' }),
      req: newRequest(),
      want: [],
    },
    {
      name: 'kubelet-serving signer',
      csr: newCsr({ signerName: 'kubernetes.io/kubelet-serving' }),
      req: newRequest(),
      want: [],
    },
    { name: 'SANs', csr: newCsr(), req: { ...newRequest(), dnsNames: ['w1'] }, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        recognizeCsr(c.csr, c.req).map((r) => r.subresource),
        c.want,
      );
    });
  }

  it("messages are upstream's", () => {
    const [self, node] = recognizeCsr(newCsr({ username: 'system:node:w1' }), newRequest());
    assert.equal(
      self?.successMessage,
      'Auto approving self kubelet client certificate after SubjectAccessReview.',
    );
    assert.equal(
      node?.successMessage,
      'Auto approving kubelet client certificate after SubjectAccessReview.',
    );
  });
});

describe('subjectAccessReviewFor', () => {
  it("asks about the requester, with upstream's resource attributes", () => {
    const csr = newCsr({ uid: 'u-1', extra: { scopes: ['a'] } });
    assert.deepEqual(subjectAccessReviewFor(csr, 'nodeclient'), {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: 'system:bootstrap:abcdef',
        uid: 'u-1',
        groups: ['system:bootstrappers', 'system:authenticated'],
        extra: { scopes: ['a'] },
        resourceAttributes: {
          group: 'certificates.k8s.io',
          resource: 'certificatesigningrequests',
          verb: 'create',
          subresource: 'nodeclient',
          version: '*',
        },
      },
    });
  });
});
