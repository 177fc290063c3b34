/**
 * The embedded Store of a single k8ts server: a kine-style log of writes in one SQLite file
 * (WAL, an exclusive lock, fsync per commit by default). Every write is one IMMEDIATE
 * transaction, so create/update/delete are atomic compare-and-swaps; the revision is the log's
 * row id and never goes back, across compaction and reopening. Committed writes are published
 * to the in-process WatchHub at once, in revision order. Not HA: one process owns the file.
 */
import type Database from 'better-sqlite3';
import { checkWrite } from '../check-write.ts';
import { decodeContinue, encodeContinue, keyAfter } from '../continue-token.ts';
import { StoreClosedError, StoreGoneError, StoreInvalidArgumentError } from '../errors.ts';
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
import { WatchHub } from '../watch-hub.ts';
import { Compactor } from './compactor.ts';
import { createRow, deleteRow, updateRow } from './log-writes.ts';
import type { Written } from './log-writes.ts';
import { openDatabase } from './schema.ts';
import { toStoreError } from './sqlite-errors.ts';
import { resolveSqliteStoreOptions } from './sqlite-store-options.ts';
import type { ResolvedSqliteStoreOptions, SqliteStoreOptions } from './sqlite-store-options.ts';
import {
  inTransaction,
  live,
  prepareStatements,
  rangeEnd,
  rowToEvent,
  rowToKv,
} from './statements.ts';
import type { Statements } from './statements.ts';

