import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer } from 'node:http2';
import type { Http2Server, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/proto-loader';
import { GRPCDeadlineExceededError } from 'etcd3';
import { startEtcdCluster } from '../../../test/harness/etcd-cluster.ts';
import { fetchStatus } from '../../../test/harness/etcd-probe.ts';
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
    // Reads rotate (writes would go to a leader first looked up with Status calls).
    const err = await kv.range({ key }, soon(2000)).catch((e: unknown) => e);
    assert.deepEqual(classify(err), { kind: 'not-applied' });
    // The next call goes to the other member; an OK status without a message is a bad answer.
    const second = await kv.range({ key }, soon(2000)).catch((e: unknown) => e);
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

  it('sends writes to the member that says it leads, and looks again after a failed write', async () => {
    const proto = loadSync(
      join(dirname(createRequire(import.meta.url).resolve('etcd3')), '../proto/rpc.proto'),
      { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
    );
    type Methods = Record<string, MethodDefinition<unknown, unknown>>;
    const status = (proto['etcdserverpb.Maintenance'] as Methods)['Status'];
    const txn = (proto['etcdserverpb.KV'] as Methods)['Txn'];
    assert.ok(status !== undefined && txn !== undefined);
    let leaderId = '2';
    let failTxnOn: string | undefined;
    const txns = new Map<string, number>();
    const ids = ['1', '2', '3'];
    const members = await Promise.all(
      ids.map(async (id) => {
        const server = createServer();
        server.on('stream', (stream, headers) => {
          stream.on('error', () => undefined);
          stream.resume();
          stream.on('end', () => {
            const isStatus = headers[':path'] === status.path;
            if (!isStatus) txns.set(id, (txns.get(id) ?? 0) + 1);
            const failing = !isStatus && failTxnOn === id;
            const reply = isStatus
              ? status.responseSerialize({ header: { member_id: id }, leader: leaderId })
              : txn.responseSerialize({ succeeded: true });
            const frame = Buffer.alloc(5 + reply.length);
            frame.writeUInt32BE(reply.length, 1);
            reply.copy(frame, 5);
            stream.respond(
              { ':status': 200, 'content-type': 'application/grpc' },
              { waitForTrailers: true },
            );
            stream.on('wantTrailers', () => {
              stream.sendTrailers(
                failing
                  ? { 'grpc-status': '14', 'grpc-message': 'leader changed' }
                  : { 'grpc-status': '0' },
              );
            });
            stream.end(failing ? undefined : frame);
          });
        });
        servers.push(server);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
      }),
    );
    const kv = new EtcdKvClient({
      endpoints: members,
      tls: undefined,
      dialTimeoutMs: 500,
      keepaliveTimeMs: 10_000,
      keepaliveTimeoutMs: 5_000,
      leaderRefreshMs: 60_000,
    });
    const leader = (): number | undefined => kv.leaderIndex;
    try {
      // The first write starts the lookup; it goes out before the answer (round-robin).
      await kv.txn({}, soon(1000));
      for (let i = 0; i < 50 && leader() === undefined; i++) await delay(10);
      assert.equal(leader(), 1);
      txns.clear();
      for (let i = 0; i < 6; i++) await kv.txn({}, soon(1000));
      assert.deepEqual([...txns], [['2', 6]]);

      // Leadership moves; the old leader's next write fails, and the one after finds the new one.
      leaderId = '3';
      failTxnOn = '2';
      await assert.rejects(kv.txn({}, soon(1000)));
      failTxnOn = undefined;
      await kv.txn({}, soon(1000));
      for (let i = 0; i < 50 && leader() !== 2; i++) await delay(10);
      assert.equal(leader(), 2);
      txns.clear();
      for (let i = 0; i < 4; i++) await kv.txn({}, soon(1000));
      assert.deepEqual([...txns], [['3', 4]]);
    } finally {
      kv.close();
    }
  });

  it('finds the leader of a real 3-member etcd, and follows a leader transfer', async () => {
    const cluster = await startEtcdCluster({ members: 3 });
    const kv = new EtcdKvClient({
      endpoints: cluster.endpoints,
      tls: undefined,
      dialTimeoutMs: 1_000,
      keepaliveTimeMs: 10_000,
      keepaliveTimeoutMs: 5_000,
      leaderRefreshMs: 100,
    });
    const leaderOf = async (): Promise<number> => {
      const statuses = await Promise.all(cluster.endpoints.map((e) => fetchStatus(e)));
      return statuses.findIndex((st) => st !== undefined && st.memberId === st.leaderId);
    };
    const leader = (): number | undefined => kv.leaderIndex;
    const writeUntil = async (index: number): Promise<void> => {
      for (let i = 0; i < 100 && leader() !== index; i++) {
        await kv.txn({ success: [] }, soon(2000));
        await delay(20);
      }
    };
    try {
      const first = await leaderOf();
      assert.ok(first >= 0);
      await writeUntil(first);
      assert.equal(leader(), first);
      const target = (first + 1) % 3;
      const member = cluster.members[target];
      assert.ok(member !== undefined);
      await cluster.transferLeadership(member);
      await writeUntil(target);
      assert.equal(leader(), target);
    } finally {
      kv.close();
      await cluster.stop();
    }
  });
});
