/**
 * The seam between the leader elector and whatever stores the election record (client-go's
 * tools/leaderelection/resourcelock/interface.go). A lock reads and writes one record with
 * optimistic concurrency: `update` writes over the version `get` (or `create`) last saw and
 * fails if anyone wrote in between, so two candidates can never both win one round.
 */

/** What the elector writes into the lock (client-go's LeaderElectionRecord). Times are ms. */
export interface LeaderElectionRecord {
  /** `<node>_<uuid>` of the holder; `''` when released. */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** Local clock of the writer, epoch ms; informational only (never compared across nodes). */
  readonly acquireTimeMs: number;
  /** Local clock of the writer, epoch ms; informational only (never compared across nodes). */
  readonly renewTimeMs: number;
  readonly leaseTransitions: number;
}

export interface ResourceLock {
  /** This candidate's identity (`<node>_<uuid>`). */
  readonly identity: string;
  /** `kube-system/kube-controller-manager`, for logs. */
  describe(): string;
  /** The current record, or `undefined` if the lock object does not exist. */
  get(signal: AbortSignal): Promise<LeaderElectionRecord | undefined>;
  /** Creates the lock object; rejects if it exists already. */
  create(record: LeaderElectionRecord, signal: AbortSignal): Promise<void>;
  /** Writes over the version last seen; rejects on a conflict (someone else wrote). */
  update(record: LeaderElectionRecord, signal: AbortSignal): Promise<void>;
}

/** True when two records carry the same content (client-go compares the raw bytes). */
export function sameRecord(a: LeaderElectionRecord, b: LeaderElectionRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTimeMs === b.acquireTimeMs &&
    a.renewTimeMs === b.renewTimeMs &&
    a.leaseTransitions === b.leaseTransitions
  );
}
