/**
 * Opens the database file and creates or checks the schema, once per open. The file is held
 * with an exclusive lock for the store's lifetime: the watch fan-out is in-process, so a second
 * writer (another server, a stray CLI) would commit revisions no watcher ever sees. Every
 * failure to open (missing directory, unwritable or corrupt file, held lock) is a
 * StoreUnavailableError naming the path, with the SQLite error as its cause.
 */
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../errors.ts';
import { describe } from './sqlite-errors.ts';
import type { SqliteSynchronous } from './sqlite-store-options.ts';

export const SCHEMA_VERSION = 1;

/*
 * One row per write (kine's layout); the row id is the revision.
 *
 *   id               revision of the write (AUTOINCREMENT: never reused, even when compaction
 *                    removed the newest rows, because sqlite_sequence remembers the highest)
 *   name             the key; TEXT compares as UTF-8 bytes (BINARY collation), etcd's order
 *   created          1 when the write created the key (its createRevision is then its id)
 *   deleted          1 for a tombstone; `value` then holds the deleted key's last value
 *   create_revision  the key's createRevision (0 on created rows: it is the row's id)
 *   prev_revision    id of the key's previous row (0 for a first create), the prev of an event
 *   expires_at_ms    when the key expires (TTL), or NULL; an update without a TTL clears it
 *   value            the key's value after this write
 *   old_value        the value before an update (NULL otherwise), so MODIFIED events keep
 *                    their prev even after compaction removed the previous row
 *
 * (name, id, deleted) serves point reads, ranges in key order and index-only counts.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  expires_at_ms INTEGER,
  value BLOB NOT NULL,
  old_value BLOB
);
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id, deleted);
CREATE INDEX IF NOT EXISTS log_expires ON log (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ${String(SCHEMA_VERSION)});
INSERT OR IGNORE INTO meta (key, value) VALUES ('compacted_revision', 0);
`;

export interface OpenedDatabase {
  readonly db: Database.Database;
  /** The highest revision ever written (0 for a new store). */
  readonly revision: number;
  readonly compactedRevision: number;
}

export interface OpenDatabaseOptions {
  readonly synchronous: SqliteSynchronous;
  readonly busyTimeoutMs: number;
}

export function openDatabase(path: string, options: OpenDatabaseOptions): OpenedDatabase {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs });
    // Before WAL: in exclusive mode SQLite keeps the WAL index in heap memory, not in a
    // shared-memory file, and never releases the lock taken by the first write below.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    // A checkpoint resets the WAL but keeps its size; a big compaction must not leave it huge.
    db.pragma('journal_size_limit = 67108864');
    const opened = db;
    const read = opened.transaction(() => {
      opened.exec(DDL);
      return {
        version: metaValue(opened, 'schema_version'),
        compacted: metaValue(opened, 'compacted_revision'),
        revision: sequence(opened),
      };
    });
    const state = read.immediate();
    if (state.version !== SCHEMA_VERSION) {
      throw new StoreUnavailableError(
        `sqlite store at ${path} has schema version ${String(state.version)}; this k8ts reads version ${String(SCHEMA_VERSION)}`,
      );
    }
    return { db, revision: state.revision, compactedRevision: state.compacted };
  } catch (err: unknown) {
    db?.close();
    if (err instanceof StoreUnavailableError) throw err;
    const held = err instanceof Database.SqliteError && err.code === 'SQLITE_BUSY';
    const why = held ? ' (another server or process has the file open)' : '';
    throw new StoreUnavailableError(`cannot open sqlite store at ${path}: ${describe(err)}${why}`, {
      cause: err,
    });
  }
}

function metaValue(db: Database.Database, key: string): number {
  const value = db
    .prepare<[string], number>('SELECT value FROM meta WHERE key = ?')
    .pluck()
    .get(key);
  if (value === undefined) throw new Error(`meta row ${key} is missing`);
  return value;
}

function sequence(db: Database.Database): number {
  const seq = db
    .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'log'")
    .pluck()
    .get();
  return seq ?? 0;
}
