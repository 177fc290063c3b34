import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, createSecureServer } from 'node:http2';
import type { ClientHttp2Session, Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { CertificateAuthority } from '../../pki/index.ts';
import { Exchange } from '../http/exchange.ts';
import { ClientCertificateAuthenticator } from './client-certificate.ts';

describe('ClientCertificateAuthenticator over HTTP/2', () => {
  let server: Http2SecureServer;
  let session: ClientHttp2Session;
  const authn = new ClientCertificateAuthenticator();
  let peerCertificateReads = 0;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- spied on, called with apply, restored
  const original = TLSSocket.prototype.getPeerCertificate;

  before(async () => {
    const ca = await CertificateAuthority.create({ commonName: 'kubernetes' });
    const serving = await ca.issueServing({ commonName: 'apiserver', ipAddresses: ['127.0.0.1'] });
    const client = await ca.issueClient({ commonName: 'alice', organizations: ['devs'] });
    TLSSocket.prototype.getPeerCertificate = function (this: TLSSocket, ...args: [boolean?]) {
      peerCertificateReads++;
      return original.apply(this, args as [true]);
    } as typeof original;
    server = createSecureServer(
      {
        cert: serving.certificatePem,
        key: serving.keyPem,
        ca: ca.certificatePem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        void authn.authenticate(new Exchange(req, res)).then((user) => {
          res.end(JSON.stringify(user));
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    session = connect(`https://127.0.0.1:${String(port)}`, {
      ca: ca.certificatePem,
      cert: client.certificatePem,
      key: client.keyPem,
    });
  });

  after(async () => {
    TLSSocket.prototype.getPeerCertificate = original;
    session.close();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  const get = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const stream = session.request({ ':path': '/' });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (body += d));
      stream.on('end', () => {
        resolve(body);
      });
      stream.on('error', reject);
      stream.end();
    });

  test('CN and O become the user; the certificate is read once per connection, not per stream', async () => {
    const first = JSON.parse(await get()) as { name: string; groups: string[] };
    assert.deepEqual(first, { name: 'alice', groups: ['devs', 'system:authenticated'] });
    const afterFirst = peerCertificateReads;
    assert.ok(afterFirst > 0);
    for (let i = 0; i < 5; i++) await get();
    assert.equal(peerCertificateReads, afterFirst, 'later streams on the connection hit the cache');
  });
});
