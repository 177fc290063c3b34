import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BootstrapToken } from './bootstrap-token.ts';
import {
  computeDetachedSignature,
  isValidDetachedSignature,
  jwsSignatureKey,
  signClusterInfo,
  verifyClusterInfo,
} from './cluster-info-signature.ts';
import { PkiJwsSignatureInvalidError, PkiJwsSignatureMissingError } from './errors.ts';

// The vectors of k8s.io/cluster-bootstrap/token/jws/jws_test.go, verbatim.
const content = 'Hello from the other side. I must have called a thousand times.';
const secret = 'my voice is my passcode';
const id = 'joshua';
const upstream: { name: string; content: string; secret: string; signature: string }[] = [
  {
    name: 'content',
    content,
    secret,
    signature:
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8',
  },
  {
    name: 'empty content',
    content: '',
    secret,
    signature:
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk',
  },
  {
    name: 'empty secret',
    content,
    secret: '',
    signature:
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8',
  },
];
for (const c of upstream) {
  test(`computeDetachedSignature matches upstream's vector: ${c.name}`, async () => {
    assert.equal(await computeDetachedSignature(c.content, id, c.secret), c.signature);
    assert.equal(await isValidDetachedSignature(c.signature, c.content, id, c.secret), true);
  });
}

test('the signature is HMAC-SHA256 over header.payload keyed by the secret alone', async () => {
  const detached = await computeDetachedSignature('kubeconfig body', 'abcdef', '0123456789abcdef');
  const [header = '', payload, signature] = detached.split('.');
  assert.equal(payload, '');
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), {
    alg: 'HS256',
    kid: 'abcdef',
  });
  const signingInput = `${header}.${Buffer.from('kubeconfig body').toString('base64url')}`;
  const mac = createHmac('sha256', '0123456789abcdef').update(signingInput).digest('base64url');
  assert.equal(signature, mac);
});

test('isValidDetachedSignature rejects tampering of any input', async () => {
  const sig = upstream[0]?.signature ?? '';
  const cases: [string, string, string, string][] = [
    [`${sig}foo`, content, id, secret], // upstream's negative case
    [sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A'), content, id, secret],
    [sig, `${content}.`, id, secret],
    [sig, content, 'joshub', secret],
    [sig, content, id, `${secret}!`],
    ['', content, id, secret],
  ];
  for (const [s, c, i, k] of cases) {
    assert.equal(await isValidDetachedSignature(s, c, i, k), false);
  }
});

const token = BootstrapToken.parse('abcdef.0123456789abcdef');
const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters: []\n';

test('signClusterInfo + verifyClusterInfo: the bootstrap signer and kubeadm join', async () => {
  const other = BootstrapToken.parse('zyxwvu.0123456789zyxwvu');
  const sigs = await signClusterInfo(kubeconfig, [token, other]);
  assert.deepEqual(Object.keys(sigs).sort(), ['jws-kubeconfig-abcdef', 'jws-kubeconfig-zyxwvu']);
  const data = { kubeconfig, ...sigs };
  assert.equal(await verifyClusterInfo(data, token), kubeconfig);
  assert.equal(await verifyClusterInfo(data, other), kubeconfig);
  assert.equal(jwsSignatureKey('abcdef'), 'jws-kubeconfig-abcdef');
});

test('verifyClusterInfo: missing kubeconfig, missing signature, wrong secret, tampered content', async () => {
  const sigs = await signClusterInfo(kubeconfig, [token]);
  await assert.rejects(verifyClusterInfo({ ...sigs }, token), PkiJwsSignatureMissingError);
  await assert.rejects(verifyClusterInfo({ kubeconfig }, token), (err: unknown) => {
    assert.ok(err instanceof PkiJwsSignatureMissingError);
    assert.match(err.message, /token id "abcdef" is invalid for this cluster or it has expired/);
    return true;
  });
  const impostor = BootstrapToken.parse('abcdef.ffffffffffffffff');
  await assert.rejects(verifyClusterInfo({ kubeconfig, ...sigs }, impostor), (err: unknown) => {
    assert.ok(err instanceof PkiJwsSignatureInvalidError);
    assert.ok(!err.message.includes(impostor.secret) && !err.message.includes(token.secret));
    return true;
  });
  await assert.rejects(
    verifyClusterInfo({ kubeconfig: `${kubeconfig}# evil\n`, ...sigs }, token),
    PkiJwsSignatureInvalidError,
  );
});
