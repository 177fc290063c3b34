import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  BootstrapToken,
  CertificateAuthority,
  caCertHash,
  signClusterInfo,
} from '../../pki/index.ts';
import { clusterInfoKubeconfig } from '../bootstrap-objects.ts';
import { DiscoveryError, discoverCluster, parseClusterInfoKubeconfig } from './token-discovery.ts';

const token = BootstrapToken.parse('abcdef.0123456789abcdef');
let ca: CertificateAuthority;
let server: Server;
let endpoint: string;
/** What the fake API server answers; `flip` changes the kubeconfig on every other request. */
let data: Record<string, string> = {};
let flip = false;
let requests = 0;

before(async () => {
  ca = await CertificateAuthority.create();
  const serving = await ca.issueServing({
    commonName: 'kube-apiserver',
    ipAddresses: ['127.0.0.1'],
  });
  server = createServer({ cert: serving.certificatePem, key: serving.keyPem }, (req, res) => {
    requests++;
    if (req.url !== '/api/v1/namespaces/kube-public/configmaps/cluster-info') {
      res.writeHead(404).end();
      return;
    }
    const body =
      flip && requests % 2 === 0 ? { ...data, kubeconfig: `${data['kubeconfig'] ?? ''}#` } : data;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', data: body }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
});

async function serve(signWith: BootstrapToken[]): Promise<void> {
  const kubeconfig = clusterInfoKubeconfig(`https://${endpoint}`, ca.certificatePem);
  data = { kubeconfig, ...(await signClusterInfo(kubeconfig, signWith)) };
  flip = false;
}

const options = () => ({
  endpoint,
  token,
  caCertHashes: [caCertHash(ca.certificatePem)],
  unsafeSkipCaVerification: false,
  timeoutMs: 2000,
  retryIntervalMs: 50,
  signatureWaitMs: 300,
});

async function refused(o: Parameters<typeof discoverCluster>[0], message: RegExp): Promise<void> {
  await assert.rejects(discoverCluster(o), (e: unknown) => {
    assert.ok(e instanceof DiscoveryError, String(e));
    assert.match(e.message, message);
    assert.ok(!e.message.includes(token.secret), 'the token secret must not be in the message');
    return true;
  });
}

describe('token discovery', () => {
  test('a signed cluster-info with the pinned CA gives the server and CA', async () => {
    await serve([token]);
    const cluster = await discoverCluster(options());
    assert.equal(cluster.server, `https://${endpoint}`);
    assert.equal(cluster.caPem, ca.certificatePem);
  });

  test('a CA that does not match the pin is refused at once', async () => {
    await serve([token]);
    const other = await CertificateAuthority.create();
    await refused(
      { ...options(), caCertHashes: [caCertHash(other.certificatePem)] },
      /cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "sha256:[0-9a-f]{64}" are pinned/,
    );
  });

  test('no pin is refused unless the CA check is skipped explicitly', async () => {
    await serve([token]);
    await refused({ ...options(), caCertHashes: [] }, /--discovery-token-ca-cert-hash/);
    const cluster = await discoverCluster({
      ...options(),
      caCertHashes: [],
      unsafeSkipCaVerification: true,
    });
    assert.equal(cluster.caPem, ca.certificatePem);
  });

  test('a malformed pin is refused before any request', async () => {
    await assert.rejects(
      discoverCluster({ ...options(), caCertHashes: ['sha256:1234'] }),
      /invalid CA certificate hash/,
    );
  });

  test('a wrong token secret fails the JWS check', async () => {
    await serve([BootstrapToken.parse('abcdef.ffffffffffffffff')]);
    await refused(options(), /failed to verify JWS signature/);
  });

  test('a token the cluster does not sign for (deleted, expired) is refused after the wait', async () => {
    await serve([BootstrapToken.parse('zzzzzz.0123456789abcdef')]);
    const started = Date.now();
    await refused(options(), /token id "abcdef" is invalid for this cluster or it has expired/);
    assert.ok(Date.now() - started >= 250);
  });

  test('content that changes between the insecure and the secure fetch is refused', async () => {
    await serve([token]);
    flip = true;
    requests = 0;
    await refused(options(), /changed between the insecure and the secure fetch/);
  });

  test('an unreachable endpoint fails after the timeout with the last error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await refused(
      { ...options(), endpoint: `127.0.0.1:${String(port)}`, timeoutMs: 500 },
      /couldn't validate the identity of the API Server at 127\.0\.0\.1:\d+ within 1s: .*ECONNREFUSED/,
    );
  });
});

test('parseClusterInfoKubeconfig refuses a kubeconfig without a CA or an https server', () => {
  assert.throws(() => parseClusterInfoKubeconfig('clusters: []'), DiscoveryError);
  assert.throws(
    () => parseClusterInfoKubeconfig(clusterInfoKubeconfig('http://a:1', 'x')),
    /no https server/,
  );
});
