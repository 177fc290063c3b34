/**
 * The three durations of leader election (client-go's LeaseDuration, RenewDeadline,
 * RetryPeriod), k8ts's defaults with the argument that they are safe, upstream's for
 * comparison, and client-go's validation of a combination.
 */
import { LeaderElectionConfigError } from './errors.ts';

/**
 * Safety argument for the defaults (4 s / 2.5 s / 0.4 s; upstream 15 s / 10 s / 2 s). Let S be
 * when the leader SENT its last successful renew, on its clock. Any other candidate observes
 * that record at some real time O ≥ S (the write cannot be read before it was sent), and takes
 * the lock no earlier than leaseDuration after O on ITS clock: a renew sent later moves O, and a
 * write based on an older record fails with a Conflict. The leader sends nothing of its term
 * after S + renewDeadline on its clock: the deadline timer aborts the term, and `assertLeading`
 * refuses any request the term's work sends after it even if that timer is late (a stalled
 * event loop), so a GC pause or a busy loop delays the stop but lets no request through. With
 * clock rates within ρ of each other (NTP keeps drift under 500 ppm; take ρ = 1e-3), and δ the
 * API round trip of a write (sent -> applied in etcd), no write of the old term lands after the
 * new leader starts if
 *   renewDeadline·(1+ρ) + δ < leaseDuration·(1−ρ),  i.e. here δ < 4·0.999 − 2.5·1.001 ≈ 1.49 s.
 * The mutating-call SLO is p99 ≤ 1 s, and one request's deadline is what the network gives it;
 * a longer δ (bytes held by a partition, delivered on heal) is the fencing gap upstream has too
 * (its margin: 15 − 10 − 2 = 3 s, since client-go counts the deadline from the round's start).
 * A clock that jumps is not a rate skew: the election runs on `monotonicClock`.
 * Liveness: renewDeadline / retryPeriod ≈ 6 tries (each bounded by the deadline), so a failed or
 * slow request does not cost the lease. Failover after a crash: a follower polls every
 * retryPeriod·(1 + jitter·U) ≤ 0.88 s, sees the last renew up to one poll late and the expiry up
 * to one poll late: ≤ leaseDuration + 2 × 0.88 ≈ 5.8 s after the last renew (upstream ≈ 23.8 s).
 * After a graceful release the next poll takes the lock: ≤ 0.88 s (upstream ≤ 4.4 s).
 */
export interface LeaderElectionTimings {
  /**
   * How long a candidate waits, after it last saw the record change, before taking the lock;
   * written to the Lease as whole seconds (rounded up). Default 4,000 ms (upstream 15 s,
   * `--leader-elect-lease-duration`).
   */
  readonly leaseDurationMs: number;
  /**
   * How long the leader keeps acting without a successful renew (counted from when it sent the
   * last one) before it aborts the leading signal. Must be < leaseDurationMs. Default 2,500 ms
   * (upstream 10 s, `--leader-elect-renew-deadline`).
   */
  readonly renewDeadlineMs: number;
  /**
   * Pause between tries, both to acquire and to renew. Default 400 ms (upstream 2 s,
   * `--leader-elect-retry-period`).
   */
  readonly retryPeriodMs: number;
}

export const LEADER_ELECTION_DEFAULTS: LeaderElectionTimings = {
  leaseDurationMs: 4_000,
  renewDeadlineMs: 2_500,
  retryPeriodMs: 400,
};

/** kube-controller-manager's and kube-scheduler's defaults, for comparison. */
export const UPSTREAM_LEADER_ELECTION_TIMINGS: LeaderElectionTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** client-go's NewLeaderElector checks. */
export function validateTimings(t: LeaderElectionTimings, jitterFactor: number): void {
  if (t.leaseDurationMs <= t.renewDeadlineMs)
    throw new LeaderElectionConfigError('leaseDuration must be greater than renewDeadline');
  if (t.renewDeadlineMs <= jitterFactor * t.retryPeriodMs)
    throw new LeaderElectionConfigError(
      'renewDeadline must be greater than retryPeriod*JitterFactor',
    );
  if (t.retryPeriodMs < 1) throw new LeaderElectionConfigError('retryPeriod must be positive');
}
