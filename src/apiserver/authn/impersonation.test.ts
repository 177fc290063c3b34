// Impersonation headers as upstream's WithImpersonation filter: each needs its own permission,
// the impersonated user gets system:authenticated, and refusals read as upstream's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../api/status.ts';
import type { Authorizer, Decision } from '../authz/authorizer.ts';
import type { RequestInfo } from '../request-info.ts';
import { impersonate } from './impersonation.ts';
import type { UserInfo } from './user-info.ts';

/** Allows what `allowed` lists as `resource[/subresource]:namespace:name`; records every check. */
function fakeAuthorizer(allowed: string[]): Authorizer & { checks: string[] } {
  const checks: string[] = [];
  return {
    checks,
    authorize(_user: UserInfo, r: RequestInfo): Promise<Decision> {
      if (!r.isResourceRequest) return Promise.resolve({ allowed: false, reason: '' });
      const res = r.subresource === undefined ? r.resource : `${r.resource}/${r.subresource}`;
      const key = `${r.verb} ${r.group}/${res}:${r.namespace ?? ''}:${r.name ?? ''}`;
      checks.push(key);
      return Promise.resolve(
        allowed.includes(key) ? { allowed: true } : { allowed: false, reason: '' },
      );
    },
    rulesFor: () => Promise.reject(new Error('unused')),
  };
}

const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

test('no headers: the authenticated user, no checks', async () => {
  const authz = fakeAuthorizer([]);
  assert.equal(await impersonate({}, admin, authz), admin);
  assert.deepEqual(authz.checks, []);
});

test('user, groups, uid and extra each need their own permission', async () => {
  const authz = fakeAuthorizer([
    'impersonate /users::jane',
    'impersonate /groups::devs',
    'impersonate /groups::ops',
    'impersonate authentication.k8s.io/uids::1234',
    'impersonate authentication.k8s.io/userextras/scopes.example.com::a',
    'impersonate authentication.k8s.io/userextras/scopes.example.com::b',
  ]);
  const user = await impersonate(
    {
      'impersonate-user': 'jane',
      'impersonate-group': 'devs, ops',
      'impersonate-uid': '1234',
      'impersonate-extra-scopes.example.com': 'a, b',
    },
    admin,
    authz,
  );
  assert.deepEqual(user, {
    name: 'jane',
    groups: ['devs', 'ops', 'system:authenticated'],
    uid: '1234',
    extra: { 'scopes.example.com': ['a', 'b'] },
  });
  assert.equal(authz.checks.length, 6);
});

test('a service account user gets its groups unless groups are given', async () => {
  const authz = fakeAuthorizer(['impersonate /serviceaccounts:ns1:robot']);
  const user = await impersonate(
    { 'impersonate-user': 'system:serviceaccount:ns1:robot' },
    admin,
    authz,
  );
  assert.deepEqual(user, {
    name: 'system:serviceaccount:ns1:robot',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
  });
});

test('system:anonymous gets system:unauthenticated; explicit groups are kept as given', async () => {
  const authz = fakeAuthorizer([
    'impersonate /users::system:anonymous',
    'impersonate /users::jane',
    'impersonate /groups::system:unauthenticated',
  ]);
  assert.deepEqual(await impersonate({ 'impersonate-user': 'system:anonymous' }, admin, authz), {
    name: 'system:anonymous',
    groups: ['system:unauthenticated'],
  });
  assert.deepEqual(
    await impersonate(
      { 'impersonate-user': 'jane', 'impersonate-group': 'system:unauthenticated' },
      admin,
      authz,
    ),
    { name: 'jane', groups: ['system:unauthenticated'] },
  );
});

test('refusals are upstream 403s; groups without a user are a 500', async () => {
  const authz = fakeAuthorizer(['impersonate /users::jane']);
  await assert.rejects(
    impersonate({ 'impersonate-user': 'jane', 'impersonate-group': 'admins' }, admin, authz),
    (err: unknown) =>
      err instanceof ApiError &&
      err.code === 403 &&
      err.message ===
        'groups "admins" is forbidden: User "admin" cannot impersonate resource "groups" in API group "" at the cluster scope',
  );
  await assert.rejects(
    impersonate({ 'impersonate-extra-k': 'v' }, admin, authz),
    (err: unknown) =>
      err instanceof ApiError &&
      err.code === 500 &&
      err.message ===
        'Internal error occurred: requested [{UserExtra  v  authentication.k8s.io/v1  k}] without impersonating a user',
  );
});
