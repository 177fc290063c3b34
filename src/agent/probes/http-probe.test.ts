import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CertificateAuthority } from '../../pki/index.ts';
import { httpProbe, probeHeaders, probeUrlText } from './http-probe.ts';
import type { HttpProbeRequest } from './http-probe.ts';
import { tcpProbe } from './tcp-probe.ts';

/** Everything here talks to 127.0.0.1 only. */
const HOST = '127.0.0.1';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, HOST, () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

describe('httpProbe and tcpProbe on loopback', () => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  let port = 0;
  let closedPort = 0;
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const url = req.url ?? '';
    if (url === '/ok') res.end('fine');
    else if (url === '/empty') res.writeHead(204).end();
    else if (url === '/big') res.end('x'.repeat(100_000));
    else if (url === '/missing') res.writeHead(404).end('the body stays out of the message');
    else if (url === '/hop') res.writeHead(302, { location: '/ok' }).end();
    else if (url === '/hop-to-error') res.writeHead(301, { location: '/missing' }).end();
    else if (url === '/loop') res.writeHead(307, { location: '/loop' }).end();
    else if (url === '/away')
      // 127.0.0.2 is loopback too, and must not be asked anyway: another host is not followed.
      res.writeHead(302, { location: 'http://127.0.0.2:1/elsewhere' }).end('moved');
    else if (url === '/no-location') res.writeHead(303).end('see other');
    else if (url === '/hang')
      return; // never answers
    else if (url.startsWith('/q')) res.end(url);
    else res.writeHead(500).end();
  });

  before(async () => {
    port = await listen(server);
    const closed = createServer();
    closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const probe = (path: string, extra: Partial<HttpProbeRequest> = {}) =>
    httpProbe({
      scheme: 'http',
      host: HOST,
      port,
      path,
      headers: [],
      timeoutMs: 2000,
      userAgent: 'kube-probe/1.33',
      ...extra,
    });

  it('200 to 299 succeed, with or without a body; at most 10 KiB of it is read', async () => {
    assert.deepEqual(await probe('/ok'), { result: 'success', success: true, output: 'fine' });
    assert.equal((await probe('/empty')).result, 'success');
    const big = await probe('/big');
    assert.equal(big.result, 'success');
    assert.equal(big.output.length, 10 * 1024);
  });

  it('a status of 400 or more fails, without the body in the message', async () => {
    const r = await probe('/missing');
    assert.deepEqual([r.result, r.output], ['failure', 'HTTP probe failed with statuscode: 404']);
    assert.equal((await probe('/other')).output, 'HTTP probe failed with statuscode: 500');
  });

  it('sends kube-probe/<major.minor>, Accept */*, the spec headers (repeated ones too) and Host', async () => {
    seen.length = 0;
    await probe('/ok', {
      headers: [
        { name: 'X-Custom', value: 'a' },
        { name: 'x-custom', value: 'b' },
        { name: 'Host', value: 'web.example' },
      ],
    });
    const h = seen[0]!.headers;
    assert.equal(h['user-agent'], 'kube-probe/1.33');
    assert.equal(h.accept, '*/*');
    assert.equal(h['x-custom'], 'a, b');
    assert.equal(h.host, 'web.example');
    assert.equal(h.connection, 'close');
    seen.length = 0;
    await probe('/ok', {
      headers: [
        { name: 'User-Agent', value: 'mine' },
        { name: 'Accept', value: '' },
      ],
    });
    assert.equal(seen[0]!.headers['user-agent'], 'mine');
    assert.equal(seen[0]!.headers.accept, undefined, 'an empty Accept removes it');
    assert.deepEqual(probeHeaders([], 'kube-probe/1.33'), {
      'user-agent': ['kube-probe/1.33'],
      accept: ['*/*'],
    });
    assert.deepEqual(probeHeaders([{ name: 'Host', value: '' }], 'ua')['host'], undefined);
  });

  it('the path is used as given: a missing leading slash is added, the query kept', async () => {
    assert.equal((await probe('q?x=1')).output, '/q?x=1');
    assert.equal(probeUrlText('http', '10.0.0.2', 80, ''), 'http://10.0.0.2:80');
    assert.equal(probeUrlText('https', 'fd00::2', 443, 'a'), 'https://[fd00::2]:443/a');
  });

  it('follows redirects on the same host (at most 10), not to another host (a warning)', async () => {
    assert.deepEqual(await probe('/hop'), { result: 'success', success: true, output: 'fine' });
    assert.equal((await probe('/hop-to-error')).output, 'HTTP probe failed with statuscode: 404');
    const loop = await probe('/loop');
    assert.equal(loop.result, 'failure');
    assert.equal(
      loop.output,
      `Get "http://${HOST}:${String(port)}/loop": stopped after 10 redirects`,
    );
    const away = await probe('/away');
    assert.deepEqual(
      [away.result, away.success, away.output],
      ['warning', true, 'Probe terminated redirects, Response body: moved'],
    );
    assert.equal((await probe('/no-location')).result, 'warning');
  });

  it('a refused connection and a timeout fail with Go-like messages', async () => {
    const refused = await probe('/x', { port: closedPort });
    assert.equal(
      refused.output,
      `Get "http://${HOST}:${String(closedPort)}/x": dial tcp ${HOST}:${String(closedPort)}: connect: connection refused`,
    );
    const t0 = Date.now();
    const slow = await probe('/hang', { timeoutMs: 300 });
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(
      slow.output,
      `Get "http://${HOST}:${String(port)}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    );
  });

  it('https: the certificate is not verified', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'probe-test-ca' });
    const leaf = await ca.issueServing({ commonName: 'pod', ipAddresses: ['10.9.9.9'] });
    const tls = createHttpsServer({ cert: leaf.certificatePem, key: leaf.keyPem }, (_req, res) =>
      res.end('secure'),
    );
    const tlsPort = await listen(tls);
    try {
      const r = await probe('/', { scheme: 'https', port: tlsPort });
      assert.deepEqual([r.result, r.output], ['success', 'secure']);
    } finally {
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });

  it('tcpProbe: a connection succeeds, a refused one fails', async () => {
    assert.equal((await tcpProbe(HOST, port, 1000)).result, 'success');
    const refused = await tcpProbe(HOST, closedPort, 1000);
    assert.deepEqual(
      [refused.result, refused.output],
      ['failure', `dial tcp ${HOST}:${String(closedPort)}: connect: connection refused`],
    );
  });
});
