import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { BootstrapTokenAuthenticator } from './bootstrap-token.ts';
import type { TokenObjectGetter } from './service-account-token.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const TOKEN = 'abcdef.0123456789abcdef';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** A kubeadm-style bootstrap-token Secret, `data` base64 as the store holds it. */
function bootstrapSecret(
  data: Record<string, string | undefined> = {},
  extra: JsonObject = {},
): JsonObject {
  const plain: Record<string, string | undefined> = {
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    expiration: '2025-06-02T12:00:00Z',
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
    ...data,
  };
  const encoded: JsonObject = {};
  for (const [k, v] of Object.entries(plain)) if (v !== undefined) encoded[k] = b64(v);
  return {
    metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', uid: 'u' },
    type: 'bootstrap.kubernetes.io/token',
    data: encoded,
    ...extra,
  };
}

function getter(secret: JsonObject | undefined, seen: string[] = []): TokenObjectGetter {
  return {
    get(kind, namespace, name) {
      seen.push(`${kind}/${namespace ?? ''}/${name}`);
      return Promise.resolve(secret);
    },
  };
}

const auth = (secret: JsonObject | undefined, seen?: string[]) =>
  new BootstrapTokenAuthenticator({ objects: getter(secret, seen), now: () => NOW });

describe('BootstrapTokenAuthenticator', () => {
  it('authenticates <id>.<secret> as system:bootstrap:<id> with sorted groups', async () => {
    const seen: string[] = [];
    const res = await auth(bootstrapSecret(), seen).authenticateToken(TOKEN);
    assert.deepEqual(seen, ['Secret/kube-system/bootstrap-token-abcdef']);
    assert.deepEqual(res, {
      user: {
        name: 'system:bootstrap:abcdef',
        groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'],
      },
      audiences: [],
    });
  });

  it('accepts a token that never expires and one without extra groups', async () => {
    const res = await auth(
      bootstrapSecret({ expiration: undefined, 'auth-extra-groups': undefined }),
    ).authenticateToken(TOKEN);
    assert.deepEqual(res?.user.groups, ['system:bootstrappers']);
  });

  // Every mismatch is "not mine" (undefined), never an error, as upstream.
  const cases: { name: string; token?: string; secret: JsonObject | undefined }[] = [
    { name: 'not a bootstrap token', token: 'eyJhbGciOi.x.y', secret: bootstrapSecret() },
    { name: 'upper case', token: 'ABCDEF.0123456789abcdef', secret: bootstrapSecret() },
    { name: 'no such secret', secret: undefined },
    { name: 'wrong secret', token: 'abcdef.0123456789abcdeX', secret: bootstrapSecret() },
    {
      name: 'wrong secret, same prefix',
      token: 'abcdef.0123456789abcdee',
      secret: bootstrapSecret(),
    },
    { name: 'token-id differs', secret: bootstrapSecret({ 'token-id': 'zzzzzz' }) },
    { name: 'expired', secret: bootstrapSecret({ expiration: '2025-06-01T11:59:59Z' }) },
    { name: 'expires right now', secret: bootstrapSecret({ expiration: '2025-06-01T12:00:00Z' }) },
    { name: 'unparseable expiration', secret: bootstrapSecret({ expiration: 'tomorrow' }) },
    {
      name: 'missing usage-bootstrap-authentication',
      secret: bootstrapSecret({ 'usage-bootstrap-authentication': undefined }),
    },
    {
      name: 'usage-bootstrap-authentication not "true"',
      secret: bootstrapSecret({ 'usage-bootstrap-authentication': 'yes' }),
    },
    { name: 'wrong type', secret: bootstrapSecret({}, { type: 'Opaque' }) },
    { name: 'no data', secret: { ...bootstrapSecret(), data: null } },
    {
      name: 'being deleted',
      secret: bootstrapSecret(
        {},
        { metadata: { name: 'bootstrap-token-abcdef', deletionTimestamp: '2025-06-01T11:00:00Z' } },
      ),
    },
    {
      name: 'invalid extra group',
      secret: bootstrapSecret({ 'auth-extra-groups': 'system:masters' }),
    },
  ];
  for (const c of cases) {
    it(`not authenticated: ${c.name}`, async () => {
      assert.equal(await auth(c.secret).authenticateToken(c.token ?? TOKEN), undefined);
    });
  }
});
