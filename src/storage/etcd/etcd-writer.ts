/**
 * EtcdStore's writes, one etcd Txn each, exactly as kube-apiserver's etcd3 store issues them:
 * create `If(createRevision(key) == 0) Then(Put)`, update `If(modRevision(key) == expected)
 * Then(Put) Else(Get)`, guarded delete likewise with DeleteRange(prev_kv). A TTL is a fresh
 * lease granted just before the write. Writes are never re-sent after a failure that may have
 * applied them (StoreUnavailableError instead). Arguments are checked by the caller.
 */
import type {
  Etcd3,
  ICompare,
  IRangeResponse,
  IResponseOp,
  ITxnRequest,
  ITxnResponse,
} from 'etcd3';
import {
  StoreAlreadyExistsError,
  StoreConflictError,
  StoreInvalidArgumentError,
  StoreNotFoundError,
  StoreTooLargeError,
  StoreUnavailableError,
} from '../errors.ts';
import { MAX_VALUE_BYTES } from '../store.ts';
import type { DeleteResult, KeyValue } from '../store.ts';
import { EtcdRejection, runCall } from './etcd-call.ts';
import type { CallContext } from './etcd-call.ts';
import { toRevision, wireValue } from './etcd-keys.ts';
import type { KeyCodec } from './etcd-keys.ts';
import type { EtcdKvClient } from './etcd-kv-client.ts';

export class EtcdWriter {
  readonly #client: Etcd3;
  readonly #kv: EtcdKvClient;
  readonly #codec: KeyCodec;
  readonly #ctx: CallContext;

  /** Txns go through `kv` (the lean client of the hot calls), leases through `client`. */
  constructor(client: Etcd3, kv: EtcdKvClient, codec: KeyCodec, ctx: CallContext) {
    this.#client = client;
    this.#kv = kv;
    this.#codec = codec;
    this.#ctx = ctx;
  }

