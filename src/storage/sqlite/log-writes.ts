/**
 * The three writes as log rows: each reads the key's newest row, checks the etcd precondition
 * (absent for create, the expected modRevision for update and a guarded delete) and appends
 * one row. Callers run them inside an IMMEDIATE transaction, which makes each an atomic
 * compare-and-swap, and publish the returned event only after the commit.
 */
import { StoreAlreadyExistsError, StoreConflictError, StoreNotFoundError } from '../errors.ts';
import type { KeyValue } from '../store.ts';
import { live } from './statements.ts';
import type { InsertRow, LogRow, Statements } from './statements.ts';

export type Added = { readonly type: 'ADDED'; readonly kv: KeyValue };
export type Modified = {
  readonly type: 'MODIFIED';
  readonly kv: KeyValue;
  readonly prev: KeyValue;
};
export type Deleted = { readonly type: 'DELETED'; readonly kv: KeyValue; readonly prev: KeyValue };
/** The event of one committed write. */
export type Written = Added | Modified | Deleted;

export function createRow(
  st: Statements,
  key: string,
  value: Uint8Array,
  expiresAtMs: number | null,
): Added {
  const current = latest(st, key);
  if (current !== undefined && current.deleted === 0) throw new StoreAlreadyExistsError(key);
  const revision = insert(st, {
    name: key,
    created: 1,
    deleted: 0,
    createRevision: 0,
    // A key created again after a delete points at its tombstone, which compaction then removes.
    prevRevision: current?.id ?? 0,
    expiresAtMs,
    value,
    oldValue: null,
  });
  const kv = { key, value: copy(value), createRevision: revision, modRevision: revision };
  return { type: 'ADDED', kv };
}

export function updateRow(
  st: Statements,
  key: string,
  value: Uint8Array,
  expectedModRevision: number,
  expiresAtMs: number | null,
): Modified {
  const prev = current(st, key, expectedModRevision);
  const revision = insert(st, {
    name: key,
    created: 0,
    deleted: 0,
    createRevision: prev.createRevision,
    prevRevision: prev.modRevision,
    expiresAtMs,
    value,
    oldValue: prev.value,
  });
  return { type: 'MODIFIED', kv: { ...prev, value: copy(value), modRevision: revision }, prev };
}

/** The delete path of both `Store.delete` and TTL expiry. */
export function deleteRow(
  st: Statements,
  key: string,
  expectedModRevision: number | undefined,
): Deleted {
  const prev = current(st, key, expectedModRevision);
  const revision = insert(st, {
    name: key,
    created: 0,
    deleted: 1,
    createRevision: prev.createRevision,
    prevRevision: prev.modRevision,
    expiresAtMs: null,
    value: prev.value,
    oldValue: null,
  });
  return { type: 'DELETED', kv: { ...prev, modRevision: revision }, prev };
}

function latest(st: Statements, key: string): LogRow | undefined {
  return st.at.get({ name: key, rev: Number.MAX_SAFE_INTEGER });
}

/** The key's live value, checked against the expected modRevision when one is given. */
function current(st: Statements, key: string, expectedModRevision: number | undefined): KeyValue {
  const kv = live(latest(st, key));
  if (kv === undefined) throw new StoreNotFoundError(key);
  if (expectedModRevision !== undefined && kv.modRevision !== expectedModRevision) {
    throw new StoreConflictError(key, expectedModRevision, kv);
  }
  return kv;
}

function insert(st: Statements, row: InsertRow): number {
  return Number(st.insert.run(row).lastInsertRowid);
}

/** The caller keeps its array; the returned KeyValue must not change with it. */
function copy(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}
