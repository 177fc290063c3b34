import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from './api-server.ts';
import type { ApiServerOptions } from './api-server.ts';
import { MemoryStore } from '../storage/memory/memory-store.ts';
import { generateServiceAccountKey } from '../pki/service-account-key.ts';

type Json = Record<string, unknown>;
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const BOOTSTRAP = 'abcdef.0123456789abcdef';

/** Everything the servers log, to prove no token or secret ever lands there. */
const logged: string[] = [];

interface Running {
  server: ApiServer;
  store: MemoryStore;
  base: string;
}

async function start(options: Partial<ApiServerOptions> = {}): Promise<Running> {
  const store = new MemoryStore();
  const server = new ApiServer({
    store,
    endpointReconciler: false,
    onInternalError: (err) =>
      logged.push(err instanceof Error ? `${err.message} ${err.stack ?? ''}` : String(err)),
    ...options,
  });
  const { url } = await server.start();
  return { server, store, base: url };
}

async function call(
  r: Running,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: Json; text: string; headers: Headers }> {
  const res = await fetch(`${r.base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, headers: res.headers };
}

const field = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Json | undefined)?.[k], o);

function claimsOf(token: string): Json {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Json;
}

async function requestToken(r: Running, ns: string, sa: string, spec: Json = {}) {
  return call(r, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec,
  });
}

async function whoami(r: Running, token: string) {
  return call(
    r,
    'POST',
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    token,
  );
}

async function tokenReview(r: Running, spec: Json) {
  return call(r, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    spec,
  });
}

/** Every secret value this file hands out, checked against every failure body and the logs. */
const secrets: string[] = [BOOTSTRAP, '0123456789abcdef'];
function assertNoSecrets(text: string): void {
  for (const s of secrets) {
    for (const part of s.split('.')) {
      if (part.length >= 16) assert.ok(!text.includes(part), `a secret leaked into: ${text}`);
    }
  }
}

let r: Running;
let saToken = '';
const stderrWrite = process.stderr.write.bind(process.stderr);

before(async () => {
  process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    logged.push(String(chunk));
    return stderrWrite(chunk, ...rest);
  };
  const key = await generateServiceAccountKey('RSA-2048');
  r = await start({
    serviceAccountSigningKeyPem: key.privateKeyPem,
    serviceAccountMaxTokenExpirationSeconds: 7200,
  });
  assert.equal(
    (await call(r, 'POST', '/api/v1/namespaces', { metadata: { name: 'a' } })).status,
    201,
  );
  for (const name of ['default', 'other']) {
    const sa = await call(r, 'POST', '/api/v1/namespaces/a/serviceaccounts', {
      metadata: { name },
    });
    assert.equal(sa.status, 201);
  }
});

after(async () => {
  process.stderr.write = stderrWrite;
  await r.server.stop();
  await r.store.close();
  for (const line of logged) assertNoSecrets(line);
});

describe('TokenRequest: POST serviceaccounts/<name>/token', () => {
  it('issues a token with upstream defaults and claims', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await requestToken(r, 'a', 'default');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json['kind'], 'TokenRequest');
    assert.equal(res.json['apiVersion'], 'authentication.k8s.io/v1');
    assert.deepEqual(field(res.json, 'spec', 'audiences'), [ISSUER]);
    assert.equal(field(res.json, 'spec', 'expirationSeconds'), 3600);
    saToken = String(field(res.json, 'status', 'token'));
    secrets.push(saToken);
    const exp = Date.parse(String(field(res.json, 'status', 'expirationTimestamp'))) / 1000;
    assert.ok(Math.abs(exp - (before + 3600)) <= 2);
    const sa = await call(r, 'GET', '/api/v1/namespaces/a/serviceaccounts/default');
    const claims = claimsOf(saToken);
    assert.deepEqual(Object.keys(claims), [
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'kubernetes.io',
      'nbf',
      'sub',
    ]);
    assert.equal(claims['iss'], ISSUER);
    assert.equal(claims['sub'], 'system:serviceaccount:a:default');
    assert.equal(Number(claims['exp']) - Number(claims['iat']), 3600);
    assert.match(String(claims['jti']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims['kubernetes.io'], {
      namespace: 'a',
      serviceaccount: { name: 'default', uid: field(sa.json, 'metadata', 'uid') },
    });
  });

  it('takes audiences and an expiration; caps it at the maximum with a warning', async () => {
    const res = await requestToken(r, 'a', 'default', {
      audiences: ['vault'],
      expirationSeconds: 10_000,
    });
    assert.equal(res.status, 201);
    assert.equal(field(res.json, 'spec', 'expirationSeconds'), 7200);
    assert.equal(
      res.headers.get('warning'),
      '299 - "requested expiration of 10000 seconds shortened to 7200 seconds"',
    );
    const claims = claimsOf(String(field(res.json, 'status', 'token')));
    assert.deepEqual(claims['aud'], ['vault']);
    assert.equal(Number(claims['exp']) - Number(claims['iat']), 7200);
  });

  const errors: { name: string; sa?: string; body: Json; status: number; message: string }[] = [
    {
      name: 'too short',
      body: { spec: { expirationSeconds: 60 } },
      status: 422,
      message:
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    },
    {
      name: 'no such service account',
      sa: 'nope',
      body: {},
      status: 404,
      message: 'serviceaccounts "nope" not found',
    },
    {
      name: 'name mismatch',
      body: { metadata: { name: 'x' } },
      status: 422,
      message:
        'TokenRequest.authentication.k8s.io "default" is invalid: metadata.name: Invalid value: "x": must match the service account name if specified',
    },
    {
      name: 'bound to an unsupported kind',
      body: { spec: { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' } } },
      status: 400,
      message: 'cannot bind token to object of type /v1, Kind=ConfigMap',
    },
    {
      name: 'bound pod missing',
      body: { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'gone' } } },
      status: 404,
      message: 'pods "gone" not found',
    },
  ];
  for (const c of errors) {
    it(`refuses: ${c.name}`, async () => {
      const res = await call(
        r,
        'POST',
        `/api/v1/namespaces/a/serviceaccounts/${c.sa ?? 'default'}/token`,
        c.body,
      );
      assert.equal(res.status, c.status, res.text);
      assert.equal(res.json['message'], c.message);
    });
  }

  it('binds to a pod of that service account, with a uid check', async () => {
    const pod = await call(r, 'POST', '/api/v1/namespaces/a/pods', {
      metadata: { name: 'p' },
      spec: { serviceAccountName: 'default', containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert.equal(pod.status, 201, pod.text);
    const podUid = String(field(pod.json, 'metadata', 'uid'));
    const wrongUid = await requestToken(r, 'a', 'default', {
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'other' },
    });
    assert.equal(wrongUid.status, 409);
    assert.equal(
      wrongUid.json['message'],
      'Operation cannot be fulfilled on Pod "p": the UID in the bound object reference (other) does not match the UID in record. The object might have been deleted and then recreated',
    );
    const otherSa = await requestToken(r, 'a', 'other', {
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' },
    });
    assert.equal(otherSa.status, 400);
    assert.equal(
      otherSa.json['message'],
      'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.',
    );
    const res = await requestToken(r, 'a', 'default', {
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: podUid },
    });
    assert.equal(res.status, 201, res.text);
    const token = String(field(res.json, 'status', 'token'));
    secrets.push(token);
    assert.deepEqual(field(claimsOf(token), 'kubernetes.io', 'pod'), { name: 'p', uid: podUid });
    const who = await whoami(r, token);
    assert.equal(who.status, 201, who.text);
    assert.deepEqual(
      field(who.json, 'status', 'userInfo', 'extra', 'authentication.kubernetes.io/pod-name'),
      ['p'],
    );
    assert.deepEqual(
      field(who.json, 'status', 'userInfo', 'extra', 'authentication.kubernetes.io/pod-uid'),
      [podUid],
    );
    // Deleting the pod revokes the token.
    const del = await call(r, 'DELETE', '/api/v1/namespaces/a/pods/p');
    assert.equal(del.status, 200);
    const denied = await whoami(r, token);
    assert.equal(denied.status, 401);
    assertNoSecrets(denied.text);
  });

  it('binds to a secret; deleting the secret revokes the token', async () => {
    await call(r, 'POST', '/api/v1/namespaces/a/secrets', { metadata: { name: 's' } });
    const res = await requestToken(r, 'a', 'default', {
      boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's' },
    });
    assert.equal(res.status, 201, res.text);
    const token = String(field(res.json, 'status', 'token'));
    secrets.push(token);
    assert.equal((await whoami(r, token)).status, 201);
    await call(r, 'DELETE', '/api/v1/namespaces/a/secrets/s');
    const review = await tokenReview(r, { token });
    assert.deepEqual(field(review.json, 'status'), {
      user: {},
      error: 'service account token has been invalidated',
    });
  });
});

describe('Authorization: Bearer', () => {
  it('authenticates a service-account token (scheme case-insensitive)', async () => {
    const who = await whoami(r, saToken);
    assert.equal(who.status, 201, who.text);
    const user = field(who.json, 'status', 'userInfo') as Json;
    assert.equal(user['username'], 'system:serviceaccount:a:default');
    assert.deepEqual(user['groups'], [
      'system:serviceaccounts',
      'system:serviceaccounts:a',
      'system:authenticated',
    ]);
    assert.deepEqual(user['extra'], {
      'authentication.kubernetes.io/credential-id': [`JTI=${String(claimsOf(saToken)['jti'])}`],
    });
    const res = await fetch(`${r.base}/api/v1/namespaces/a/serviceaccounts`, {
      headers: { authorization: `bEaReR ${saToken}` },
    });
    assert.equal(res.status, 200);
  });

  it('answers 401 "Unauthorized" for a token nobody accepts, even with anonymous allowed', async () => {
    for (const token of ['not-a-token', `${saToken.slice(0, -4)}AAAA`, BOOTSTRAP]) {
      const res = await call(r, 'GET', '/api/v1/namespaces', undefined, token);
      assert.equal(res.status, 401);
      assert.deepEqual(res.json, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    // Without a bearer token the request stays anonymous.
    assert.equal((await call(r, 'GET', '/api/v1/namespaces')).status, 200);
  });

  it('authenticates a bootstrap token from its kube-system Secret', async () => {
    const create = await call(r, 'POST', '/api/v1/namespaces/kube-system/secrets', {
      metadata: { name: 'bootstrap-token-abcdef' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: {
        'token-id': 'abcdef',
        'token-secret': '0123456789abcdef',
        'usage-bootstrap-authentication': 'true',
        'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
      },
    });
    assert.equal(create.status, 201, create.text);
    const who = await whoami(r, BOOTSTRAP);
    assert.equal(who.status, 201, who.text);
    assert.deepEqual(field(who.json, 'status', 'userInfo'), {
      username: 'system:bootstrap:abcdef',
      groups: [
        'system:bootstrappers',
        'system:bootstrappers:kubeadm:default-node-token',
        'system:authenticated',
      ],
    });
    const wrong = await whoami(r, 'abcdef.0123456789abcdee');
    assert.equal(wrong.status, 401);
  });

  it('revokes every token of a deleted service account, also after re-creation', async () => {
    const res = await requestToken(r, 'a', 'other');
    const token = String(field(res.json, 'status', 'token'));
    secrets.push(token);
    assert.equal((await whoami(r, token)).status, 201);
    assert.equal(
      (await call(r, 'DELETE', '/api/v1/namespaces/a/serviceaccounts/other')).status,
      200,
    );
    assert.equal((await whoami(r, token)).status, 401);
    await call(r, 'POST', '/api/v1/namespaces/a/serviceaccounts', { metadata: { name: 'other' } });
    assert.equal((await whoami(r, token)).status, 401);
    const review = await tokenReview(r, { token });
    assert.match(
      String(field(review.json, 'status', 'error')),
      /^service account UID \(.+\) does not match claim \(.+\)$/,
    );
  });
});

describe('TokenReview', () => {
  it('reviews a valid token: user and audiences', async () => {
    const res = await tokenReview(r, { token: saToken });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json['kind'], 'TokenReview');
    const status = res.json['status'] as Json;
    assert.equal(status['authenticated'], true);
    assert.equal(field(status, 'user', 'username'), 'system:serviceaccount:a:default');
    assert.deepEqual(status['audiences'], [ISSUER]);
  });

  it('reviews for other audiences', async () => {
    const res = await tokenReview(r, { token: saToken, audiences: ['vault'] });
    assert.deepEqual(res.json['status'], {
      user: {},
      error: `token audiences ["${ISSUER}"] is invalid for the target audiences ["vault"]`,
    });
    const bootstrap = await tokenReview(r, { token: BOOTSTRAP, audiences: ['vault'] });
    assert.deepEqual(field(bootstrap.json, 'status', 'error'), 'invalid bearer token');
    const ok = await tokenReview(r, { token: BOOTSTRAP });
    assert.deepEqual(field(ok.json, 'status', 'audiences'), [ISSUER]);
  });

  it('answers unauthenticated with upstream messages, never the token', async () => {
    const res = await tokenReview(r, { token: 'garbage-token-value' });
    assert.deepEqual(res.json['status'], { user: {}, error: 'invalid bearer token' });
  });

  it('requires spec.token and is create-only', async () => {
    const res = await tokenReview(r, {});
    assert.equal(res.status, 400);
    assert.equal(res.json['message'], 'token is required for TokenReview in authentication');
    const get = await call(r, 'GET', '/apis/authentication.k8s.io/v1/tokenreviews');
    assert.equal(get.status, 405);
  });
});

describe('without a signing key', () => {
  it('serves no token subresource and turns service-account authentication off', async () => {
    const plain = await start();
    try {
      await call(plain, 'POST', '/api/v1/namespaces', { metadata: { name: 'a' } });
      await call(plain, 'POST', '/api/v1/namespaces/a/serviceaccounts', {
        metadata: { name: 'default' },
      });
      const res = await requestToken(plain, 'a', 'default');
      assert.equal(res.status, 404);
      assert.equal(res.json['message'], 'the server could not find the requested resource');
      // Bootstrap tokens are still on, so a foreign bearer token is a 401.
      assert.equal((await whoami(plain, saToken)).status, 401);
    } finally {
      await plain.server.stop();
      await plain.store.close();
    }
  });

  it('with bootstrap tokens off as well, bearer tokens are not read at all (anonymous)', async () => {
    const plain = await start({ enableBootstrapTokenAuth: false });
    try {
      const who = await whoami(plain, saToken);
      assert.equal(who.status, 201);
      assert.equal(field(who.json, 'status', 'userInfo', 'username'), 'system:anonymous');
    } finally {
      await plain.server.stop();
      await plain.store.close();
    }
  });
});
