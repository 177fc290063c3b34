// A watch shares its HTTP/2 session with everything else the client sends. A burst of creates
// on that session (each create first proves a reused session alive) must leave the watch alone:
// when each create PINGed on its own, Node cancelled past 10 outstanding PINGs, the failed check
// destroyed the session, and every watch on it ended silently with no events (seen by the
// pod-startup bench as "a watch without resourceVersion ends early during a 30-pod burst").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { CertificateAuthority } from '../pki/index.ts';
import { RestClient } from './rest-client.ts';

const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };

describe('a watch during a burst of creates on the same client', () => {
  let server: Http2SecureServer;
  let url = '';
  let caPem = '';
  let sessions = 0;
  const watches = new Set<ServerHttp2Stream>();

  before(async () => {
    // A minimal API: a watch stream that gets one ADDED per create, and creates that answer 201.
    const ca = await CertificateAuthority.create({ commonName: 'test-ca' });
    caPem = ca.certificatePem;
    const serving = await ca.issueServing({ commonName: 'api', ipAddresses: ['127.0.0.1'] });
    server = createSecureServer({ cert: serving.certificatePem, key: serving.keyPem });
    server.on('session', () => {
      sessions++;
    });
    server.on('stream', (stream, headers) => {
      const path = String(headers[':path']);
      if (headers[':method'] === 'GET' && path.includes('watch=true')) {
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        watches.add(stream);
        stream.on('close', () => watches.delete(stream));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const obj = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
        const line = `${JSON.stringify({ type: 'ADDED', object: obj })}\n`;
        for (const w of watches) w.write(line);
        stream.respond({ ':status': 201, 'content-type': 'application/json' });
        stream.end(JSON.stringify(obj));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  it('64 creates at once leave the watch open and delivered, on one session', async () => {
    const client = new RestClient({ servers: [url], caPem });
    const stop = new AbortController();
    try {
      const watch = await client.watch(PODS, { signal: stop.signal });
      const seen: string[] = [];
      const state = { ended: false };
      const watching = (async () => {
        for await (const e of watch) {
          if (e.type === 'ADDED') seen.push(e.object.metadata?.name ?? '');
        }
        state.ended = true;
      })();
      // The session idles a little, so every create has to prove it alive first.
      await new Promise((r) => setTimeout(r, 1_200));
      await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          client.create(PODS, { metadata: { name: `p${String(i)}` } }),
        ),
      );
      const deadline = Date.now() + 10_000;
      while (seen.length < 64 && !state.ended && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(state.ended, false, 'the watch is still open');
      assert.equal(seen.length, 64, `the watch saw every create: ${String(seen.length)}`);
      assert.equal(sessions, 1, 'one HTTP/2 session carried the watch and every create');
      stop.abort();
      await watching;
    } finally {
      stop.abort();
      client.close();
    }
  });
});
