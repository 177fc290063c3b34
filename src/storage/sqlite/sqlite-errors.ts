/**
 * How SQLite failures surface: as StoreUnavailableError (I/O error, full disk, held lock,
 * corrupt file) carrying the SqliteError as its cause. Store errors and programming errors
 * pass through unchanged, so a bug is never disguised as an outage.
 */
import Database from 'better-sqlite3';
import { StoreUnavailableError, isStoreError } from '../errors.ts';

/** SQLite's error code and message ("SQLITE_NOTADB: file is not a database"). */
export function describe(err: unknown): string {
  if (err instanceof Database.SqliteError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function toStoreError(err: unknown): Error {
  if (isStoreError(err)) return err;
  if (err instanceof Database.SqliteError) {
    return new StoreUnavailableError(`sqlite: ${describe(err)}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
