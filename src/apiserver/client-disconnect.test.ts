// A client that goes away mid-request is routine (a node process stopping, a kubectl ^C): the
// API server logs no stack trace and no internal error for it, stays healthy, and never applies
// a body that did not arrive whole. Over HTTP/1.1 (content-length and chunked) and HTTP/2
// (stream reset and whole connection gone), for creates, updates and patches.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectHttp2, constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { request } from 'node:https';
import { MemoryStore } from '../storage/memory/memory-store.ts';
import { startApiServerFixture } from '../../test/harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../../test/harness/api-server-fixture.ts';

const CM_PATH = '/api/v1/namespaces/default/configmaps';

/** A body that is valid JSON on its own, padded so the declared length is twice as long. */
function halfBody(name: string, value = 'new'): { sent: string; declared: number } {
  const sent = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { k: value },
  });
  return { sent, declared: sent.length * 2 };
}

describe('a client that closes mid-request', () => {
  let api: ApiServerFixture;
  const internalErrors: unknown[] = [];
  const stderr: string[] = [];
  const realWrite = process.stderr.write.bind(process.stderr);

  before(async () => {
    api = await startApiServerFixture(new MemoryStore(), {
      onInternalError: (err) => internalErrors.push(err),
    });
    const made = await call('POST', CM_PATH, {
      metadata: { name: 'existing' },
      data: { k: 'old' },
    });
    assert.equal(made.status, 201);
    // Everything the server (this process) writes to stderr while the tests run.
    process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return realWrite(chunk, ...rest);
    };
  });
  after(async () => {
    process.stderr.write = realWrite;
    await api.stop();
  });
  beforeEach(() => {
    internalErrors.length = 0;
    stderr.length = 0;
  });

  /** One whole request (HTTP/1.1, the fixture's CA trusted; anonymous is allowed). */
  const call = (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, api.url),
        { method, ca: api.caPem, headers: { 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json: Record<string, unknown> = {};
            try {
              json = JSON.parse(text) as Record<string, unknown>;
            } catch {
              // not JSON (/readyz answers "ok")
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  /** A raw TLS connection speaking HTTP/1.1 to the API server. */
  const http1 = async (): Promise<TLSSocket> => {
    const url = new URL(api.url);
    const socket = connectTls({
      host: url.hostname,
      port: Number(url.port),
      ca: api.caPem,
      ALPNProtocols: ['http/1.1'],
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    return socket;
  };

  /** An HTTP/2 session and its TLS socket (destroying the socket cuts the connection). */
  const http2 = async (): Promise<ClientHttp2Session & { tcp: TLSSocket }> => {
    const url = new URL(api.url);
    const tcp = connectTls({
      host: url.hostname,
      port: Number(url.port),
      ca: api.caPem,
      ALPNProtocols: ['h2'],
    });
    tcp.on('error', () => undefined);
    const session = Object.assign(connectHttp2(api.url, { createConnection: () => tcp }), {
      tcp,
    });
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => {
        resolve();
      });
      session.once('error', reject);
    });
    session.on('error', () => undefined);
    return session;
  };

  /** Lets the server see the close and finish whatever it does about it. */
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

  /** The server is healthy, logged nothing for the closes, and `name` is as expected. */
  const assertQuiet = async (): Promise<void> => {
    await settle();
    assert.equal((await call('GET', '/readyz')).status, 200);
    assert.deepEqual(internalErrors, [], 'no internal error for a client that left');
    const text = stderr.join('');
    assert.doesNotMatch(text, /\n\s+at /, `no stack trace in the log:\n${text}`);
    assert.ok(text.split('\n').filter((l) => l.trim() !== '').length <= 1, text);
  };

  const assertNotCreated = async (name: string): Promise<void> => {
    assert.equal((await call('GET', `${CM_PATH}/${name}`)).status, 404);
  };

  const assertUnchanged = async (): Promise<void> => {
    const cm = await call('GET', `${CM_PATH}/existing`);
    assert.deepEqual(cm.json['data'], { k: 'old' });
  };

  for (const method of ['POST', 'PUT', 'PATCH'] as const) {
    const path = method === 'POST' ? CM_PATH : `${CM_PATH}/existing`;
    const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';

    it(`HTTP/1.1 ${method} with content-length, half a body, then the socket is destroyed`, async () => {
      const name = `h1-${method.toLowerCase()}`;
      const { sent, declared } = halfBody(method === 'POST' ? name : 'existing');
      const socket = await http1();
      socket.write(
        `${method} ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: ${contentType}\r\n` +
          `content-length: ${String(declared)}\r\n\r\n${sent}`,
      );
      await settle();
      socket.destroy();
      await assertQuiet();
      if (method === 'POST') await assertNotCreated(name);
      else await assertUnchanged();
    });

    it(`HTTP/1.1 ${method} chunked, half a body, then the socket is destroyed`, async () => {
      const name = `h1c-${method.toLowerCase()}`;
      const { sent } = halfBody(method === 'POST' ? name : 'existing');
      const socket = await http1();
      socket.write(
        `${method} ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: ${contentType}\r\n` +
          `transfer-encoding: chunked\r\n\r\n${sent.length.toString(16)}\r\n${sent}\r\n`,
      );
      await settle();
      socket.destroy();
      await assertQuiet();
      if (method === 'POST') await assertNotCreated(name);
      else await assertUnchanged();
    });

    it(`HTTP/2 ${method}, half a body, then the stream is reset`, async () => {
      const name = `h2-${method.toLowerCase()}`;
      const { sent, declared } = halfBody(method === 'POST' ? name : 'existing');
      const session = await http2();
      const stream = session.request({
        ':method': method,
        ':path': path,
        'content-type': contentType,
        'content-length': String(declared),
      });
      stream.on('error', () => undefined);
      stream.write(sent);
      await settle();
      stream.close(constants.NGHTTP2_CANCEL);
      await assertQuiet();
      session.destroy();
      await assertQuiet();
      if (method === 'POST') await assertNotCreated(name);
      else await assertUnchanged();
    });

    it(`HTTP/2 ${method}, half a body, then the whole connection is destroyed`, async () => {
      const name = `h2d-${method.toLowerCase()}`;
      const { sent } = halfBody(method === 'POST' ? name : 'existing');
      const session = await http2();
      const stream = session.request({
        ':method': method,
        ':path': path,
        'content-type': contentType,
      });
      stream.on('error', () => undefined);
      stream.write(sent);
      await settle();
      session.tcp.destroy();
      await assertQuiet();
      if (method === 'POST') await assertNotCreated(name);
      else await assertUnchanged();
    });
  }

  it('a client that leaves while a long list is being written', async () => {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call('POST', CM_PATH, {
          metadata: { name: `big-${String(i)}` },
          data: { k: 'x'.repeat(4096) },
        }),
      ),
    );
    for (let i = 0; i < 3; i++) {
      const socket = await http1();
      socket.write(`GET ${CM_PATH} HTTP/1.1\r\nhost: localhost\r\n\r\n`);
      await new Promise((r) => socket.once('data', r));
      socket.destroy();
      const session = await http2();
      const stream = session.request({ ':method': 'GET', ':path': CM_PATH });
      stream.on('error', () => undefined);
      await new Promise((r) => stream.once('response', r));
      session.tcp.destroy();
    }
    await assertQuiet();
  });

  it('a client that leaves a watch', async () => {
    const socket = await http1();
    socket.write(`GET ${CM_PATH}?watch=true HTTP/1.1\r\nhost: localhost\r\n\r\n`);
    await new Promise((r) => socket.once('data', r));
    socket.destroy();
    const session = await http2();
    const stream = session.request({ ':method': 'GET', ':path': `${CM_PATH}?watch=true` });
    stream.on('error', () => undefined);
    await new Promise((r) => stream.once('response', r));
    session.tcp.destroy();
    await assertQuiet();
  });

  it('a client that leaves `logs` while the API server still waits for the node agent', async () => {
    // An "agent" that accepts connections and never answers (not even the TLS handshake).
    const held = new Set<Socket>();
    const silent = createServer((socket) => held.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as AddressInfo).port;
      await call('POST', '/api/v1/nodes', {
        metadata: { name: 'silent-node' },
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: port } },
        },
      });
      await call('POST', '/api/v1/namespaces/default/pods', {
        metadata: { name: 'logs-pod' },
        spec: { nodeName: 'silent-node', containers: [{ name: 'c', image: 'busybox' }] },
      });
      const path = '/api/v1/namespaces/default/pods/logs-pod/log?follow=true';
      const socket = await http1();
      socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\n\r\n`);
      await settle();
      socket.destroy();
      const session = await http2();
      const stream = session.request({ ':method': 'GET', ':path': path });
      stream.on('error', () => undefined);
      await settle();
      stream.close(constants.NGHTTP2_CANCEL);
      await assertQuiet();
      session.destroy();
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });
});
