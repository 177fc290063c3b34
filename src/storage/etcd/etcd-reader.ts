/**
 * EtcdStore's reads and revision bookkeeping: linearizable ranges at a revision with etcd's
 * refusals mapped to Store errors (compacted -> StoreGoneError carrying the probed compacted
 * revision, future -> StoreInvalidArgumentError), the current revision (a response header),
 * the compacted revision (probed from etcd, which does not report it), and compaction.
 */
import type { Etcd3, IRangeRequest, IRangeResponse } from 'etcd3';
import { StoreGoneError, StoreInvalidArgumentError, StoreUnavailableError } from '../errors.ts';
import { EtcdRejection, runCall } from './etcd-call.ts';
import type { CallContext } from './etcd-call.ts';
import { checkRevision, toRevision } from './etcd-keys.ts';
import type { KeyCodec } from './etcd-keys.ts';
import type { EtcdKvClient } from './etcd-kv-client.ts';

/** Binary search steps of compactedRevision(): enough for any safe-integer revision. */
const MAX_PROBES = 60;

export class EtcdReader {
  readonly #client: Etcd3;
  readonly #kv: EtcdKvClient;
  readonly #codec: KeyCodec;
  readonly #ctx: CallContext;
  /** The highest revision this store knows etcd compacted (its own compactions and probes). */
  #knownCompacted = 0;

  /** Ranges go through `kv` (the lean client of the hot calls), compaction through `client`. */
  constructor(client: Etcd3, kv: EtcdKvClient, codec: KeyCodec, ctx: CallContext) {
    this.#client = client;
    this.#kv = kv;
    this.#codec = codec;
    this.#ctx = ctx;
  }

  /** A range at `request.revision` (0 or unset: latest), refusals mapped to Store errors. */
  async range(what: string, request: IRangeRequest): Promise<IRangeResponse> {
    return await this.#range(what, request, true);
  }

  async currentRevision(): Promise<number> {
    const res = await this.range('current revision', { key: this.#anyKey(), count_only: true });
    return toRevision(res.header.revision);
  }

  /**
   * etcd does not report its compacted revision, and anyone may compact it (another API server,
   * etcd's auto-compaction, etcdctl), so this asks etcd: the oldest revision a read can still be
   * served at, by binary search over linearizable count-only reads, starting from the highest
   * compaction this store already knows of. 0 when nothing was compacted.
   */
  async compactedRevision(): Promise<number> {
    let low = Math.max(this.#knownCompacted, 1);
    if (await this.#readableAt(low)) return this.#knownCompacted;
    let high = await this.currentRevision(); // always readable: etcd never compacts past it
    for (let i = 0; i < MAX_PROBES && high - low > 1; i++) {
      const mid = Math.floor((low + high) / 2);
      if (await this.#readableAt(mid)) high = mid;
      else low = mid;
    }
    this.#knownCompacted = Math.max(this.#knownCompacted, high);
    return high;
  }

  /**
   * Logical compaction, as kube-apiserver's compactor does it (`physical: false`): once etcd
   * committed it, reads and watches below `revision` fail on every member; the space is freed
   * in the background. Compacting at or below an earlier compaction is a no-op.
   */
  async compact(revision: number): Promise<void> {
    checkRevision('revision', revision);
    if (revision <= this.#knownCompacted) return;
    try {
      // Idempotent, so retried like a read: a repeat answers "compacted", which is success.
      await runCall(this.#ctx, 'read', 'compact', (o) =>
        this.#client.kv.compact({ revision, physical: false }, o),
      );
    } catch (err: unknown) {
      if (!(err instanceof EtcdRejection)) throw err;
      if (err.reason === 'future-revision') {
        throw new StoreInvalidArgumentError(
          `cannot compact to future revision ${String(revision)}`,
        );
      }
      if (err.reason !== 'compacted') throw unexpected(err);
    }
    this.#knownCompacted = Math.max(this.#knownCompacted, revision);
  }

  /** One key to range over when only the response header or a revision check matters. */
  #anyKey(): Buffer {
    return this.#codec.range('').key;
  }

  async #readableAt(revision: number): Promise<boolean> {
    try {
      await this.#range(
        'compaction probe',
        { key: this.#anyKey(), revision, count_only: true },
        false,
      );
      return true;
    } catch (err: unknown) {
      if (err instanceof StoreGoneError) return false;
      throw err;
    }
  }

  async #range(
    what: string,
    request: IRangeRequest,
    probeOnGone: boolean,
  ): Promise<IRangeResponse> {
    try {
      return await runCall(this.#ctx, 'read', what, (o) => this.#kv.range(request, o), true);
    } catch (err: unknown) {
      if (!(err instanceof EtcdRejection)) throw err;
      const revision = toRevision(request.revision);
      switch (err.reason) {
        case 'compacted': {
          const lowerBound = Math.max(this.#knownCompacted, revision + 1);
          const compacted = probeOnGone ? await this.#compactedOr(lowerBound) : lowerBound;
          throw new StoreGoneError(revision, compacted);
        }
        case 'future-revision':
          throw new StoreInvalidArgumentError(`revision ${String(revision)} is in the future`);
        case 'too-large':
        case 'lease-not-found':
          throw unexpected(err);
      }
    }
  }

  /** The probed compacted revision, or `lowerBound` when the probe fails. */
  async #compactedOr(lowerBound: number): Promise<number> {
    try {
      return Math.max(await this.compactedRevision(), lowerBound);
    } catch {
      return lowerBound;
    }
  }
}

function unexpected(err: EtcdRejection): StoreUnavailableError {
  return new StoreUnavailableError(`unexpected etcd answer: ${err.reason}`, { cause: err });
}
