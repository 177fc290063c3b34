/**
 * The revisioned key-value store every API object lives in, with etcd's semantics as the
 * Kubernetes storage layer uses them: one cluster-wide revision that only grows, a
 * createRevision and modRevision on every key, compare-and-swap updates, prefix lists that
 * page at one consistent revision, and prefix watches that resume from any revision not yet
 * compacted. Backends (memory, sqlite, etcd) pass one contract suite (`store-contract.ts`).
 * Not guaranteed: values are opaque bytes; the store never interprets them.
 */

/** One key at one revision. */
export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  /** Revision of the write that created this key (since its last deletion). */
  readonly createRevision: number;
  /** Revision of the last write to this key. */
  readonly modRevision: number;
}

export interface GetOptions {
  /** Read the key as it was at this revision (must not be compacted). Default: latest. */
  readonly revision?: number;
}

export interface GetResult {
  /** The store's revision the read was served at. */
  readonly revision: number;
  /** Undefined when the key does not exist (at that revision). */
  readonly kv: KeyValue | undefined;
}

export interface ListOptions {
  /** At most this many items per page. Default (or 0): no limit. */
  readonly limit?: number;
  /**
   * Opaque token from a previous page's `continue`. It carries the page's revision, so every
   * page of one list is read at the same revision; `revision` must then be unset.
   */
  readonly continue?: string;
  /** Read at this revision (must not be compacted). Default: latest. */
  readonly revision?: number;
}

export interface ListResult {
  /** The revision every page of this list is read at. */
  readonly revision: number;
  /** Keys in ascending byte order. */
  readonly items: readonly KeyValue[];
  /** Token for the next page; undefined on the last page. */
  readonly continue: string | undefined;
  /** How many keys under the prefix come after this page (0 on the last page). */
  readonly remaining: number;
}

export interface CreateOptions {
  /** The key expires this many seconds after the write (etcd lease). Default: never. */
  readonly ttlSeconds?: number;
}

export interface UpdateOptions {
  /** As in create; an update without it keeps no expiry. */
  readonly ttlSeconds?: number;
}

export interface DeleteOptions {
  /** Delete only if the key's modRevision is this one; Conflict otherwise. */
  readonly expectedModRevision?: number;
}

export interface DeleteResult {
  /** The revision of the delete. */
  readonly revision: number;
  /** The key as it was just before the delete. */
  readonly prev: KeyValue;
}

export type WatchEvent =
  | {
      readonly type: 'ADDED';
      readonly kv: KeyValue;
    }
  | {
      readonly type: 'MODIFIED';
      readonly kv: KeyValue;
      readonly prev: KeyValue | undefined;
    }
  | {
      /** `kv.modRevision` is the delete's revision; `kv.value` is the last value. */
      readonly type: 'DELETED';
      readonly kv: KeyValue;
      readonly prev: KeyValue | undefined;
    }
  | {
      /** Every event up to `revision` under the watched prefix has been delivered. */
      readonly type: 'PROGRESS';
      readonly revision: number;
    };

export interface WatchOptions {
  /**
   * Deliver events with a revision strictly greater than this one (Kubernetes' "watch from
   * resourceVersion" meaning). Default: the current revision, so only new events arrive.
   * Older than the compacted revision: the iterator throws StoreGoneError at once.
   */
  readonly sinceRevision?: number;
  /**
   * When no event arrives for this long, emit a PROGRESS event with the revision up to which
   * everything was delivered (the basis of watch bookmarks). Default: 0 (never).
   */
  readonly progressIntervalMs?: number;
  /** Ends the watch: the iterator finishes cleanly (no error) when aborted. */
  readonly signal: AbortSignal;
}

export interface Store {
  /** The backend's name, for logs and metrics ("memory", "sqlite", "etcd"). */
  readonly backend: string;
  get(key: string, options?: GetOptions): Promise<GetResult>;
  /** All keys that start with `prefix`, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** How many keys start with `prefix` at the current revision. */
  count(prefix: string): Promise<number>;
  /** Fails with StoreAlreadyExistsError when the key exists. */
  create(key: string, value: Uint8Array, options?: CreateOptions): Promise<KeyValue>;
  /**
   * Writes only when the key's current modRevision is `expectedModRevision`: otherwise
   * StoreConflictError (with the current value) or StoreNotFoundError.
   */
  update(
    key: string,
    value: Uint8Array,
    expectedModRevision: number,
    options?: UpdateOptions,
  ): Promise<KeyValue>;
  /** Fails with StoreNotFoundError, or StoreConflictError when the guard does not hold. */
  delete(key: string, options?: DeleteOptions): Promise<DeleteResult>;
  /**
   * Events for keys under `prefix`, in revision order, each exactly once. Errors
   * (StoreGoneError, StoreUnavailableError, StoreClosedError) end the iterator by throwing;
   * the caller resumes with `sinceRevision` set to the last revision it saw.
   */
  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent>;
  /** Forget history before `revision`: reads and watches below it fail with StoreGoneError. */
  compact(revision: number): Promise<void>;
  /** The newest revision (the revision of the last write). */
  currentRevision(): Promise<number>;
  /** The revision history starts at (0 when nothing was ever compacted). */
  compactedRevision(): Promise<number>;
  /** Ends every watch (with StoreClosedError) and releases the backend. Idempotent. */
  close(): Promise<void>;
}

/**
 * etcd's default request limit is 1.5 MiB; Kubernetes objects must fit in one request, so every
 * backend refuses larger values the same way (StoreTooLargeError).
 */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;
