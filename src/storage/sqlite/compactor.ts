/**
 * Compaction of the log, as kine does it: in batches of revisions, each batch one IMMEDIATE
 * transaction that removes the rows superseded within it and the tombstones before its end,
 * then records the new compacted revision; the event loop runs between batches. Compactions
 * run one at a time. Guarantees: every read at or above the compacted revision, and every event
 * after it, still finds its rows (the tombstone at exactly the compacted revision is kept).
 */
import type Database from 'better-sqlite3';
import { StoreClosedError } from '../errors.ts';
import { inTransaction } from './statements.ts';
import type { Statements } from './statements.ts';

export interface CompactorHost {
  readonly db: Database.Database;
  readonly statements: Statements;
  readonly batchRevisions: number;
  isClosed(): boolean;
  compactedRevision(): number;
  /** Called after each batch commits (so memory never runs ahead of the file). */
  setCompactedRevision(revision: number): void;
}

export class Compactor {
  readonly #host: CompactorHost;
  #running: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(host: CompactorHost) {
    this.#host = host;
  }

  /** True while a compaction is queued or running. */
  get isBusy(): boolean {
    return this.#pending > 0;
  }

  /** Compacts up to `revision` (already validated), after any compaction already queued. */
  compact(revision: number): Promise<void> {
    this.#pending++;
    const next = this.#running
      .then(() => this.#run(revision))
      .finally(() => {
        this.#pending--;
      });
    // The queue must go on after a failure; the caller still sees the failure through `next`.
    this.#running = next.catch(() => undefined);
    return next;
  }

  /** Resolves when the queued compactions have stopped (they stop early once closed). */
  async drain(): Promise<void> {
    await this.#running;
  }

  async #run(target: number): Promise<void> {
    const host = this.#host;
    for (;;) {
      if (host.isClosed()) throw new StoreClosedError();
      const from = host.compactedRevision();
      if (from >= target) return;
      const to = Math.min(target, from + host.batchRevisions);
      const { db, statements } = host;
      inTransaction(db, statements, () => {
        statements.compactSuperseded.run({ from, to });
        statements.compactTombstones.run({ from, to });
        statements.setCompacted.run(to);
      });
      host.setCompactedRevision(to);
      if (to >= target) return;
      await new Promise<void>((resolve) => {
        setImmediate(resolve);
      });
    }
  }
}