  async create(key: string, value: Uint8Array, ttlSeconds: number | undefined): Promise<KeyValue> {
    const wkey = this.#codec.wire(key);
    const lease = await this.#grantLease(ttlSeconds);
    const res = await this.#txn('create', key, value, {
      compare: [{ key: wkey, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: wkey, value: wireValue(value), lease: lease ?? 0 } }],
    });
    if (!res.succeeded) {
      await this.#revokeQuietly(lease);
      throw new StoreAlreadyExistsError(key);
    }
    const revision = toRevision(res.header.revision);
    return { key, value: new Uint8Array(value), createRevision: revision, modRevision: revision };
  }

  async update(
    key: string,
    value: Uint8Array,
    expectedModRevision: number,
    ttlSeconds: number | undefined,
  ): Promise<KeyValue> {
    const wkey = this.#codec.wire(key);
    const lease = await this.#grantLease(ttlSeconds);
    const res = await this.#txn('update', key, value, {
      compare: guard(wkey, expectedModRevision),
      // The keys-only read after the put returns the key's createRevision without its value.
      // An update without a TTL puts lease 0, which detaches an earlier lease (no expiry).
      success: [
        { request_put: { key: wkey, value: wireValue(value), lease: lease ?? 0 } },
        { request_range: { key: wkey, keys_only: true } },
      ],
      failure: [{ request_range: { key: wkey } }],
    });
    if (!res.succeeded) {
      await this.#revokeQuietly(lease);
      throw this.#guardFailure(key, expectedModRevision, res.responses[0]);
    }
    const revision = toRevision(res.header.revision);
    const written = rangeOf(res.responses[1])?.kvs[0];
    return {
      key,
      value: new Uint8Array(value),
      createRevision: written === undefined ? revision : toRevision(written.create_revision),
      modRevision: revision,
    };
  }

  async delete(key: string, expectedModRevision: number | undefined): Promise<DeleteResult> {
    const wkey = this.#codec.wire(key);
    const res = await this.#txn('delete', key, undefined, {
      compare: expectedModRevision === undefined ? [] : guard(wkey, expectedModRevision),
      success: [{ request_delete_range: { key: wkey, prev_kv: true } }],
      failure: [{ request_range: { key: wkey } }],
    });
    if (!res.succeeded) {
      throw this.#guardFailure(key, expectedModRevision ?? 0, res.responses[0]);
    }
    const deleted = (res.responses[0] as Partial<IResponseOp> | undefined)?.response_delete_range;
    const prev = deleted?.prev_kvs[0];
    if (prev === undefined) throw new StoreNotFoundError(key);
    return { revision: toRevision(res.header.revision), prev: this.#codec.keyValue(prev) };
  }

  #guardFailure(
    key: string,
    expectedModRevision: number,
    failure: IResponseOp | undefined,
  ): StoreConflictError | StoreNotFoundError {
    const current = rangeOf(failure)?.kvs[0];
    if (current === undefined) return new StoreNotFoundError(key);
    return new StoreConflictError(key, expectedModRevision, this.#codec.keyValue(current));
  }

  async #txn(
    what: string,
    key: string,
    value: Uint8Array | undefined,
    request: ITxnRequest,
  ): Promise<ITxnResponse> {
    try {
      return await runCall(this.#ctx, 'write', what, (o) => this.#kv.txn(request, o), true);
    } catch (err: unknown) {
      if (!(err instanceof EtcdRejection)) throw err;
      if (err.reason === 'too-large') {
        // etcd's --max-request-bytes counts the whole request (key, framing), so a value just
        // under MAX_VALUE_BYTES can still be refused; it fails the same typed way.
        throw new StoreTooLargeError(key, value?.byteLength ?? 0, MAX_VALUE_BYTES);
      }
      if (err.reason === 'lease-not-found') {
        throw new StoreUnavailableError(`the TTL lease of ${key} expired before the write`, {
          cause: err,
        });
      }
      throw new StoreUnavailableError(`unexpected etcd answer to ${what}: ${err.reason}`, {
        cause: err,
      });
    }
  }

  /** A lease of `ttlSeconds` (rounded up to whole seconds; etcd may raise it to its minimum). */
  async #grantLease(ttlSeconds: number | undefined): Promise<string | undefined> {
    if (ttlSeconds === undefined) return undefined;
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new StoreInvalidArgumentError(`invalid ttlSeconds ${String(ttlSeconds)}`);
    }
    // Re-sending a grant is harmless (an unused lease just expires), so it retries like a read.
    const res = await runCall(this.#ctx, 'read', 'lease grant', (o) =>
      this.#client.leaseClient.leaseGrant({ TTL: Math.ceil(ttlSeconds) }, o),
    );
    return res.ID;
  }

  /** Revokes a lease that ended up unused; a failure only leaves it to expire by itself. */
  async #revokeQuietly(lease: string | undefined): Promise<void> {
    if (lease === undefined) return;
    try {
      await runCall(this.#ctx, 'read', 'lease revoke', (o) =>
        this.#client.leaseClient.leaseRevoke({ ID: lease }, o),
      );
    } catch {
      // it expires after its TTL anyway
    }
  }
}

/** The key exists and its modRevision is `expected`. */
function guard(key: Buffer, expected: number): ICompare[] {
  return [
    { key, target: 'Mod', result: 'Equal', mod_revision: expected },
    // A missing key has modRevision 0: without this, "update at 0" would create the key.
    { key, target: 'Version', result: 'Greater', version: 0 },
  ];
}

/** The range response of a txn op (the etcd3 client sets only the op's own oneof field). */
function rangeOf(op: IResponseOp | undefined): IRangeResponse | undefined {
  const ops: Partial<Record<keyof IResponseOp, unknown>> | undefined = op;
  const range = ops?.response_range;
  return range === undefined || range === null ? undefined : (range as IRangeResponse);
}
