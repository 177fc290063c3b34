import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { SpdyConnection } from './spdy-connection.ts';
import { tunnelWebSocketToSpdy } from './spdy-tunnel.ts';
import { openBareWebSocket, startFakeStreamingServer } from './test-support.ts';

async function tunnelTo(backendUrl: string) {
  const server = createServer();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void tunnelWebSocketToSpdy({ request, socket, head, backend: { url: new URL(backendUrl) } });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `ws://127.0.0.1:${String((server.address() as AddressInfo).port)}/`, server };
}

test('SPDY port-forward frames ride WebSocket binary messages to a SPDY backend', async () => {
  const backend = await startFakeStreamingServer([], { run: () => Promise.resolve(0) });
  const front = await tunnelTo(`${backend.url}/portforward`);
  const ws = await openBareWebSocket(front.url, 'SPDY/3.1+portforward.k8s.io');
  assert.equal(ws.protocol, 'SPDY/3.1+portforward.k8s.io');
  assert.equal(backend.requests[0]?.headers['x-stream-protocol-version'], 'portforward.k8s.io');
  const conn = new SpdyConnection(ws.stream, { role: 'client' });
  await conn.createStream({ streamType: 'error', port: '80', requestID: '0' });
  const data = await conn.createStream({ streamType: 'data', port: '80', requestID: '0' });
  data.write('ping');
  const [echo] = (await once(data, 'data')) as [Buffer];
  assert.equal(echo.toString(), 'PING');
  ws.stream.destroy();
  front.server.close();
  await backend.close();
});

test('a refusing backend is passed through before any WebSocket is accepted', async () => {
  const backend = await startFakeStreamingServer([], { run: () => Promise.resolve(0) });
  const front = await tunnelTo(`${backend.url}/refuse`);
  const { request } = await import('node:http');
  const req = request(front.url.replace('ws:', 'http:'), {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-protocol': 'SPDY/3.1+portforward.k8s.io',
    },
  });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.statusCode, 404);
  res.resume();
  front.server.close();
  await backend.close();
});
