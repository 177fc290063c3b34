/**
 * The Store on a real etcd cluster, used the way kube-apiserver's etcd3 store uses it: create is
 * a Txn guarded by createRevision == 0, update and guarded delete by modRevision == expected,
 * lists page at one revision, TTLs are leases, watches are etcd watches with prev_kv. Every call
 * ends within `requestTimeoutMs` (StoreUnavailableError when etcd is dead or unreachable), and a
 * write that may have been applied is never re-sent. Stores on one cluster share one history.
 * Not guaranteed: that a failed write (StoreUnavailableError) was not applied — re-read to know.
 */
import { setMaxListeners } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { checkWrite } from '../check-write.ts';
import { decodeContinue, encodeContinue, keyAfter } from '../continue-token.ts';
import { StoreClosedError, StoreInvalidArgumentError } from '../errors.ts';
import { assertKey } from '../keys.ts';
import type {
  CreateOptions,
  DeleteOptions,
  DeleteResult,
  GetOptions,
  GetResult,
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  UpdateOptions,
  WatchEvent,
  WatchOptions,
} from '../store.ts';
import type { CallContext } from './etcd-call.ts';
import { KeyCodec, checkRevision, toRevision } from './etcd-keys.ts';
import { createClient, createKvClient, resolveOptions } from './etcd-options.ts';
import type { EtcdKvClient } from './etcd-kv-client.ts';
import { EtcdReader } from './etcd-reader.ts';
import type { EtcdStoreOptions, ResolvedEtcdStoreOptions } from './etcd-options.ts';
import { EtcdWriter } from './etcd-writer.ts';
import { watchPrefix } from './etcd-watch.ts';

export type { EtcdStoreOptions, EtcdTlsOptions } from './etcd-options.ts';

export class EtcdStore implements Store {
  readonly backend = 'etcd';
  readonly #options: ResolvedEtcdStoreOptions;
  readonly #client: Etcd3;
  readonly #kv: EtcdKvClient;
  readonly #codec: KeyCodec;
  readonly #closing = new AbortController();
  readonly #ctx: CallContext;
  readonly #reader: EtcdReader;
  readonly #writer: EtcdWriter;
  /**
   * Watches without `sinceRevision` that are still reading the current revision. Writes through
   * this store wait for them, so a write issued after watch() started is always delivered to it.
   */
  readonly #watchStarts = new Set<Promise<number>>();

