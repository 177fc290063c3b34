/** What a `LeaderElector` is built with: its lock, callbacks and options, each with its default. */
import type { Clock } from '../clock.ts';
import type { LeaderElectionTimings } from './leader-election-timings.ts';
import type { ResourceLock } from './resource-lock.ts';

export interface LeaderCallbacks {
  /**
   * Called when this candidate starts leading; do the work until `signal` aborts (the lease was
   * lost, could not be renewed in time, or the elector was stopped). A returned promise is
   * awaited before `run` settles.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once when the elector exits, right after leading stopped, even if it never led. */
  onStoppedLeading?(): void;
  /** Called when the observed holder changes (including to this candidate). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectorOptions extends Partial<LeaderElectionTimings> {
  readonly lock: ResourceLock;
  readonly callbacks: LeaderCallbacks;
  /** Acquire retries wait retryPeriod·(1 + jitterFactor·random). Default 1.2 (client-go's). */
  readonly jitterFactor?: number | undefined;
  /**
   * On a graceful stop (the run signal aborts) while leading, write holder `''` and a 1 s lease
   * so the next candidate takes over at once (client-go's ReleaseOnCancel). Default true.
   */
  readonly releaseOnCancel?: boolean | undefined;
  /** Default `monotonicClock` (never jumps with the wall clock). */
  readonly clock?: Clock | undefined;
  /** Default Math.random; tests pass `() => 0`. */
  readonly random?: (() => number) | undefined;
  /** Default: silent. */
  readonly log?:
    | ((
        level: 'info' | 'warn' | 'error',
        message: string,
        fields?: Record<string, unknown>,
      ) => void)
    | undefined;
}
