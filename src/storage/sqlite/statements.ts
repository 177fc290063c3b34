/**
 * Every SQL statement of the store, prepared once per open, and the decoding of log rows into
 * KeyValues and watch events. Reads at a revision take, per key, the newest row at or below
 * it; a tombstone there means the key did not exist. Key ranges are [start, end) in UTF-8 byte
 * order; `end` is bound as bytes and cast to TEXT, because a prefix's end is not always UTF-8.
 */
import type Database from 'better-sqlite3';
import { prefixEnd } from '../keys.ts';
import type { KeyValue, WatchEvent } from '../store.ts';

export interface LogRow {
  readonly id: number;
  readonly name: string;
  readonly created: number;
  readonly deleted: number;
  readonly create_revision: number;
  readonly prev_revision: number;
  readonly expires_at_ms: number | null;
  readonly value: Buffer;
  readonly old_value: Buffer | null;
}

export interface InsertRow {
  readonly name: string;
  readonly created: number;
  readonly deleted: number;
  readonly createRevision: number;
  readonly prevRevision: number;
  readonly expiresAtMs: number | null;
  readonly value: Uint8Array;
  readonly oldValue: Uint8Array | null;
}

export interface Range {
  readonly start: string;
  readonly end: Buffer;
  readonly rev: number;
}

export interface ExpiredRow {
  readonly id: number;
  readonly name: string;
}

type Stmt<P extends unknown[] | object, R> = Database.Statement<P, R>;

export interface Statements {
  /** The key's newest row at or below `rev`. */
  readonly at: Stmt<[{ name: string; rev: number }], LogRow>;
  readonly insert: Stmt<[InsertRow], never>;
  /** Live keys in [start, end) at `rev`, in key order, at most `limit` (-1: all). */
  readonly range: Stmt<[Range & { limit: number }], LogRow>;
  /** How many live keys are in [start, end) at `rev` (index only). */
  readonly count: Stmt<[Range], number>;
  /** Rows with id > `rev` in [start, end), in revision order (a scan of the id range). */
  readonly since: Stmt<[Range], LogRow>;
  /** Live keys whose newest row expired at or before `now`. */
  readonly expired: Stmt<[{ now: number; limit: number }], ExpiredRow>;
  /** Removes rows superseded by a row in (from, to] (their prev_revision). */
  readonly compactSuperseded: Stmt<[{ from: number; to: number }], never>;
  /** Removes tombstones in [from, to): the one at `to` is the event of revision `to`. */
  readonly compactTombstones: Stmt<[{ from: number; to: number }], never>;
  readonly setCompacted: Stmt<[number], never>;
  readonly begin: Stmt<[], never>;
  readonly commit: Stmt<[], never>;
  readonly rollback: Stmt<[], never>;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    at: db.prepare('SELECT * FROM log WHERE name = @name AND id <= @rev ORDER BY id DESC LIMIT 1'),
    insert: db.prepare(
      `INSERT INTO log (name, created, deleted, create_revision, prev_revision, expires_at_ms,
        value, old_value)
       VALUES (@name, @created, @deleted, @createRevision, @prevRevision, @expiresAtMs,
        @value, @oldValue)`,
    ),
    // Walks the (name, id) index in key order and stops after `limit` live keys; a row is
    // the key's state at `rev` when no newer row at or below `rev` exists.
    range: db.prepare(
      `SELECT l.* FROM log l
       WHERE l.name >= @start AND l.name < CAST(@end AS TEXT) AND l.id <= @rev
         AND NOT EXISTS (SELECT 1 FROM log x WHERE x.name = l.name AND x.id > l.id AND x.id <= @rev)
         AND l.deleted = 0
       ORDER BY l.name LIMIT @limit`,
    ),
    // `deleted` is a bare column beside max(): SQLite takes it from the row with the max id.
    count: db
      .prepare<Range, number>(
        `SELECT COUNT(*) FROM (
           SELECT MAX(id) AS id, deleted FROM log
           WHERE name >= @start AND name < CAST(@end AS TEXT) AND id <= @rev GROUP BY name
         ) WHERE deleted = 0`,
      )
      .pluck(),
    since: db.prepare(
      `SELECT * FROM log WHERE id > @rev AND +name >= @start AND +name < CAST(@end AS TEXT)
       ORDER BY id`,
    ),
    expired: db.prepare(
      `SELECT l.id, l.name FROM log l
       WHERE l.expires_at_ms IS NOT NULL AND l.expires_at_ms <= @now AND l.deleted = 0
         AND NOT EXISTS (SELECT 1 FROM log x WHERE x.name = l.name AND x.id > l.id)
       ORDER BY l.expires_at_ms LIMIT @limit`,
    ),
    compactSuperseded: db.prepare(
      `DELETE FROM log WHERE id IN (
         SELECT prev_revision FROM log WHERE id > @from AND id <= @to AND prev_revision > 0)`,
    ),
    compactTombstones: db.prepare('DELETE FROM log WHERE id >= @from AND id < @to AND deleted = 1'),
    setCompacted: db.prepare("UPDATE meta SET value = ? WHERE key = 'compacted_revision'"),
    // IMMEDIATE takes the write lock at BEGIN, so the reads of a compare-and-swap and its
    // insert see one state of the file.
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };
}

/** Runs `fn` in one IMMEDIATE transaction: commits what it wrote, or rolls back if it throws. */
export function inTransaction<T>(db: Database.Database, statements: Statements, fn: () => T): T {
  statements.begin.run();
  try {
    const result = fn();
    statements.commit.run();
    return result;
  } catch (err: unknown) {
    if (db.inTransaction) statements.rollback.run();
    throw err;
  }
}

/** Past every valid UTF-8 key (0xff never occurs in UTF-8): the end of the empty prefix. */
const END_OF_KEYS = Buffer.from([0xff]);

/** The exclusive end of a prefix's key range. */
export function rangeEnd(prefix: string): Buffer {
  return prefix.length === 0 ? END_OF_KEYS : prefixEnd(prefix);
}

/** A plain Uint8Array view of a blob (node:assert treats Buffer and Uint8Array as different). */
export function bytes(blob: Buffer): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
}

/** The key as this row left it (for a tombstone: the deleted key's last value). */
export function rowToKv(row: LogRow): KeyValue {
  return {
    key: row.name,
    value: bytes(row.value),
    createRevision: row.created === 1 ? row.id : row.create_revision,
    modRevision: row.id,
  };
}

/** The key as it was before this row's write; undefined for a create. */
export function rowToPrev(row: LogRow): KeyValue | undefined {
  if (row.created === 1) return undefined;
  const value = row.deleted === 1 ? row.value : row.old_value;
  return {
    key: row.name,
    value: bytes(value ?? Buffer.alloc(0)),
    createRevision: row.create_revision,
    modRevision: row.prev_revision,
  };
}

/** The row's key, or undefined when the row is missing or a tombstone. */
export function live(row: LogRow | undefined): KeyValue | undefined {
  return row === undefined || row.deleted === 1 ? undefined : rowToKv(row);
}

export function rowToEvent(row: LogRow): WatchEvent {
  const kv = rowToKv(row);
  if (row.created === 1) return { type: 'ADDED', kv };
  return { type: row.deleted === 1 ? 'DELETED' : 'MODIFIED', kv, prev: rowToPrev(row) };
}
