import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebhookAgentAuthorizer } from './agent-authorizer.ts';

test('the webhook authorizer asks with a SubjectAccessReview and caches allow 5 min, deny 30 s', async () => {
  let now = 0;
  const asked: unknown[] = [];
  const authz = new WebhookAgentAuthorizer({
    now: () => now,
    review: (body) => {
      asked.push(body);
      const user = (body.spec as { user: string }).user;
      return Promise.resolve({
        allowed: user === 'apiserver',
        reason: user === 'apiserver' ? '' : 'nope',
      });
    },
  });
  const attrs = (name: string) => ({
    user: { name, groups: ['g'] },
    verb: 'create',
    subresource: 'proxy',
    nodeName: 'n1',
  });
  assert.equal((await authz.authorize(attrs('apiserver'))).allowed, true);
  assert.deepEqual(asked[0], {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: 'apiserver',
      groups: ['g'],
      resourceAttributes: {
        verb: 'create',
        version: 'v1',
        resource: 'nodes',
        subresource: 'proxy',
        name: 'n1',
      },
    },
  });
  assert.equal((await authz.authorize(attrs('eve'))).reason, 'nope');
  now = 29_000;
  await authz.authorize(attrs('apiserver'));
  await authz.authorize(attrs('eve'));
  assert.equal(asked.length, 2);
  now = 31_000;
  await authz.authorize(attrs('eve'));
  assert.equal(asked.length, 3);
  now = 301_000;
  await authz.authorize(attrs('apiserver'));
  assert.equal(asked.length, 4);
});

test('an API server that cannot answer is a denial, not cached', async () => {
  let calls = 0;
  const authz = new WebhookAgentAuthorizer({
    review: () => {
      calls += 1;
      return Promise.reject(new Error('connection refused'));
    },
  });
  const attrs = {
    user: { name: 'a', groups: [] },
    verb: 'get',
    subresource: 'proxy',
    nodeName: 'n',
  };
  assert.match(
    (await authz.authorize(attrs)).reason,
    /authorization check failed: connection refused/,
  );
  await authz.authorize(attrs);
  assert.equal(calls, 2);
});
