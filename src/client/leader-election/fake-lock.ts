/**
 * An in-memory `ResourceLock` for tests (client-go's fake lock): candidates share one
 * `FakeLockStore` (a record and a version, as a Lease and its resourceVersion); each
 * `FakeLock` updates only over the version it last saw, and its `mode` makes calls fail or
 * hang until aborted (a partitioned candidate). Every write is kept in `store.writes`.
 */
import type { LeaderElectionRecord, ResourceLock } from './resource-lock.ts';

/** The lock object candidates share: one record and a version, as a Lease. */
export class FakeLockStore {
  record: LeaderElectionRecord | undefined;
  version = 0;
  writes: LeaderElectionRecord[] = [];
}

export class FakeConflictError extends Error {
  readonly code = 'CONFLICT';
}

export type FakeLockMode = 'ok' | 'fail' | 'hang';

/** A ResourceLock over a FakeLockStore; `mode` makes its calls fail or hang (a partition). */
export class FakeLock implements ResourceLock {
  mode: FakeLockMode = 'ok';
  /** Calls made, by kind (whatever their outcome). */
  readonly calls = { get: 0, create: 0, update: 0 };
  #seen = -1;
  readonly store: FakeLockStore;
  readonly identity: string;
  constructor(store: FakeLockStore, identity: string) {
    this.store = store;
    this.identity = identity;
  }
  describe(): string {
    return 'kube-system/test';
  }
  async get(signal: AbortSignal): Promise<LeaderElectionRecord | undefined> {
    this.calls.get++;
    await this.#gate(signal);
    this.#seen = this.store.version;
    return this.store.record;
  }
  async create(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    this.calls.create++;
    await this.#gate(signal);
    if (this.store.record !== undefined) throw new FakeConflictError('already exists');
    this.#write(record);
  }
  async update(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    this.calls.update++;
    await this.#gate(signal);
    if (this.#seen !== this.store.version) throw new FakeConflictError('conflict');
    this.#write(record);
  }
  #write(record: LeaderElectionRecord): void {
    this.store.record = record;
    this.store.version++;
    this.#seen = this.store.version;
    this.store.writes.push(record);
  }
  #gate(signal: AbortSignal): Promise<void> {
    if (this.mode === 'fail') return Promise.reject(new Error('connection refused'));
    if (this.mode === 'ok') return Promise.resolve();
    return new Promise((_, reject) => {
      signal.addEventListener('abort', () => {
        reject(new Error('aborted'));
      });
    });
  }
}
