import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata } from '@grpc/grpc-js';
import type { Interceptor, InterceptorOptions } from '@grpc/grpc-js';
import { REQUIRE_LEADER, REQUIRE_LEADER_KEY } from './etcd-require-leader.ts';

/** The next call in an interceptor chain (grpc-js does not export its interface's name). */
type NextCall = ReturnType<Parameters<Interceptor>[1]>;

/** The metadata the next call in the chain was started with. */
function startThroughInterceptor(metadata: Metadata): Metadata | undefined {
  const [interceptor] = REQUIRE_LEADER.interceptors ?? [];
  assert.ok(interceptor !== undefined);
  let started: Metadata | undefined;
  const next: NextCall = {
    start: (md) => {
      started = md;
    },
    cancelWithStatus: () => undefined,
    getPeer: () => '',
    sendMessageWithContext: () => undefined,
    sendMessage: () => undefined,
    startRead: () => undefined,
    halfClose: () => undefined,
    getAuthContext: () => null,
  };
  const options: InterceptorOptions = {
    deadline: Infinity,
    method_definition: {
      path: '/etcdserverpb.Watch/Watch',
      requestStream: true,
      responseStream: true,
      requestSerialize: (value: Buffer) => value,
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };
  interceptor(options, () => next).start(metadata, {});
  return started;
}

describe('REQUIRE_LEADER', () => {
  it('sends hasleader: true (clientv3 WithRequireLeader) and keeps the other metadata', () => {
    const original = new Metadata();
    original.set('token', 'secret');
    const sent = startThroughInterceptor(original);
    assert.deepEqual(sent?.get(REQUIRE_LEADER_KEY), ['true']);
    assert.deepEqual(sent.get('token'), ['secret']);
  });

  it('does not change the caller metadata (the etcd3 client shares it between calls)', () => {
    const original = new Metadata();
    startThroughInterceptor(original);
    assert.deepEqual(original.get(REQUIRE_LEADER_KEY), []);
  });
});
