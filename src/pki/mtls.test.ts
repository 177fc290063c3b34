// End to end through Node's own TLS stack: a node:https server with a serving certificate from
// CertificateAuthority, requiring client certificates signed by the same CA (mutual TLS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { CertificateAuthority } from './certificate-authority.ts';
import type { IssuedCertificate } from './certificate-authority.ts';
import { createCertificateRequest, signCertificateRequest } from './csr.ts';
import { verifyCertificate } from './verify-certificate.ts';

let ca: CertificateAuthority;
let server: Server;
let port: number;

interface Seen {
  cn: string;
  o: string | string[] | undefined;
  verifiedGroups: readonly string[];
}

before(async () => {
  ca = await CertificateAuthority.create();
  const serving = await ca.issueServing({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  server = createServer({
    key: serving.keyPem,
    cert: serving.certificatePem,
    ca: ca.certificatePem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    assert.ok(socket instanceof TLSSocket);
    const peer = socket.getPeerCertificate();
    // What the API server's x509 authenticator will do with the raw DER.
    verifyCertificate(peer.raw, ca.certificatePem, { requiredUsage: 'client auth' }).then(
      (info) => {
        const seen: Seen = {
          cn: String(peer.subject.CN),
          o: peer.subject.O,
          verifiedGroups: info.subject.organizations,
        };
        res.end(JSON.stringify(seen));
      },
      (err: unknown) => {
        res.statusCode = 401;
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

function get(
  client: IssuedCertificate | undefined,
  trust: string,
): Promise<{ status: number; body: string; serverCn: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: trust,
        ...(client === undefined ? {} : { key: client.keyPem, cert: client.certificatePem }),
        agent: false,
      },
      (res) => {
        assert.ok(res.socket instanceof TLSSocket);
        const serverCn = String(res.socket.getPeerCertificate().subject.CN);
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, serverCn });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('mutual TLS: server sees the client CN/O, client verifies the server by IP SAN', async () => {
  const client = await ca.issueClient({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters', 'kubeadm:cluster-admins'],
  });
  const res = await get(client, ca.certificatePem);
  assert.equal(res.status, 200);
  assert.equal(res.serverCn, 'kube-apiserver');
  const seen = JSON.parse(res.body) as Seen;
  assert.equal(seen.cn, 'kubernetes-admin');
  assert.deepEqual(seen.o, ['system:masters', 'kubeadm:cluster-admins']);
  assert.deepEqual(seen.verifiedGroups, ['system:masters', 'kubeadm:cluster-admins']);
});

test('mutual TLS with a certificate obtained through a CSR (TLS bootstrap)', async () => {
  const { csrPem, keyPem } = await createCertificateRequest({
    commonName: 'system:node:w1',
    organizations: ['system:nodes'],
  });
  const certificatePem = await signCertificateRequest(ca, csrPem, {
    usages: ['digital signature', 'client auth'],
  });
  const res = await get({ certificatePem, keyPem }, ca.certificatePem);
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), {
    cn: 'system:node:w1',
    o: 'system:nodes',
    verifiedGroups: ['system:nodes'],
  });
});

test('a client certificate from another CA is refused during the handshake', async () => {
  const other = await CertificateAuthority.create();
  const intruder = await other.issueClient({
    commonName: 'mallory',
    organizations: ['system:masters'],
  });
  await assert.rejects(get(intruder, ca.certificatePem));
});

test('no client certificate is refused during the handshake', async () => {
  await assert.rejects(get(undefined, ca.certificatePem));
});

test('the client refuses a server it cannot verify against its CA', async () => {
  const other = await CertificateAuthority.create();
  const client = await ca.issueClient({ commonName: 'u' });
  // OpenSSL reports the leaf, or the CA the server sends along, as untrusted.
  await assert.rejects(get(client, other.certificatePem), (err: unknown) =>
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN'].includes(
      (err as { code?: string }).code ?? '',
    ),
  );
});

test('IPv6: a serving certificate with an IPv6 SAN verifies on [::1]', async (t) => {
  const serving = await ca.issueServing({ commonName: 'v6', ipAddresses: ['::1'] });
  const client = await ca.issueClient({ commonName: 'u' });
  const v6 = createServer(
    { key: serving.keyPem, cert: serving.certificatePem, ca: ca.certificatePem, requestCert: true },
    (_req, res) => res.end('ok'),
  );
  const listening = await new Promise<boolean>((resolve) => {
    v6.once('error', () => {
      resolve(false);
    });
    v6.listen(0, '::1', () => {
      resolve(true);
    });
  });
  if (!listening) {
    t.skip('no IPv6 loopback on this machine');
    return;
  }
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '::1',
          port: (v6.address() as AddressInfo).port,
          ca: ca.certificatePem,
          key: client.keyPem,
          cert: client.certificatePem,
          agent: false,
        },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            resolve(text);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(body, 'ok');
  } finally {
    await new Promise<void>((resolve) =>
      v6.close(() => {
        resolve();
      }),
    );
  }
});
