import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { forwardedUpgradeHeaders, proxyUpgrade, requestUpgrade } from './http-upgrade.ts';
import { SpdyConnection } from './spdy-connection.ts';
import { readAll, startFakeStreamingServer } from './test-support.ts';

async function relayTo(backendUrl: string) {
  const server = createServer();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void proxyUpgrade(
      { socket, head },
      {
        url: new URL(backendUrl),
        method: req.method ?? 'POST',
        headers: forwardedUpgradeHeaders(req.headers),
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, server };
}

test('a SPDY exec session passes a raw relay untouched; credentials stay behind', async () => {
  const backend = await startFakeStreamingServer(['error', 'stdout'], {
    run: (s) => {
      s.get('stdout')!.write('relayed');
      return Promise.resolve(0);
    },
  });
  const relay = await relayTo(`${backend.url}/exec`);
  const up = await requestUpgrade({
    url: new URL(`${relay.url}/whatever`),
    method: 'POST',
    headers: {
      connection: 'Upgrade',
      upgrade: 'SPDY/3.1',
      'x-stream-protocol-version': 'v4.channel.k8s.io',
      authorization: 'Bearer secret-token',
    },
  });
  assert.equal(up.kind, 'upgraded');
  assert.equal(up.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
  const conn = new SpdyConnection(up.socket, { role: 'client' });
  const error = await conn.createStream({ streamType: 'error' });
  const stdout = await conn.createStream({ streamType: 'stdout' });
  assert.equal(await readAll(stdout), 'relayed');
  assert.equal((JSON.parse(await readAll(error)) as Record<string, unknown>)['status'], 'Success');
  assert.equal(backend.requests[0]?.headers.authorization, undefined);
  assert.equal(backend.requests[0]?.method, 'POST');
  relay.server.close();
  await backend.close();
});

test('a backend that does not switch protocols is passed through as its response', async () => {
  const backend = await startFakeStreamingServer([], { run: () => Promise.resolve(0) });
  const relay = await relayTo(`${backend.url}/refuse`);
  const res = await requestUpgrade({
    url: new URL(relay.url),
    method: 'POST',
    headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1' },
  });
  assert.equal(res.kind, 'response');
  assert.equal(res.statusCode, 404);
  assert.match(res.body.toString(), /container not found/);
  relay.server.close();
  await backend.close();
});

test('an unreachable backend rejects with UpgradeError', async () => {
  await assert.rejects(
    requestUpgrade({ url: new URL('http://127.0.0.1:1/'), method: 'GET', headers: {} }),
    (err: unknown) => err instanceof Error && (err as { code?: string }).code === 'UPGRADE_FAILED',
  );
});
