import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, decodeProtectedHeader } from 'jose';
import {
  generateServiceAccountKey,
  loadServiceAccountSigningKey,
} from '../../pki/service-account-key.ts';
import {
  serviceAccountClaims,
  serviceAccountUserInfo,
  signServiceAccountToken,
} from './service-account-claims.ts';

const NOW = new Date('2025-06-01T12:00:00.750Z');
const T = Math.floor(NOW.getTime() / 1000);

describe('serviceAccountClaims', () => {
  it('serializes exactly as go-jose does: sorted keys, aud as a list', () => {
    const claims = serviceAccountClaims({
      issuer: 'https://kubernetes.default.svc.cluster.local',
      namespace: 'ns',
      serviceAccount: { name: 'default', uid: 'sa-uid' },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
      expirationSeconds: 3600,
      jti: 'j',
      now: NOW,
    });
    assert.equal(
      JSON.stringify(claims),
      `{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":${T + 3600},"iat":${T},` +
        `"iss":"https://kubernetes.default.svc.cluster.local","jti":"j",` +
        `"kubernetes.io":{"namespace":"ns","serviceaccount":{"name":"default","uid":"sa-uid"}},` +
        `"nbf":${T},"sub":"system:serviceaccount:ns:default"}`,
    );
  });

  it('binds a pod with its node (uid omitted when unknown) and a warnafter', () => {
    const claims = serviceAccountClaims({
      issuer: 'i',
      namespace: 'ns',
      serviceAccount: { name: 'sa', uid: 'u' },
      pod: { name: 'p', uid: 'pu' },
      node: { name: 'n1', uid: '' },
      audiences: ['a'],
      expirationSeconds: 31536000,
      warnAfterSeconds: 3607,
      jti: 'j',
      now: NOW,
    });
    assert.deepEqual(claims['kubernetes.io'], {
      namespace: 'ns',
      node: { name: 'n1' },
      pod: { name: 'p', uid: 'pu' },
      serviceaccount: { name: 'sa', uid: 'u' },
      warnafter: T + 3607,
    });
    assert.deepEqual(Object.keys(claims['kubernetes.io'] as object), [
      'namespace',
      'node',
      'pod',
      'serviceaccount',
      'warnafter',
    ]);
  });

  it('refuses a token bound to a secret and a pod', () => {
    assert.throws(
      () =>
        serviceAccountClaims({
          issuer: 'i',
          namespace: 'ns',
          serviceAccount: { name: 'sa', uid: 'u' },
          pod: { name: 'p', uid: 'pu' },
          secret: { name: 's', uid: 'su' },
          audiences: [],
          expirationSeconds: 600,
          jti: '',
          now: NOW,
        }),
      /can only be bound to one object type/,
    );
  });
});

describe('signServiceAccountToken', () => {
  it('writes the protected header {"alg","kid"} only', async () => {
    const key = await loadServiceAccountSigningKey(
      (await generateServiceAccountKey('ECDSA-P256')).privateKeyPem,
    );
    const token = await signServiceAccountToken(key, { iss: 'i' });
    const header = token.split('.')[0] ?? '';
    assert.equal(
      Buffer.from(header, 'base64url').toString(),
      JSON.stringify({ alg: 'ES256', kid: key.keyId }),
    );
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: key.keyId });
    const { payload } = await compactVerify(token, key.publicKey);
    assert.equal(Buffer.from(payload).toString(), '{"iss":"i"}');
  });
});

describe('serviceAccountUserInfo', () => {
  it('adds pod extras only with both name and uid, node uid only when known', () => {
    assert.deepEqual(
      serviceAccountUserInfo({
        namespace: 'ns',
        name: 'sa',
        uid: 'u',
        podName: 'p',
        podUid: '',
        nodeName: 'n',
        nodeUid: '',
      }),
      {
        name: 'system:serviceaccount:ns:sa',
        uid: 'u',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:ns'],
        extra: { 'authentication.kubernetes.io/node-name': ['n'] },
      },
    );
  });
});
