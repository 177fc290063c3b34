import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import { SpdyConnection, SpdyStreamError } from './spdy-connection.ts';
import type { SpdyStream } from './spdy-connection.ts';

async function socketPair(): Promise<{ a: Socket; b: Socket; close: () => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const a = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [b] = await accepted;
  await once(a, 'connect');
  return {
    a,
    b,
    close: () => {
      a.destroy();
      b.destroy();
      server.close();
    },
  };
}

async function readAll(stream: SpdyStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

test('a client opens streams, the server replies, data flows both ways, FIN half-closes', async () => {
  const { a, b, close } = await socketPair();
  const serverStreams: SpdyStream[] = [];
  new SpdyConnection(b, {
    role: 'server',
    onStream: (s) => {
      serverStreams.push(s);
      if (s.header('streamtype') === 'refuse-me') {
        s.reset(3);
        return;
      }
      s.reply();
      // Echo in upper case, then half-close after the client's FIN.
      s.on('data', (d: Buffer) => s.write(d.toString().toUpperCase()));
      s.on('end', () => s.end());
    },
  });
  const client = new SpdyConnection(a, { role: 'client', pingIntervalMs: 20 });
  const s1 = await client.createStream({ streamType: 'stdin', port: ['80', '81'] });
  assert.equal(s1.id, 1);
  const s3 = await client.createStream({ streamType: 'stdout' });
  assert.equal(s3.id, 3);
  const first = serverStreams[0]!;
  assert.equal(first.header('streamtype'), 'stdin');
  assert.deepEqual(first.headers.get('port'), ['80', '81']);
  const echoed = readAll(s1);
  s1.write('hello ');
  s1.end('world');
  assert.equal(await echoed, 'HELLO WORLD');
  await assert.rejects(client.createStream({ streamType: 'refuse-me' }), (err: unknown) => {
    assert.ok(err instanceof SpdyStreamError);
    assert.equal(err.code, 'SPDY_STREAM_RESET');
    return true;
  });
  // Pings were sent and echoed meanwhile without disturbing anything; closing ends every stream.
  await new Promise((r) => setTimeout(r, 50));
  const rest = readAll(s3);
  b.destroy();
  assert.equal(await rest, '');
  await client.closed;
  assert.equal(client.isClosed, true);
  await assert.rejects(client.createStream({ streamType: 'late' }), /closed/);
  close();
});

test('createStream times out when the peer never replies', async () => {
  const { a, b, close } = await socketPair();
  new SpdyConnection(b, { role: 'server', onStream: () => undefined });
  const client = new SpdyConnection(a, { role: 'client', streamReplyTimeoutMs: 50 });
  await assert.rejects(client.createStream({ streamType: 'error' }), (err: unknown) => {
    assert.ok(err instanceof SpdyStreamError);
    assert.equal(err.code, 'SPDY_STREAM_TIMEOUT');
    return true;
  });
  close();
});

test('garbage from the peer ends the session (protocol error), never the process', async () => {
  const { a, b, close } = await socketPair();
  const client = new SpdyConnection(a, { role: 'client' });
  const errors: Error[] = [];
  client.on('protocolError', (e: Error) => errors.push(e));
  b.write(Buffer.from([0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]));
  await client.closed;
  assert.match(errors[0]?.message ?? '', /unsupported SPDY version/);
  close();
});
