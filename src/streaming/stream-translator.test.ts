import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import WebSocket from 'ws';
import { readAll, startFakeStreamingServer } from './test-support.ts';
import { translateWebSocketToSpdy } from './stream-translator.ts';
import type { StreamOptions } from './stream-translator.ts';

/** An HTTP server that translates every upgrade to `backendUrl`. */
async function translatingServer(backendUrl: string, streams: StreamOptions) {
  const server = createServer();
  const done: Promise<void>[] = [];
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    done.push(
      translateWebSocketToSpdy({
        request,
        socket,
        head,
        backend: { url: new URL(backendUrl) },
        streams,
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${String((server.address() as AddressInfo).port)}/`,
    close: async () => {
      await Promise.all(done);
      server.close();
    },
  };
}

interface Received {
  channels: Map<number, string>;
  protocol: string;
}

function session(url: string, send: (ws: WebSocket) => void): Promise<Received> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io']);
    const channels = new Map<number, string>();
    ws.on('open', () => {
      send(ws);
    });
    ws.on('message', (data: Buffer) => {
      const ch = data[0] ?? -1;
      channels.set(ch, (channels.get(ch) ?? '') + data.subarray(1).toString());
    });
    ws.on('error', reject);
    ws.on('close', () => {
      resolve({ channels, protocol: ws.protocol });
    });
  });
}

test('v5 exec: stdout/stderr on channels 1/2, stdin closed by [255,0], exit status on channel 3', async () => {
  const backend = await startFakeStreamingServer(['error', 'stdin', 'stdout', 'stderr'], {
    run: async (s) => {
      s.get('stdout')!.write('out\n');
      s.get('stderr')!.write('err\n');
      const input = await readAll(s.get('stdin')!);
      s.get('stdout')!.write(`got ${input}`);
      return 3;
    },
  });
  const front = await translatingServer(`${backend.url}/exec`, {
    stdin: true,
    stdout: true,
    stderr: true,
    tty: false,
  });
  const got = await session(front.url, (ws) => {
    ws.send(Buffer.from([0, ...Buffer.from('typed')]));
    ws.send(Buffer.from([255, 0]));
  });
  assert.equal(got.protocol, 'v5.channel.k8s.io');
  assert.equal(got.channels.get(1), 'out\ngot typed');
  assert.equal(got.channels.get(2), 'err\n');
  const status = JSON.parse(got.channels.get(3) ?? '{}') as {
    reason?: string;
    details?: { causes?: { message?: string }[] };
  };
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.equal(status.details?.causes?.[0]?.message, '3');
  // The backend was asked for SPDY remotecommand, newest protocol first.
  assert.equal(
    backend.requests[0]?.headers['x-stream-protocol-version'],
    'v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io',
  );
  await front.close();
  await backend.close();
});

test('v5 exec with a tty: resize goes to the resize stream, no stderr stream, Success', async () => {
  let resize = '';
  const backend = await startFakeStreamingServer(['error', 'stdout', 'resize'], {
    run: async (s) => {
      resize = await new Promise<string>((r) =>
        s.get('resize')!.once('data', (d: Buffer) => {
          r(d.toString());
        }),
      );
      s.get('stdout')!.write('sized');
      return 0;
    },
  });
  const front = await translatingServer(`${backend.url}/exec`, {
    stdin: false,
    stdout: true,
    stderr: true,
    tty: true,
  });
  const got = await session(front.url, (ws) => {
    ws.send(Buffer.from([4, ...Buffer.from('{"Width":80,"Height":24}')]));
  });
  assert.deepEqual(JSON.parse(resize), { Width: 80, Height: 24 });
  assert.equal(got.channels.get(1), 'sized');
  assert.equal(
    (JSON.parse(got.channels.get(3) ?? '{}') as Record<string, unknown>)['status'],
    'Success',
  );
  await front.close();
  await backend.close();
});

test('a backend that refuses the upgrade is reported as its Status on channel 3', async () => {
  const backend = await startFakeStreamingServer([], { run: () => Promise.resolve(0) });
  const front = await translatingServer(`${backend.url}/refuse`, {
    stdin: false,
    stdout: true,
    stderr: true,
    tty: false,
  });
  const got = await session(front.url, () => undefined);
  const status = JSON.parse(got.channels.get(3) ?? '{}') as { reason?: string; message?: string };
  assert.equal(status.reason, 'NotFound');
  assert.equal(status.message, 'container not found ("c")');
  await front.close();
  await backend.close();
});

test('an unreachable backend is an InternalError Status, and the client is let go', async () => {
  const front = await translatingServer('http://127.0.0.1:1/exec', {
    stdin: false,
    stdout: true,
    stderr: false,
    tty: false,
  });
  const got = await session(front.url, () => undefined);
  const status = JSON.parse(got.channels.get(3) ?? '{}') as { reason?: string; message?: string };
  assert.equal(status.reason, 'InternalError');
  assert.match(status.message ?? '', /error dialing backend/);
  await front.close();
});

test('a session cut before the exit status arrives is an InternalError, not Success', async () => {
  const backend = await startFakeStreamingServer(['error', 'stdout'], {
    run: (s) => {
      s.get('stdout')!.write('partial');
      return new Promise((resolve) =>
        setTimeout(() => {
          resolve(-1);
        }, 50),
      );
    },
  });
  const front = await translatingServer(`${backend.url}/exec`, {
    stdin: false,
    stdout: true,
    stderr: false,
    tty: false,
  });
  const got = await session(front.url, () => undefined);
  assert.equal(got.channels.get(1), 'partial');
  const status = JSON.parse(got.channels.get(3) ?? '{}') as { reason?: string; message?: string };
  assert.equal(status.reason, 'InternalError');
  assert.match(status.message ?? '', /before the command reported its exit status/);
  await front.close();
  await backend.close();
});