/** Expired keys deleted per sweep transaction. */
const SWEEP_BATCH = 500;

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  readonly #options: ResolvedSqliteStoreOptions;
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #hub: WatchHub;
  readonly #compactor: Compactor;
  readonly #timers: NodeJS.Timeout[] = [];
  #revision: number;
  #compacted: number;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Opens (or creates) the file; throws StoreUnavailableError when it cannot be used. */
  constructor(options: SqliteStoreOptions) {
    this.#options = resolveSqliteStoreOptions(options);
    const opened = openDatabase(this.#options.path, this.#options);
    this.#db = opened.db;
    this.#revision = opened.revision;
    this.#compacted = opened.compactedRevision;
    this.#st = prepareStatements(this.#db);
    this.#hub = new WatchHub(
      {
        eventsSince: (prefix, since) => this.#run(() => this.#eventsSince(prefix, since)),
        currentRevision: () => this.#revision,
        compactedRevision: () => this.#compacted,
      },
      this.#options.watch,
    );
    this.#compactor = new Compactor({
      db: this.#db,
      statements: this.#st,
      batchRevisions: this.#options.compactBatchRevisions,
      isClosed: () => this.#closed,
      compactedRevision: () => this.#compacted,
      setCompactedRevision: (revision) => {
        this.#compacted = revision;
      },
    });
    this.#every(this.#options.expirySweepIntervalMs, () => {
      this.#sweepExpired();
    });
    if (this.#options.compactIntervalMs > 0) {
      this.#every(this.#options.compactIntervalMs, () => {
        this.#compactPeriodically();
      });
    }
  }

  get(key: string, options: GetOptions = {}): Promise<GetResult> {
    return this.#run(() => {
      assertKey(key);
      const revision = this.#readRevision(options.revision);
      return { revision, kv: live(this.#st.at.get({ name: key, rev: revision })) };
    });
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return this.#run(() => {
      let revision: number;
      let start = prefix;
      if (options.continue !== undefined) {
        if (options.revision !== undefined && options.revision !== 0) {
          throw new StoreInvalidArgumentError('revision and continue are mutually exclusive');
        }
        const point = decodeContinue(options.continue);
        if (!point.startKey.startsWith(prefix)) {
          throw new StoreInvalidArgumentError('continue token is for another prefix');
        }
        revision = this.#readRevision(point.revision);
        start = point.startKey;
      } else {
        revision = this.#readRevision(options.revision);
      }
      const limit = options.limit ?? 0;
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new StoreInvalidArgumentError(`invalid limit ${String(limit)}`);
      }
      const end = rangeEnd(prefix);
      const rows = this.#st.range.all({
        start,
        end,
        rev: revision,
        limit: limit > 0 ? limit + 1 : -1,
      });
      const last = limit > 0 && rows.length > limit ? rows[limit - 1] : undefined;
      if (last === undefined) {
        return { revision, items: rows.map(rowToKv), continue: undefined, remaining: 0 };
      }
      const next = keyAfter(last.name);
      return {
        revision,
        items: rows.slice(0, limit).map(rowToKv),
        continue: encodeContinue({ revision, startKey: next }),
        remaining: this.#st.count.get({ start: next, end, rev: revision }) ?? 0,
      };
    });
  }

  count(prefix: string): Promise<number> {
    return this.#run(
      () => this.#st.count.get({ start: prefix, end: rangeEnd(prefix), rev: this.#revision }) ?? 0,
    );
  }

  create(key: string, value: Uint8Array, options: CreateOptions = {}): Promise<KeyValue> {
    return this.#run(() => {
      checkWrite(key, value);
      const expiresAtMs = this.#expiry(options.ttlSeconds);
      return this.#commit(() => createRow(this.#st, key, value, expiresAtMs)).kv;
    });
  }

  update(
    key: string,
    value: Uint8Array,
    expectedModRevision: number,
    options: UpdateOptions = {},
  ): Promise<KeyValue> {
    return this.#run(() => {
      checkWrite(key, value);
      const expiresAtMs = this.#expiry(options.ttlSeconds);
      return this.#commit(() => updateRow(this.#st, key, value, expectedModRevision, expiresAtMs))
        .kv;
    });
  }

  delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    return this.#run(() => {
      assertKey(key);
      const event = this.#commit(() => deleteRow(this.#st, key, options.expectedModRevision));
      return { revision: event.kv.modRevision, prev: event.prev };
    });
  }

  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    return this.#hub.watch(prefix, options);
  }

  async compact(revision: number): Promise<void> {
    if (this.#closed) throw new StoreClosedError();
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new StoreInvalidArgumentError(`invalid revision ${String(revision)}`);
    }
    if (revision > this.#revision) {
      throw new StoreInvalidArgumentError('cannot compact to a future revision');
    }
    if (revision <= this.#compacted) return;
    try {
      await this.#compactor.compact(revision);
    } catch (err: unknown) {
      throw toStoreError(err);
    }
  }

  currentRevision(): Promise<number> {
    return this.#run(() => this.#revision);
  }

  compactedRevision(): Promise<number> {
    return this.#run(() => this.#compacted);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#hub.close();
    await this.#compactor.drain();
    try {
      this.#db.close();
    } catch (err: unknown) {
      throw toStoreError(err);
    }
  }

  /** Runs a synchronous operation on the open store, as a promise with typed errors. */
  #run<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    try {
      return Promise.resolve(fn());
    } catch (err: unknown) {
      return Promise.reject(toStoreError(err));
    }
  }

  /** Commits one write, then publishes its event (the store's new revision). */
  #commit<T extends Written>(write: () => T): T {
    const event = inTransaction(this.#db, this.#st, write);
    this.#published([event]);
    return event;
  }

  /** Hands committed events to the watchers, in revision order, right after the commit. */
  #published(events: readonly Written[]): void {
    const last = events[events.length - 1];
    if (last === undefined) return;
    this.#revision = last.kv.modRevision;
    this.#hub.publish(events);
  }

  #readRevision(requested: number | undefined): number {
    if (requested === undefined || requested === 0) return this.#revision;
    if (!Number.isSafeInteger(requested) || requested < 0) {
      throw new StoreInvalidArgumentError(`invalid revision ${String(requested)}`);
    }
    if (requested > this.#revision) {
      throw new StoreInvalidArgumentError(`revision ${String(requested)} is in the future`);
    }
    if (requested < this.#compacted) throw new StoreGoneError(requested, this.#compacted);
    return requested;
  }

  #expiry(ttlSeconds: number | undefined): number | null {
    if (ttlSeconds === undefined) return null;
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new StoreInvalidArgumentError(`ttlSeconds must be positive, got ${String(ttlSeconds)}`);
    }
    return this.#options.now() + Math.ceil(ttlSeconds * 1000);
  }

  #eventsSince(prefix: string, since: number): WatchEvent[] {
    return this.#st.since.all({ start: prefix, end: rangeEnd(prefix), rev: since }).map(rowToEvent);
  }

  /** Deletes every key whose TTL has passed, through the delete path, so watchers see DELETED. */
  #sweepExpired(): void {
    try {
      for (let more = true; more && !this.#closed;) {
        const expired = this.#st.expired.all({ now: this.#options.now(), limit: SWEEP_BATCH });
        more = expired.length === SWEEP_BATCH;
        if (expired.length === 0) return;
        // One transaction (one fsync) per batch. Each delete is guarded by the row that was
        // found expired; nothing can write in between, as this turn is synchronous.
        const events = inTransaction(this.#db, this.#st, () =>
          expired.map((row) => deleteRow(this.#st, row.name, row.id)),
        );
        this.#published(events);
      }
    } catch (err: unknown) {
      this.#options.onBackgroundError(toStoreError(err));
    }
  }

  #compactPeriodically(): void {
    const target = this.#revision - this.#options.compactRetainRevisions;
    if (this.#closed || this.#compactor.isBusy || target <= this.#compacted) return;
    this.#compactor.compact(target).catch((err: unknown) => {
      if (!(err instanceof StoreClosedError)) this.#options.onBackgroundError(toStoreError(err));
    });
  }

  #every(intervalMs: number, tick: () => void): void {
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }
}
