import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/status.ts';
import type { Exchange } from '../http/exchange.ts';
import { BearerTokenAuthenticator, EXTRA_SPACE_WARNING, parseBearerToken } from './bearer-token.ts';
import { InvalidTokenError, TokenAuthenticatorUnion } from './token-authenticator.ts';

describe('parseBearerToken', () => {
  const cases: [string | undefined, ReturnType<typeof parseBearerToken>][] = [
    [undefined, { kind: 'none' }],
    ['', { kind: 'none' }],
    ['   ', { kind: 'none' }],
    ['Bearer', { kind: 'none' }],
    ['Bearer ', { kind: 'none' }],
    ['Basic dXNlcjpwYXNz', { kind: 'none' }],
    ['Bearer tok', { kind: 'token', token: 'tok' }],
    ['bearer tok', { kind: 'token', token: 'tok' }],
    ['BEARER tok', { kind: 'token', token: 'tok' }],
    ['  Bearer tok  ', { kind: 'token', token: 'tok' }],
    ['Bearer tok trailing words', { kind: 'token', token: 'tok' }],
    ['Bearer  tok', { kind: 'extra-space' }],
  ];
  for (const [header, want] of cases) {
    it(`header ${JSON.stringify(header)}`, () => {
      assert.deepEqual(parseBearerToken(header), want);
    });
  }
});

/** The parts of an Exchange the authenticator touches. */
function fakeExchange(authorization: string | undefined): Exchange & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    header: (name: string) => (name === 'authorization' ? authorization : undefined),
    addWarning: (w: string) => warnings.push(w),
  } as unknown as Exchange & { warnings: string[] };
}

describe('BearerTokenAuthenticator', () => {
  const seen: { token: string; audiences: readonly string[] }[] = [];
  const union = new TokenAuthenticatorUnion([
    {
      authenticateToken: (token, audiences) => {
        seen.push({ token, audiences });
        if (token === 'good')
          return Promise.resolve({ user: { name: 'u', groups: [] }, audiences });
        if (token === 'expired') return Promise.reject(new InvalidTokenError('token has expired'));
        return Promise.resolve(undefined);
      },
    },
  ]);
  const auth = new BearerTokenAuthenticator(union, ['https://api']);

  it('authenticates with the API audiences', async () => {
    const user = await auth.authenticate(fakeExchange('Bearer good'));
    assert.deepEqual(user, { name: 'u', groups: ['system:authenticated'] });
    assert.deepEqual(seen.at(-1), { token: 'good', audiences: ['https://api'] });
  });

  it('passes on requests without a bearer token', async () => {
    assert.equal(await auth.authenticate(fakeExchange(undefined)), undefined);
    assert.equal(await auth.authenticate(fakeExchange('Basic x')), undefined);
  });

  it('warns about an extra space and ignores the header', async () => {
    const ex = fakeExchange('Bearer  good');
    assert.equal(await auth.authenticate(ex), undefined);
    assert.deepEqual(ex.warnings, [EXTRA_SPACE_WARNING]);
  });

  for (const token of ['unknown-secret-value', 'expired']) {
    it(`answers 401 "Unauthorized" without the reason or the token (${token})`, async () => {
      await assert.rejects(auth.authenticate(fakeExchange(`Bearer ${token}`)), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, 401);
        assert.equal(err.message, 'Unauthorized');
        assert.ok(!JSON.stringify(err.toStatus()).includes(token));
        return true;
      });
    });
  }
});
