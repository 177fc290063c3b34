import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GRPCInvalidArgumentError, GRPCUnavailableError } from 'etcd3';
import { StoreClosedError, StoreInvalidArgumentError, StoreUnavailableError } from '../errors.ts';
import { EtcdRejection, classify, runCall } from './etcd-call.ts';
import type { RequestKind } from './etcd-call.ts';

const refused = (): Error =>
  new GRPCUnavailableError(
    '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1',
  );
const dropped = (): Error => new GRPCUnavailableError('14 UNAVAILABLE: Connection dropped');

describe('classify', () => {
  const cases: { name: string; err: unknown; kind: string }[] = [
    { name: 'refused connection', err: refused(), kind: 'not-applied' },
    { name: 'dropped connection', err: dropped(), kind: 'unknown-outcome' },
    { name: 'no leader', err: new Error('etcdserver: no leader'), kind: 'not-applied' },
    {
      name: 'leader changed',
      err: new Error('etcdserver: leader changed'),
      kind: 'unknown-outcome',
    },
    {
      name: 'compacted',
      err: new Error('11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted'),
      kind: 'rejected',
    },
    {
      name: 'too large',
      err: new GRPCInvalidArgumentError('3 INVALID_ARGUMENT: etcdserver: request is too large'),
      kind: 'rejected',
    },
    {
      name: 'other invalid argument',
      err: new GRPCInvalidArgumentError('3 INVALID_ARGUMENT: x'),
      kind: 'invalid',
    },
    {
      name: 'permission denied',
      err: new Error('7 PERMISSION_DENIED: etcdserver: permission denied'),
      kind: 'fatal',
    },
    { name: 'anything unknown', err: new Error('something else'), kind: 'fatal' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(classify(c.err).kind, c.kind);
    });
  }
});

describe('runCall', () => {
  const ctx = (closed = false) => ({ requestTimeoutMs: 300, isClosed: () => closed });

  /** A call failing with `errors` in turn, then answering 'ok'; counts attempts. */
  function flaky(errors: Error[]): { call: () => Promise<string>; attempts: () => number } {
    let n = 0;
    return {
      call: () => {
        const err = errors[n++];
        return err === undefined ? Promise.resolve('ok') : Promise.reject(err);
      },
      attempts: () => n,
    };
  }

  for (const kind of ['read', 'write'] as RequestKind[]) {
    it(`re-sends a ${kind} the member never received`, async () => {
      const f = flaky([refused(), refused()]);
      assert.equal(await runCall(ctx(), kind, 'test', f.call), 'ok');
      assert.equal(f.attempts(), 3);
    });
  }

  it('re-sends a read after a dropped connection, but never a write', async () => {
    const read = flaky([dropped()]);
    assert.equal(await runCall(ctx(), 'read', 'test', read.call), 'ok');
    const write = flaky([dropped()]);
    await assert.rejects(runCall(ctx(), 'write', 'test', write.call), StoreUnavailableError);
    assert.equal(write.attempts(), 1);
  });

  it('gives up with StoreUnavailableError at requestTimeoutMs', async () => {
    const started = Date.now();
    await assert.rejects(
      runCall(ctx(), 'read', 'test', () => Promise.reject(refused())),
      StoreUnavailableError,
    );
    const hang = runCall(ctx(), 'read', 'test', () => new Promise<never>(() => undefined));
    await assert.rejects(hang, StoreUnavailableError);
    assert.ok(Date.now() - started < 2 * 300 + 300);
  });

  it('maps refusals and closed stores', async () => {
    const compacted = new Error('etcdserver: mvcc: required revision has been compacted');
    await assert.rejects(
      runCall(ctx(), 'read', 'test', () => Promise.reject(compacted)),
      EtcdRejection,
    );
    await assert.rejects(
      runCall(ctx(), 'read', 'test', () => Promise.reject(new GRPCInvalidArgumentError('bad'))),
      StoreInvalidArgumentError,
    );
    await assert.rejects(
      runCall(ctx(true), 'read', 'test', () => Promise.resolve(1)),
      StoreClosedError,
    );
  });
});
