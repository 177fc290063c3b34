/**
 * Leader election on a Lease with client-go's semantics: `LeaderElector` campaigns, renews and
 * releases through a `ResourceLock` (`LeaseLock` for coordination.k8s.io/v1 Leases); a leader's
 * work sends its requests through `client.scoped({ signal, admit: () => e.assertLeading() })`.
 */
export { LeaderElector } from './leader-elector.ts';
export type { LeaderCallbacks, LeaderElectorOptions } from './leader-elector-options.ts';
export {
  LEADER_ELECTION_DEFAULTS,
  UPSTREAM_LEADER_ELECTION_TIMINGS,
} from './leader-election-timings.ts';
export type { LeaderElectionTimings } from './leader-election-timings.ts';
export { LeaderElectionConfigError, NotLeadingError } from './errors.ts';
export { LeaseLock, formatMicroTime, leaseSpecFromRecord, recordFromLease } from './lease-lock.ts';
export type { LeaseLockOptions } from './lease-lock.ts';
export { sameRecord } from './resource-lock.ts';
export type { LeaderElectionRecord, ResourceLock } from './resource-lock.ts';
export { FakeLock, FakeLockStore } from './fake-lock.ts';
export { monotonicClock } from './monotonic-clock.ts';
export { newIdentity } from './identity.ts';
