/**
 * An in-memory Store for unit tests: full etcd semantics (revisions, history, compaction, TTLs,
 * watch replay) with no durability. Every operation is synchronous underneath, so writes are
 * atomic and watchers get events in revision order. History grows until `compact` is called.
 */
import { checkWrite } from '../check-write.ts';
import { decodeContinue, encodeContinue, keyAfter } from '../continue-token.ts';
import {
  StoreAlreadyExistsError,
  StoreClosedError,
  StoreConflictError,
  StoreGoneError,
  StoreInvalidArgumentError,
  StoreNotFoundError,
} from '../errors.ts';
import { assertKey, compareKeys } from '../keys.ts';
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

/** One revision of one key: its value then, or a tombstone (`kv` undefined). */
interface Version {
  readonly revision: number;
  readonly kv: KeyValue | undefined;
}

export class MemoryStore implements Store {
  readonly backend = 'memory';
  #revision = 0;
  #compacted = 0;
  #closed = false;
  /** Every key ever written (until compacted away), sorted by bytes. */
  #keys: string[] = [];
  readonly #versions = new Map<string, Version[]>();
  /** Every event after the compacted revision, in revision order. */
  #log: WatchEvent[] = [];
  readonly #expiries = new Map<string, NodeJS.Timeout>();
  readonly #hub = new WatchHub({
    eventsSince: (prefix, since) =>
      Promise.resolve(
        this.#log.filter(
          (e) => e.type !== 'PROGRESS' && e.kv.modRevision > since && e.kv.key.startsWith(prefix),
        ),
      ),
    currentRevision: () => this.#revision,
    compactedRevision: () => this.#compacted,
  });

  get(key: string, options: GetOptions = {}): Promise<GetResult> {
    return this.#run(() => {
      assertKey(key);
      const revision = this.#readRevision(options.revision);
      return { revision, kv: this.#at(key, revision) };
    });
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return this.#run(() => {
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
        revision = this.#readRevision(point.revision);
        startKey = point.startKey;
      } else {
        revision = this.#readRevision(options.revision);
      }
      const all: KeyValue[] = [];
      for (const key of this.#keys) {
        if (!key.startsWith(prefix) || compareKeys(key, startKey) < 0) continue;
        const kv = this.#at(key, revision);
        if (kv !== undefined) all.push(kv);
      }
      const limit = options.limit ?? 0;
      if (limit <= 0 || all.length <= limit) {
        return { revision, items: all, continue: undefined, remaining: 0 };
      }
      const items = all.slice(0, limit);
      const last = items[items.length - 1];
      return {
        revision,
        items,
        continue: last && encodeContinue({ revision, startKey: keyAfter(last.key) }),
        remaining: all.length - limit,
      };
    });
  }

  count(prefix: string): Promise<number> {
    return this.#run(() => {
      let n = 0;
      for (const key of this.#keys) {
        if (key.startsWith(prefix) && this.#at(key, this.#revision) !== undefined) n++;
      }
      return n;
    });
  }

  create(key: string, value: Uint8Array, options: CreateOptions = {}): Promise<KeyValue> {
    return this.#run(() => {
      checkWrite(key, value);
      if (this.#at(key, this.#revision) !== undefined) throw new StoreAlreadyExistsError(key);
      const revision = ++this.#revision;
      const kv: KeyValue = {
        key,
        value: copy(value),
        createRevision: revision,
        modRevision: revision,
      };
      this.#record(key, revision, kv, { type: 'ADDED', kv });
      this.#expire(key, options.ttlSeconds);
      return kv;
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
      const current = this.#at(key, this.#revision);
      if (current === undefined) throw new StoreNotFoundError(key);
      if (current.modRevision !== expectedModRevision) {
        throw new StoreConflictError(key, expectedModRevision, current);
      }
      const revision = ++this.#revision;
      const kv: KeyValue = {
        key,
        value: copy(value),
        createRevision: current.createRevision,
        modRevision: revision,
      };
      this.#record(key, revision, kv, { type: 'MODIFIED', kv, prev: current });
      this.#expire(key, options.ttlSeconds);
      return kv;
    });
  }

  delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    return this.#run(() => {
      assertKey(key);
      const current = this.#at(key, this.#revision);
      if (current === undefined) throw new StoreNotFoundError(key);
      const expected = options.expectedModRevision;
      if (expected !== undefined && current.modRevision !== expected) {
        throw new StoreConflictError(key, expected, current);
      }
      return this.#deleteNow(key, current);
    });
  }

  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    if (this.#closed) {
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new StoreClosedError()) }),
      };
    }
    return this.#hub.watch(prefix, options);
  }

  compact(revision: number): Promise<void> {
    return this.#run(() => {
      if (revision > this.#revision) {
        throw new StoreInvalidArgumentError('cannot compact to a future revision');
      }
      if (revision <= this.#compacted) return;
      this.#compacted = revision;
      // Events at the compacted revision stay: a watch from `revision - 1` still gets them.
      this.#log = this.#log.filter((e) => e.type !== 'PROGRESS' && e.kv.modRevision >= revision);
      for (const [key, versions] of this.#versions) {
        // Keep the newest version at or below the compacted revision (unless it is a
        // tombstone), and everything after it.
        let keepFrom = 0;
        for (let i = 0; i < versions.length; i++) {
          if ((versions[i]?.revision ?? 0) <= revision) keepFrom = i;
        }
        let kept = versions.slice(keepFrom);
        if (kept[0] !== undefined && kept[0].revision <= revision && kept[0].kv === undefined) {
          kept = kept.slice(1);
        }
        if (kept.length === 0) this.#versions.delete(key);
        else this.#versions.set(key, kept);
      }
      this.#keys = this.#keys.filter((k) => this.#versions.has(k));
    });
  }

  currentRevision(): Promise<number> {
    return this.#run(() => this.#revision);
  }

  compactedRevision(): Promise<number> {
    return this.#run(() => this.#compacted);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const t of this.#expiries.values()) clearTimeout(t);
      this.#expiries.clear();
      this.#hub.close();
    }
    return Promise.resolve();
  }

  #run<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    try {
      return Promise.resolve(fn());
    } catch (err: unknown) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
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

  /** The key's value at `revision`, or undefined. */
  #at(key: string, revision: number): KeyValue | undefined {
    const versions = this.#versions.get(key);
    if (versions === undefined) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i];
      if (v !== undefined && v.revision <= revision) return v.kv;
    }
    return undefined;
  }

  #record(key: string, revision: number, kv: KeyValue | undefined, event: WatchEvent): void {
    let versions = this.#versions.get(key);
    if (versions === undefined) {
      versions = [];
      this.#versions.set(key, versions);
      this.#insertKey(key);
    }
    versions.push({ revision, kv });
    this.#log.push(event);
    this.#hub.publish([event]);
  }

  #deleteNow(key: string, current: KeyValue): DeleteResult {
    const revision = ++this.#revision;
    this.#expire(key, undefined);
    const tomb: KeyValue = { ...current, modRevision: revision };
    this.#record(key, revision, undefined, { type: 'DELETED', kv: tomb, prev: current });
    return { revision, prev: current };
  }

  /** Sets (or clears, with undefined) the key's expiry. */
  #expire(key: string, ttlSeconds: number | undefined): void {
    const old = this.#expiries.get(key);
    if (old !== undefined) clearTimeout(old);
    this.#expiries.delete(key);
    if (ttlSeconds === undefined) return;
    const timer = setTimeout(() => {
      this.#expiries.delete(key);
      const current = this.#at(key, this.#revision);
      if (!this.#closed && current !== undefined) this.#deleteNow(key, current);
    }, ttlSeconds * 1000);
    timer.unref();
    this.#expiries.set(key, timer);
  }

  #insertKey(key: string): void {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.#keys[mid] ?? '', key) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.#keys.splice(lo, 0, key);
  }
}

function copy(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}
