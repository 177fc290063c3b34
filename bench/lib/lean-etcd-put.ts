/**
 * A reference client for benchmarks: etcd Put as plain gRPC over node:http2 (one session per
 * member, calls round-robin, the etcd3 package's proto through @grpc/proto-loader), with no
 * retries, deadlines or keepalive. It measures what etcd itself sustains when the client costs
 * little CPU, next to the `etcd3` client (grpc-js), whose own CPU per call can bound a
 * single-threaded load generator before etcd does.
 */
import { connect } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/proto-loader';

const definition = loadSync(
  join(dirname(createRequire(import.meta.url).resolve('etcd3')), '../proto/rpc.proto'),
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
);
const PUT = (definition['etcdserverpb.KV'] as Record<string, MethodDefinition<unknown, unknown>>)[
  'Put'
];

export class LeanEtcdPut {
  readonly #sessions: ClientHttp2Session[];
  #next = 0;

  constructor(endpoints: readonly string[]) {
    this.#sessions = endpoints.map((e) => connect(e));
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    if (PUT === undefined) return Promise.reject(new Error("etcd's KV service has no Put"));
    const session = this.#sessions[this.#next++ % this.#sessions.length];
    if (session === undefined) return Promise.reject(new Error('no endpoints'));
    const message = PUT.requestSerialize({ key, value });
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame[0] = 0;
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    return new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': PUT.path,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      let status: string | undefined;
      const read = (headers: Record<string, unknown>): void => {
        const s = headers['grpc-status'];
        if (typeof s === 'string') status = s;
      };
      stream.on('response', read);
      stream.on('trailers', read);
      stream.resume();
      stream.on('error', reject);
      stream.on('close', () => {
        if (status === '0') resolve();
        else reject(new Error(`etcd put failed: grpc-status ${String(status)}`));
      });
      stream.end(frame);
    });
  }

  close(): void {
    for (const s of this.#sessions) s.close();
  }
}