  constructor(options: EtcdStoreOptions) {
    this.#options = resolveOptions(options);
    this.#client = createClient(this.#options);
    this.#kv = createKvClient(this.#options);
    this.#codec = new KeyCodec(this.#options.keyPrefix);
    this.#ctx = {
      requestTimeoutMs: this.#options.requestTimeoutMs,
      isClosed: () => this.#closing.signal.aborted,
    };
    this.#reader = new EtcdReader(this.#client, this.#kv, this.#codec, this.#ctx);
    this.#writer = new EtcdWriter(this.#client, this.#kv, this.#codec, this.#ctx);
    // Every watch listens for the close: many watches on one store are normal, not a leak.
    setMaxListeners(0, this.#closing.signal);
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    assertKey(key);
    const revision = readRevision(options.revision);
    const res = await this.#reader.range('get', { key: this.#codec.wire(key), revision });
    const kv = res.kvs[0];
    return {
      revision: revision === 0 ? toRevision(res.header.revision) : revision,
      kv: kv === undefined ? undefined : this.#codec.keyValue(kv),
    };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    let revision: number;
    let startKey = prefix;
    if (options.continue !== undefined) {
      if (options.revision !== undefined) {
        throw new StoreInvalidArgumentError('revision and continue are mutually exclusive');
      }
      const point = decodeContinue(options.continue);
      if (!point.startKey.startsWith(prefix)) {
        throw new StoreInvalidArgumentError('continue token is for another prefix');
      }
      revision = point.revision;
      startKey = point.startKey;
    } else {
      revision = readRevision(options.revision);
    }
    const limit = options.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new StoreInvalidArgumentError(`invalid limit ${String(limit)}`);
    }
    const range = this.#codec.range(prefix, startKey);
    const res = await this.#reader.range('list', {
      key: range.key,
      range_end: range.rangeEnd,
      revision,
      limit,
    });
    // A read at "latest" is served at the header's revision; later pages pin that one.
    const readAt = revision === 0 ? toRevision(res.header.revision) : revision;
    const items = res.kvs.map((kv) => this.#codec.keyValue(kv));
    const last = items[items.length - 1];
    if (!res.more || limit === 0 || last === undefined) {
      return { revision: readAt, items, continue: undefined, remaining: 0 };
    }
    return {
      revision: readAt,
      items,
      continue: encodeContinue({ revision: readAt, startKey: keyAfter(last.key) }),
      // etcd's count is every key in [start, end) at that revision, not just this page.
      remaining: toRevision(res.count) - items.length,
    };
  }

  async count(prefix: string): Promise<number> {
    const range = this.#codec.range(prefix);
    const res = await this.#reader.range('count', {
      key: range.key,
      range_end: range.rangeEnd,
      count_only: true,
    });
    return toRevision(res.count);
  }

  async create(key: string, value: Uint8Array, options: CreateOptions = {}): Promise<KeyValue> {
    checkWrite(key, value);
    await this.#afterWatchStarts();
    return await this.#writer.create(key, value, options.ttlSeconds);
  }

  async update(
    key: string,
    value: Uint8Array,
    expectedModRevision: number,
    options: UpdateOptions = {},
  ): Promise<KeyValue> {
    checkWrite(key, value);
    checkRevision('expectedModRevision', expectedModRevision);
    await this.#afterWatchStarts();
    return await this.#writer.update(key, value, expectedModRevision, options.ttlSeconds);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    assertKey(key);
    if (options.expectedModRevision !== undefined) {
      checkRevision('expectedModRevision', options.expectedModRevision);
    }
    await this.#afterWatchStarts();
    return await this.#writer.delete(key, options.expectedModRevision);
  }

  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    return { [Symbol.asyncIterator]: () => this.#watch(prefix, options) };
  }

  /** See EtcdReader.compact: logical compaction, as kube-apiserver's compactor does it. */
  compact(revision: number): Promise<void> {
    return this.#reader.compact(revision);
  }

  currentRevision(): Promise<number> {
    return this.#reader.currentRevision();
  }

  /** Probed from etcd (it does not report it), see EtcdReader.compactedRevision. */
  compactedRevision(): Promise<number> {
    return this.#reader.compactedRevision();
  }

  /** Ends every watch (StoreClosedError) and closes the connections. Idempotent. */
  close(): Promise<void> {
    if (!this.#closing.signal.aborted) {
      this.#closing.abort();
      this.#client.close();
      this.#kv.close();
    }
    return Promise.resolve();
  }

  async *#watch(prefix: string, options: WatchOptions): AsyncGenerator<WatchEvent> {
    if (this.#closing.signal.aborted) throw new StoreClosedError();
    if (options.signal.aborted) return;
    let since = options.sinceRevision;
    if (since === undefined) since = await this.#startRevision();
    else checkRevision('sinceRevision', since);
    const context = {
      client: this.#client,
      codec: this.#codec,
      dialTimeoutMs: this.#options.dialTimeoutMs,
      closed: this.#closing.signal,
    };
    yield* watchPrefix(context, prefix, since, options);
  }

  /** The current revision for a watch start; registered synchronously (see #watchStarts). */
  #startRevision(): Promise<number> {
    const revision = this.currentRevision();
    this.#watchStarts.add(revision);
    const forget = (): void => {
      this.#watchStarts.delete(revision);
    };
    revision.then(forget, forget);
    return revision;
  }

  async #afterWatchStarts(): Promise<void> {
    if (this.#watchStarts.size > 0) await Promise.allSettled([...this.#watchStarts]);
  }
}

/** A revision option: undefined or 0 mean "latest" (0 on the wire). */
function readRevision(revision: number | undefined): number {
  if (revision === undefined) return 0;
  checkRevision('revision', revision);
  return revision;
}
