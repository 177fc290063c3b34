import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidTokenError,
  TokenAuthenticatorUnion,
  audienceAgnostic,
  intersectAudiences,
} from './token-authenticator.ts';
import type { TokenAuthResponse, TokenAuthenticator } from './token-authenticator.ts';

const accepts = (name: string, audiences: string[] = []): TokenAuthenticator => ({
  authenticateToken: () => Promise.resolve({ user: { name, groups: ['g'] }, audiences }),
});
const ignores: TokenAuthenticator = { authenticateToken: () => Promise.resolve(undefined) };
const rejects = (message: string): TokenAuthenticator => ({
  authenticateToken: () => Promise.reject(new InvalidTokenError(message)),
});

describe('TokenAuthenticatorUnion', () => {
  it('returns the first acceptance and adds system:authenticated', async () => {
    const union = new TokenAuthenticatorUnion([ignores, rejects('no'), accepts('a', ['x'])]);
    assert.deepEqual(await union.authenticate('t', []), {
      authenticated: true,
      user: { name: 'a', groups: ['g', 'system:authenticated'] },
      audiences: ['x'],
    });
  });

  const failures: { name: string; chain: TokenAuthenticator[]; error: string }[] = [
    { name: 'nobody claims it', chain: [ignores, ignores], error: 'invalid bearer token' },
    { name: 'empty union', chain: [], error: 'invalid bearer token' },
    { name: 'one rejection', chain: [rejects('expired'), ignores], error: 'expired' },
    { name: 'same rejection twice', chain: [rejects('e'), rejects('e')], error: 'e' },
    { name: 'two rejections', chain: [rejects('a'), rejects('b')], error: '[a, b]' },
  ];
  for (const c of failures) {
    it(`fails with upstream's aggregate message: ${c.name}`, async () => {
      assert.deepEqual(await new TokenAuthenticatorUnion(c.chain).authenticate('t', []), {
        authenticated: false,
        error: c.error,
      });
    });
  }

  it('lets unexpected errors (a store outage) through', async () => {
    const broken: TokenAuthenticator = {
      authenticateToken: () => Promise.reject(new Error('etcd down')),
    };
    await assert.rejects(new TokenAuthenticatorUnion([broken]).authenticate('t', []), /etcd down/);
  });
});

describe('audienceAgnostic', () => {
  const inner = accepts('bootstrap');
  const wrapped = audienceAgnostic(['api', 'api2'], inner);
  it('answers for the API audiences the caller asked for', async () => {
    const res: TokenAuthResponse | undefined = await wrapped.authenticateToken('t', ['x', 'api2']);
    assert.deepEqual(res?.audiences, ['api2']);
  });
  it('is not authenticated for other audiences', async () => {
    assert.equal(await wrapped.authenticateToken('t', ['vault']), undefined);
  });
  it('intersects in the first list order', () => {
    assert.deepEqual(intersectAudiences(['a', 'b', 'c'], ['c', 'a']), ['a', 'c']);
  });
});
