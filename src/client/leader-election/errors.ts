/** The leader election errors, each with a stable `code`. */

/** Thrown by `assertLeading` (and so by a leader's scoped client) once leading stopped. */
export class NotLeadingError extends Error {
  readonly code = 'K8TS_NOT_LEADING';
  constructor(message: string) {
    super(message);
    this.name = 'NotLeadingError';
  }
}

export class LeaderElectionConfigError extends Error {
  readonly code = 'K8TS_LEADER_ELECTION_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'LeaderElectionConfigError';
  }
}
