import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject, ResourceRef } from '../../client/index.ts';
import { TokenRequestError, TokenRequestTokens } from './service-account-tokens.ts';
import type { TokenRequestClient } from './service-account-tokens.ts';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'ns', uid: 'u1' },
  spec: { serviceAccountName: 'robot', containers: [] },
};

interface Call {
  readonly ref: ResourceRef;
  readonly body: KubeObject & { spec?: Record<string, unknown> };
}

/** A TokenRequest endpoint: tokens `t1`, `t2`, ... valid `lifetimeS` (or what was asked). */
function fakeClient(clock: { now: number }, lifetimeS?: number) {
  const calls: Call[] = [];
  let failing = false;
  const client: TokenRequestClient = {
    create: <T extends KubeObject>(ref: ResourceRef, body: T): Promise<T> => {
      calls.push({ ref, body });
      if (failing) return Promise.reject(new Error('connection refused'));
      const asked = (body as Call['body']).spec?.['expirationSeconds'] as number;
      const exp = new Date(clock.now + (lifetimeS ?? asked) * 1000).toISOString();
      return Promise.resolve({
        ...body,
        status: { token: `t${String(calls.length)}`, expirationTimestamp: exp },
      } as T);
    },
  };
  return {
    client,
    calls,
    fail: (v: boolean) => {
      failing = v;
    },
  };
}

describe('TokenRequestTokens', () => {
  it('requests a token for the pod service account, bound to the pod, with audience and lifetime', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const api = fakeClient(clock);
    const tokens = new TokenRequestTokens(api.client, () => clock.now);
    assert.equal(await tokens.token(pod, 'vault', 600), 't1');
    const first = api.calls[0];
    assert.ok(first !== undefined);
    assert.deepEqual(first.ref, {
      group: '',
      version: 'v1',
      plural: 'serviceaccounts',
      namespace: 'ns',
      name: 'robot',
      subresource: 'token',
    });
    assert.deepEqual(first.body.spec, {
      audiences: ['vault'],
      expirationSeconds: 600,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'u1' },
    });
    // No audience: the API server's own audiences (no `audiences` field).
    await tokens.token(pod, '', 3600);
    assert.equal(api.calls[1]?.body.spec?.['audiences'], undefined);
  });

  it('serves the cached token until 80 % of its lifetime passed, then requests a new one', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const api = fakeClient(clock);
    const tokens = new TokenRequestTokens(api.client, () => clock.now);
    const start = clock.now;
    assert.equal(await tokens.token(pod, '', 600), 't1');
    clock.now = start + 479_999;
    assert.equal(await tokens.token(pod, '', 600), 't1');
    assert.equal(api.calls.length, 1);
    clock.now = start + 480_000;
    assert.equal(await tokens.token(pod, '', 600), 't2');
    assert.equal(api.calls.length, 2);
    // Another audience or lifetime is another token.
    assert.equal(await tokens.token(pod, 'other', 600), 't3');
  });

  it('refreshes a long-lived token after 24 h at the latest', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const api = fakeClient(clock);
    const tokens = new TokenRequestTokens(api.client, () => clock.now);
    const start = clock.now;
    await tokens.token(pod, '', 7 * 24 * 3600);
    clock.now = start + 24 * 3600_000 - 1;
    assert.equal(await tokens.token(pod, '', 7 * 24 * 3600), 't1');
    clock.now = start + 24 * 3600_000;
    assert.equal(await tokens.token(pod, '', 7 * 24 * 3600), 't2');
  });

  it('uses the lifetime the server granted (it may differ from the one asked)', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const api = fakeClient(clock, 1000);
    const tokens = new TokenRequestTokens(api.client, () => clock.now);
    const start = clock.now;
    await tokens.token(pod, '', 3600);
    clock.now = start + 800_000;
    assert.equal(await tokens.token(pod, '', 3600), 't2');
  });

  it('keeps serving a still valid token when a refresh fails; fails once it expired', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const api = fakeClient(clock);
    const tokens = new TokenRequestTokens(api.client, () => clock.now);
    const start = clock.now;
    await tokens.token(pod, '', 600);
    api.fail(true);
    clock.now = start + 590_000;
    assert.equal(await tokens.token(pod, '', 600), 't1');
    clock.now = start + 600_000;
    await assert.rejects(tokens.token(pod, '', 600), (err: unknown) => {
      assert.ok(err instanceof TokenRequestError);
      assert.equal(
        err.message,
        'failed to fetch token for service account "robot": connection refused',
      );
      return true;
    });
  });

  it('forget drops the pod tokens only', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const api = fakeClient(clock);
    const tokens = new TokenRequestTokens(api.client, () => clock.now);
    const other: Pod = { ...pod, metadata: { ...pod.metadata, uid: 'u2' } };
    await tokens.token(pod, '', 600);
    await tokens.token(other, '', 600);
    tokens.forget('u1');
    assert.equal(await tokens.token(pod, '', 600), 't3');
    assert.equal(await tokens.token(other, '', 600), 't2');
  });
});
