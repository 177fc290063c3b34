import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer } from 'node:http2';
import type { Http2Server, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { GRPCDeadlineExceededError } from 'etcd3';
import { freePort } from '../../../test/harness/free-port.ts';
import { classify } from './etcd-call.ts';
import { EtcdKvClient } from './etcd-kv-client.ts';

/** A gRPC-speaking HTTP/2 server on loopback whose every call `answer` handles. */
async function fakeMember(answer: (stream: ServerHttp2Stream) => void): Promise<{
  url: string;
  server: Http2Server;
  calls: () => number;
}> {
  let calls = 0;
  const server = createServer();
  server.on('stream', (stream) => {
    calls++;
    stream.on('error', () => undefined);
    stream.resume();
    stream.on('end', () => {
      answer(stream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}`, server, calls: () => calls };
}

function client(endpoints: string[]): EtcdKvClient {
  return new EtcdKvClient({
    endpoints,
    tls: undefined,
    dialTimeoutMs: 500,
    keepaliveTimeMs: 10_000,
    keepaliveTimeoutMs: 5_000,
  });
}

const soon = (ms: number): { deadline: Date } => ({ deadline: new Date(Date.now() + ms) });
const key = Buffer.from('/registry/x/a');

describe('EtcdKvClient', () => {
  const servers: Http2Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  it('maps a gRPC status in the trailers to the etcd3 error the call runner classifies', async () => {
    const m = await fakeMember((stream) => {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc' },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => {
        stream.sendTrailers({
          'grpc-status': '11',
          'grpc-message': encodeURIComponent(
            'etcdserver: mvcc: required revision has been compacted',
          ),
        });
      });
      stream.end();
    });
    servers.push(m.server);
    const kv = client([m.url]);
    const err = await kv.range({ key, revision: 2 }, soon(2000)).catch((e: unknown) => e);
    assert.deepEqual(classify(err), { kind: 'rejected', reason: 'compacted' });
    kv.close();
  });

  it('a refused connection is "not applied" (safe to re-send); calls rotate over members', async () => {
    const refused = `http://127.0.0.1:${String(await freePort())}`;
    const m = await fakeMember((stream) => {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' },
        { endStream: true },
      );
    });
    servers.push(m.server);
    const kv = client([refused, m.url]);
    const err = await kv
      .txn({ compare: [], success: [], failure: [] }, soon(2000))
      .catch((e: unknown) => e);
    assert.deepEqual(classify(err), { kind: 'not-applied' });
    // The next call goes to the other member; an OK status without a message is a bad answer.
    const second = await kv
      .txn({ compare: [], success: [], failure: [] }, soon(2000))
      .catch((e: unknown) => e);
    assert.equal(m.calls(), 1);
    assert.ok(second instanceof Error);
    kv.close();
  });

  it('a member that never answers fails the call at its deadline, typed as etcd3 would', async () => {
    const m = await fakeMember(() => {
      // never answers
    });
    servers.push(m.server);
    const kv = client([m.url]);
    const started = Date.now();
    const err = await kv.range({ key }, soon(300)).catch((e: unknown) => e);
    assert.ok(err instanceof GRPCDeadlineExceededError, String(err));
    assert.deepEqual(classify(err), { kind: 'unknown-outcome' });
    assert.ok(Date.now() - started < 2000);
    kv.close();
  });

  it('a connection dropped after the request was sent is an unknown outcome, never "not applied"', async () => {
    const m = await fakeMember((stream) => {
      stream.session?.destroy();
    });
    servers.push(m.server);
    const kv = client([m.url]);
    const err = await kv
      .txn({ compare: [], success: [], failure: [] }, soon(2000))
      .catch((e: unknown) => e);
    assert.deepEqual(classify(err), { kind: 'unknown-outcome' });
    kv.close();
  });

  it('closing while its sessions connect leaves nothing to throw later', async () => {
    const m = await fakeMember(() => {
      // never answers
    });
    servers.push(m.server);
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', onUncaught);
    try {
      for (let i = 0; i < 40; i++) {
        const kv = client([m.url]);
        const call = kv.range({ key }, soon(1000)).catch(() => undefined);
        if (i % 2 === 0) await new Promise((r) => setImmediate(r));
        kv.close();
        await call;
      }
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    assert.deepEqual(uncaught, []);
  });
});
