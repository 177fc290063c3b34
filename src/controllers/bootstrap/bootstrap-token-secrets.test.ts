// Reading bootstrap-token Secrets as cluster-bootstrap's secret utils and the signer's
// validateSecretForSigning do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapTokenExpiry,
  isBootstrapTokenSecret,
  signingTokenFromSecret,
} from './bootstrap-token-secrets.ts';
import type { Secret } from './bootstrap-token-secrets.ts';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function newTokenSecret(
  data: Record<string, string | undefined> = {},
  overrides: Partial<Secret> = {},
): Secret {
  const plain: Record<string, string | undefined> = {
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    'usage-bootstrap-signing': 'true',
    ...data,
  };
  return {
    metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', uid: 'u1' },
    type: 'bootstrap.kubernetes.io/token',
    data: Object.fromEntries(
      Object.entries(plain).flatMap(([k, v]) => (v === undefined ? [] : [[k, b64(v)]])),
    ),
    ...overrides,
  };
}

describe('bootstrapTokenExpiry', () => {
  const cases: {
    name: string;
    expiration?: string;
    want: ReturnType<typeof bootstrapTokenExpiry>;
  }[] = [
    { name: 'no expiration', want: { kind: 'never' } },
    {
      name: 'in an hour',
      expiration: '2025-01-01T01:00:00Z',
      want: { kind: 'expires', ttlMs: 3_600_000 },
    },
    { name: 'with an offset', expiration: '2025-01-01T01:00:00+01:00', want: { kind: 'expired' } },
    { name: 'exactly now', expiration: '2025-01-01T00:00:00Z', want: { kind: 'expired' } },
    { name: 'in the past', expiration: '2024-12-31T00:00:00Z', want: { kind: 'expired' } },
    { name: 'unparseable counts as expired', expiration: 'tomorrow', want: { kind: 'expired' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        bootstrapTokenExpiry(newTokenSecret({ expiration: c.expiration }), NOW),
        c.want,
      );
    });
  }
});

describe('signingTokenFromSecret', () => {
  const cases: { name: string; secret: Secret; signs: boolean }[] = [
    { name: 'valid, never expires', secret: newTokenSecret(), signs: true },
    {
      name: 'valid, not yet expired',
      secret: newTokenSecret({ expiration: '2025-01-02T00:00:00Z' }),
      signs: true,
    },
    {
      name: 'expired',
      secret: newTokenSecret({ expiration: '2024-01-01T00:00:00Z' }),
      signs: false,
    },
    {
      name: 'not for signing',
      secret: newTokenSecret({ 'usage-bootstrap-signing': undefined }),
      signs: false,
    },
    {
      name: 'signing usage not "true"',
      secret: newTokenSecret({ 'usage-bootstrap-signing': 'yes' }),
      signs: false,
    },
    {
      name: 'ID differs from the name',
      secret: newTokenSecret({ 'token-id': 'zzzzzz' }),
      signs: false,
    },
    { name: 'no secret', secret: newTokenSecret({ 'token-secret': undefined }), signs: false },
    {
      name: 'bad name',
      secret: newTokenSecret({}, { metadata: { name: 'token-abcdef', namespace: 'kube-system' } }),
      signs: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const token = signingTokenFromSecret(c.secret, NOW);
      assert.equal(token !== undefined, c.signs);
      if (token !== undefined)
        assert.deepEqual([token.id, token.secret], ['abcdef', '0123456789abcdef']);
    });
  }
});

describe('isBootstrapTokenSecret', () => {
  it('needs the type and kube-system', () => {
    assert.equal(isBootstrapTokenSecret(newTokenSecret()), true);
    assert.equal(isBootstrapTokenSecret(newTokenSecret({}, { type: 'Opaque' })), false);
    assert.equal(
      isBootstrapTokenSecret(
        newTokenSecret({}, { metadata: { name: 'bootstrap-token-abcdef', namespace: 'default' } }),
      ),
      false,
    );
  });
});
