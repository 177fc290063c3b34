/**
 * Test doubles for the streaming protocols: a runtime streaming server that speaks SPDY
 * remotecommand v4 (and a portforward echo) like containerd's, on a loopback HTTP port. For
 * tests only; it runs a scripted command instead of a container.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { responseHead } from './http-upgrade.ts';
import { HEADER_PROTOCOL_VERSION, STREAM_PROTOCOL_V4 } from './remote-command.ts';
import { SpdyConnection } from './spdy-connection.ts';
import type { SpdyStream } from './spdy-connection.ts';

export interface FakeCommand {
  /** Runs once every expected stream exists; resolves with the exit code (< 0: drop the session). */
  run(streams: ReadonlyMap<string, SpdyStream>): Promise<number>;
}

export interface FakeStreamingServer {
  readonly url: string;
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/**
 * `/exec` expects the streams named by `expect` (e.g. error, stdin, stdout, stderr), runs the
 * command, writes a v4 Status on the error stream and closes. `/refuse` answers 404 with a
 * Status. `/portforward` echoes each data stream upper-cased.
 */
export async function startFakeStreamingServer(
  expect: readonly string[],
  command: FakeCommand,
): Promise<FakeStreamingServer> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    res.writeHead(400).end('Upgrade request required');
  });
  const sockets = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    requests.push(req);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (req.url === '/refuse') {
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'container not found ("c")',
        reason: 'NotFound',
        code: 404,
      });
      socket.end(
        Buffer.concat([
          responseHead(404, [
            'Content-Type',
            'application/json',
            'Content-Length',
            String(body.length),
          ]),
          Buffer.from(body),
        ]),
      );
      return;
    }
    const protocols = String(req.headers[HEADER_PROTOCOL_VERSION] ?? '');
    const chosen = req.url === '/portforward' ? 'portforward.k8s.io' : STREAM_PROTOCOL_V4;
    if (
      !protocols
        .split(',')
        .map((p) => p.trim())
        .includes(chosen)
    ) {
      socket.end(responseHead(403, ['Content-Length', '0']));
      return;
    }
    socket.write(
      responseHead(101, [
        'Connection',
        'Upgrade',
        'Upgrade',
        'SPDY/3.1',
        'X-Stream-Protocol-Version',
        chosen,
      ]),
    );
    const streams = new Map<string, SpdyStream>();
    const connection = new SpdyConnection(socket, {
      role: 'server',
      onStream: (stream) => {
        stream.reply();
        if (req.url === '/portforward') {
          if (stream.header('streamtype') === 'data')
            stream.on('data', (d: Buffer) => stream.write(d.toString().toUpperCase()));
          return;
        }
        streams.set(stream.header('streamtype') ?? '', stream);
        if (expect.every((t) => streams.has(t))) {
          void command.run(streams).then((code) => {
            if (code < 0) {
              // A runtime that goes away mid-session: no status, the connection just drops.
              socket.destroy();
              return;
            }
            const status =
              code === 0
                ? { metadata: {}, status: 'Success' }
                : {
                    metadata: {},
                    status: 'Failure',
                    message: `command terminated with non-zero exit code: exit code ${String(code)}`,
                    reason: 'NonZeroExitCode',
                    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
                  };
            streams.get('error')?.end(JSON.stringify(status));
            streams.get('stdout')?.end();
            streams.get('stderr')?.end();
            setTimeout(() => {
              connection.close();
            }, 20);
          });
        }
      },
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Reads a stream to its end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

/**
 * A bare WebSocket client for subprotocols `ws` will not send (`SPDY/3.1+portforward.k8s.io` is
 * not an RFC 6455 token, yet Go clients offer it): the handshake by hand, then a Duplex whose
 * writes become masked binary frames and whose reads are the server's binary payloads.
 */
export async function openBareWebSocket(
  url: string,
  protocol: string,
): Promise<{ stream: Duplex; protocol: string | undefined }> {
  const { request } = await import('node:http');
  const { randomBytes } = await import('node:crypto');
  const { Duplex: DuplexClass } = await import('node:stream');
  const req = request(url.replace(/^ws/, 'http'), {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
      'sec-websocket-protocol': protocol,
    },
  });
  req.end();
  const [res, socket] = (await once(req, 'upgrade')) as [IncomingMessage, Duplex];
  let pending = Buffer.alloc(0);
  const stream: Duplex = new DuplexClass({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      const mask = randomBytes(4);
      const len = chunk.length;
      const head =
        len < 126
          ? Buffer.from([0x82, 0x80 | len])
          : Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff]);
      const body = Buffer.from(chunk.map((b, i) => b ^ (mask[i % 4] ?? 0)));
      socket.write(Buffer.concat([head, mask, body]), cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
  });
  socket.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= 2) {
      const opcode = (pending[0] ?? 0) & 0x0f;
      let len = (pending[1] ?? 0) & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (pending.length < 4) return;
        len = pending.readUInt16BE(2);
        offset = 4;
      }
      if (pending.length < offset + len) return;
      const payload = pending.subarray(offset, offset + len);
      pending = pending.subarray(offset + len);
      if (opcode === 0x8) {
        stream.push(null);
        socket.end();
        return;
      }
      if (opcode === 0x2 && !stream.push(payload)) socket.pause();
    }
  });
  socket.on('close', () => stream.destroy());
  const chosen = res.headers['sec-websocket-protocol'];
  return { stream, protocol: chosen };
}
