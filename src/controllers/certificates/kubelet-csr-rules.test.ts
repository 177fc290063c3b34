// Rule tables after upstream's pkg/apis/certificates/helpers_test.go and signer_test.go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateApiServerClientUsages,
  validateKubeletClientCsr,
  validateKubeletServingCsr,
} from './kubelet-csr-rules.ts';
import type { CsrContents } from './kubelet-csr-rules.ts';

function newRequest(overrides: Partial<CsrContents> & { cn?: string; orgs?: string[] } = {}) {
  const { cn = 'system:node:w1', orgs = ['system:nodes'], ...rest } = overrides;
  return {
    subject: { commonName: cn, organizations: orgs },
    dnsNames: [],
    ipAddresses: [],
    emailAddresses: [],
    uris: [],
    ...rest,
  } satisfies CsrContents;
}

const CLIENT = ['digital signature', 'client auth'];
const CLIENT_RSA = ['digital signature', 'key encipherment', 'client auth'];
const SERVING = ['digital signature', 'server auth'];

describe('validateKubeletClientCsr', () => {
  const cases: { name: string; req: CsrContents; usages: string[]; want?: string }[] = [
    { name: 'ECDSA usages', req: newRequest(), usages: CLIENT },
    { name: 'RSA usages', req: newRequest(), usages: CLIENT_RSA },
    {
      name: 'usages in any order, repeated',
      req: newRequest(),
      usages: [...CLIENT, ...CLIENT].reverse(),
    },
    {
      name: 'no O',
      req: newRequest({ orgs: [] }),
      usages: CLIENT,
      want: 'subject organization is not system:nodes',
    },
    {
      name: 'extra O',
      req: newRequest({ orgs: ['system:nodes', 'x'] }),
      usages: CLIENT,
      want: 'subject organization is not system:nodes',
    },
    {
      name: 'DNS SAN',
      req: newRequest({ dnsNames: ['w1'] }),
      usages: CLIENT,
      want: 'DNS subjectAltNames are not allowed',
    },
    {
      name: 'email SAN',
      req: newRequest({ emailAddresses: ['a@b'] }),
      usages: CLIENT,
      want: 'Email subjectAltNames are not allowed',
    },
    {
      name: 'IP SAN',
      req: newRequest({ ipAddresses: ['10.0.0.1'] }),
      usages: CLIENT,
      want: 'IP subjectAltNames are not allowed',
    },
    {
      name: 'URI SAN',
      req: newRequest({ uris: ['spiffe://x'] }),
      usages: CLIENT,
      want: 'URI subjectAltNames are not allowed',
    },
    {
      name: 'wrong CN',
      req: newRequest({ cn: 'w1' }),
      usages: CLIENT,
      want: 'subject common name does not begin with system:node:',
    },
    {
      name: 'server auth',
      req: newRequest(),
      usages: [...CLIENT, 'server auth'],
      want: 'usages did not match [client auth digital signature key encipherment]',
    },
    {
      name: 'client auth only',
      req: newRequest(),
      usages: ['client auth'],
      want: 'usages did not match [client auth digital signature key encipherment]',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(validateKubeletClientCsr(c.req, c.usages), c.want);
    });
  }
});

describe('validateKubeletServingCsr', () => {
  const cases: { name: string; req: CsrContents; usages: string[]; want?: string }[] = [
    { name: 'DNS SAN', req: newRequest({ dnsNames: ['w1'] }), usages: SERVING },
    {
      name: 'IP SAN, RSA usages',
      req: newRequest({ ipAddresses: ['10.0.0.1'] }),
      usages: [...SERVING, 'key encipherment'],
    },
    {
      name: 'no SAN',
      req: newRequest(),
      usages: SERVING,
      want: 'DNS or IP subjectAltName is required',
    },
    {
      name: 'wrong O',
      req: newRequest({ orgs: ['x'], dnsNames: ['w1'] }),
      usages: SERVING,
      want: 'subject organization is not system:nodes',
    },
    {
      name: 'email SAN',
      req: newRequest({ dnsNames: ['w1'], emailAddresses: ['a@b'] }),
      usages: SERVING,
      want: 'Email subjectAltNames are not allowed',
    },
    {
      name: 'URI SAN',
      req: newRequest({ dnsNames: ['w1'], uris: ['spiffe://x'] }),
      usages: SERVING,
      want: 'URI subjectAltNames are not allowed',
    },
    {
      name: 'client usages',
      req: newRequest({ dnsNames: ['w1'] }),
      usages: CLIENT,
      want: 'usages did not match [digital signature key encipherment server auth]',
    },
    {
      name: 'wrong CN',
      req: newRequest({ cn: 'w1', dnsNames: ['w1'] }),
      usages: SERVING,
      want: 'subject common name does not begin with system:node:',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(validateKubeletServingCsr(c.req, c.usages), c.want);
    });
  }
});

describe('validateApiServerClientUsages', () => {
  const cases: { usages: string[]; want?: string }[] = [
    { usages: ['client auth'] },
    { usages: CLIENT_RSA },
    {
      usages: ['digital signature'],
      want: 'missing required usage for client certificate: client auth',
    },
    {
      usages: ['client auth', 'server auth'],
      want: 'invalid usage for client certificate: server auth',
    },
    { usages: [], want: 'missing required usage for client certificate: client auth' },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.usages), () => {
      assert.equal(validateApiServerClientUsages(c.usages), c.want);
    });
  }
});
