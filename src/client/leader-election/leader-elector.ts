/**
 * Leader election with client-go's semantics (tools/leaderelection): a candidate takes the lock
 * only when the record it observes has not changed for a whole lease duration, measured on its
 * OWN clock from when it observed it, so clock skew between nodes does not matter (skew in
 * clock RATE does). The leader renews every retry period; once no renew has succeeded within the
 * renew deadline it aborts the leading signal at once, even with a request still in flight, and
 * that happens before any other candidate can see the lease expire (see `LeaderElectionTimings`).
 * `assertLeading()` checks the deadline on the clock itself, so the leading work's requests
 * (through `RestClient.scoped`) stop even when the deadline timer is late. On a graceful stop it
 * waits for the work to wind down, then releases the lock (holder `''`, 1 s lease).
 *
 * Not guaranteed (as upstream): fencing. A write sent just before the deadline lands whenever
 * the network delivers it; the margin below covers a round trip of up to 1.5 s, not a longer one.
 *
 * Stricter than client-go: the renew deadline counts from when the last successful renew was
 * SENT (client-go counts from the start of the next renew round, a retry period later), so the
 * leader always stops at most `renewDeadlineMs` after a write others may observe.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import { sleep } from '../clock.ts';
import { isAborted } from '../errors.ts';
import { monotonicClock } from './monotonic-clock.ts';
import { sameRecord } from './resource-lock.ts';
import type { LeaderElectionRecord, ResourceLock } from './resource-lock.ts';
import { NotLeadingError } from './errors.ts';
import { LEADER_ELECTION_DEFAULTS, validateTimings } from './leader-election-timings.ts';
import type { LeaderElectionTimings } from './leader-election-timings.ts';
import type { LeaderCallbacks, LeaderElectorOptions } from './leader-elector-options.ts';

interface TryResult {
  readonly ok: boolean;
  /** When the successful write was sent (clock ms). */
  readonly sentAtMs: number;
}

export class LeaderElector {
  readonly #lock: ResourceLock;
  readonly #cb: LeaderCallbacks;
  readonly #t: LeaderElectionTimings;
  readonly #jitter: number;
  readonly #release: boolean;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: NonNullable<LeaderElectorOptions['log']>;
  #observed: LeaderElectionRecord | undefined;
  #observedTimeMs = 0;
  #reportedLeader = '';
  #running = false;
  /** The current term's controller, while leading. */
  #leading: AbortController | undefined;
  /** Clock time by which the next renew must succeed, while leading. */
  #leadingUntilMs = 0;

  constructor(options: LeaderElectorOptions) {
    this.#lock = options.lock;
    this.#cb = options.callbacks;
    this.#t = {
      leaseDurationMs: options.leaseDurationMs ?? LEADER_ELECTION_DEFAULTS.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? LEADER_ELECTION_DEFAULTS.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? LEADER_ELECTION_DEFAULTS.retryPeriodMs,
    };
    this.#jitter = options.jitterFactor ?? 1.2;
    this.#release = options.releaseOnCancel ?? true;
    this.#clock = options.clock ?? monotonicClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? ((): void => undefined);
    validateTimings(this.#t, this.#jitter);
  }

  get identity(): string {
    return this.#lock.identity;
  }

  /** The holder this candidate last observed (`''` if none yet). */
  get observedLeader(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  /** True while the last observed record names this candidate. */
  isLeader(): boolean {
    return this.#observed?.holderIdentity === this.#lock.identity;
  }

  /**
   * Throws `NotLeadingError` unless this candidate leads right now: its term started, has not
   * ended, and the renew deadline has not passed on the clock. A passed deadline ends the term
   * here and now, without waiting for the deadline timer (which a stalled event loop runs late,
   * and after I/O callbacks that could otherwise still send a write). Put it in front of every
   * request the leading work sends: `client.scoped({ signal, admit: () => e.assertLeading() })`.
   */
  assertLeading(): void {
    const leading = this.#leading;
    if (leading === undefined || leading.signal.aborted)
      throw new NotLeadingError(`not leading ${this.#lock.describe()}`);
    if (this.#clock.now() >= this.#leadingUntilMs) {
      this.#stopLeading(leading, 'failed to renew lease within the renew deadline; stopping');
      throw new NotLeadingError(`renew deadline of ${this.#lock.describe()} passed`);
    }
  }

  /**
   * Campaigns until it leads or `signal` aborts, then leads until the lease is lost or `signal`
   * aborts; one term only (call again, or build a new elector, to campaign again). Settles once
   * the leading work has settled.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('the leader elector is already running');
    this.#running = true;
    let stoppedReported = false;
    const reportStopped = (): void => {
      if (stoppedReported) return;
      stoppedReported = true;
      this.#cb.onStoppedLeading?.();
    };
    try {
      const acquired = await this.#acquire(signal);
      if (!acquired.ok) return;
      this.#log('info', 'successfully acquired lease', {
        lock: this.#lock.describe(),
        identity: this.identity,
      });
      const leading = new AbortController();
      this.#leading = leading;
      this.#leadingUntilMs = acquired.sentAtMs + this.#t.renewDeadlineMs;
      const work = (async (): Promise<void> => {
        await this.#cb.onStartedLeading(leading.signal);
      })().catch((err: unknown) => {
        this.#log('error', 'leading work failed', { error: errorText(err) });
      });
      await this.#renew(signal, leading);
      if (!leading.signal.aborted) leading.abort(new NotLeadingError('stopped leading'));
      reportStopped();
      if (signal.aborted && this.#release) {
        // Release only once the work has wound down (client-go's ReleaseOnCancel contract),
        // but never wait longer than a renew deadline for it: a term-scoped client sends
        // nothing after the abort anyway.
        // The bound's timer is cancelled as soon as the work settles: a pending timer would
        // keep the process alive for the rest of the renew deadline after a SIGTERM.
        const bound = new AbortController();
        await Promise.race([work, sleep(this.#clock, this.#t.renewDeadlineMs, bound.signal)]);
        bound.abort();
        await this.#releaseLock();
      }
      await work;
    } finally {
      this.#leading = undefined;
      reportStopped();
    }
  }

  #stopLeading(leading: AbortController, message: string): void {
    if (leading.signal.aborted) return;
    this.#log('warn', message, {
      lock: this.#lock.describe(),
      renewDeadlineMs: this.#t.renewDeadlineMs,
    });
    leading.abort(new NotLeadingError(message));
  }

  async #acquire(signal: AbortSignal): Promise<TryResult> {
    this.#log('info', 'attempting to acquire leader lease', { lock: this.#lock.describe() });
    while (!signal.aborted) {
      const r = await this.#withDeadline(signal, this.#t.renewDeadlineMs, (s) =>
        this.#tryAcquireOrRenew(s),
      );
      this.#maybeReportTransition();
      if (r.ok) return r;
      const wait = this.#t.retryPeriodMs * (1 + this.#jitter * this.#random());
      await sleep(this.#clock, wait, signal);
    }
    return { ok: false, sentAtMs: 0 };
  }

  /**
   * Renews every retry period until `signal` aborts or the renew deadline passes; a deadline
   * timer aborts `leading` the moment it passes, whatever request is still in flight.
   */
  async #renew(signal: AbortSignal, leading: AbortController): Promise<void> {
    let deadline: TimerHandle | undefined;
    const armDeadline = (): void => {
      deadline?.cancel();
      deadline = this.#clock.setTimer(() => {
        this.#stopLeading(leading, 'failed to renew lease within the renew deadline; stopping');
      }, this.#leadingUntilMs - this.#clock.now());
    };
    const stop = new AbortController();
    const onStop = (): void => {
      stop.abort();
    };
    signal.addEventListener('abort', onStop, { once: true });
    leading.signal.addEventListener('abort', onStop, { once: true });
    try {
      armDeadline();
      while (!stop.signal.aborted) {
        await sleep(this.#clock, this.#t.retryPeriodMs, stop.signal);
        if (isAborted(stop.signal)) break;
        if (this.#clock.now() >= this.#leadingUntilMs) {
          // The deadline timer is late (a stalled event loop): stop here, renew nothing.
          this.#stopLeading(leading, 'failed to renew lease within the renew deadline; stopping');
          break;
        }
        const r = await this.#tryAcquireOrRenew(stop.signal);
        this.#maybeReportTransition();
        if (isAborted(stop.signal)) break;
        if (r.ok) {
          this.#leadingUntilMs = r.sentAtMs + this.#t.renewDeadlineMs;
          armDeadline();
        } else if (this.#observed !== undefined && !this.isLeader()) {
          this.#stopLeading(
            leading,
            `lease taken by another candidate (${this.#observed.holderIdentity}); stopping`,
          );
        }
      }
    } finally {
      deadline?.cancel();
      signal.removeEventListener('abort', onStop);
      leading.signal.removeEventListener('abort', onStop);
    }
  }

  /**
   * client-go's tryAcquireOrRenew: a leader whose observed lease is still valid first updates
   * optimistically over the version it last wrote (one round trip); otherwise, or if that
   * fails, one get, then a create or an update at most.
   */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<TryResult> {
    const failed: TryResult = { ok: false, sentAtMs: 0 };
    const id = this.#lock.identity;
    const leaseDurationSeconds = Math.ceil(this.#t.leaseDurationMs / 1000);
    const mine = this.#observed;
    if (
      mine !== undefined &&
      mine.holderIdentity === id &&
      this.#observedTimeMs + mine.leaseDurationSeconds * 1000 > this.#clock.now()
    ) {
      const sentAtMs = this.#clock.now();
      const record: LeaderElectionRecord = { ...mine, leaseDurationSeconds, renewTimeMs: sentAtMs };
      try {
        await this.#lock.update(record, signal);
        this.#setObserved(record);
        return { ok: true, sentAtMs };
      } catch (err: unknown) {
        if (signal.aborted) return failed;
        this.#log('warn', 'failed to update lease optimistically; falling back to slow path', {
          error: errorText(err),
        });
      }
    }
    let old: LeaderElectionRecord | undefined;
    try {
      old = await this.#lock.get(signal);
    } catch (err: unknown) {
      if (!signal.aborted) this.#log('warn', 'error retrieving lease', { error: errorText(err) });
      return failed;
    }
    if (old === undefined) {
      const sentAtMs = this.#clock.now();
      const record: LeaderElectionRecord = {
        holderIdentity: id,
        leaseDurationSeconds,
        acquireTimeMs: sentAtMs,
        renewTimeMs: sentAtMs,
        leaseTransitions: 0,
      };
      try {
        await this.#lock.create(record, signal);
      } catch (err: unknown) {
        if (!signal.aborted) this.#log('warn', 'error creating lease', { error: errorText(err) });
        return failed;
      }
      this.#setObserved(record);
      return { ok: true, sentAtMs };
    }
    if (this.#observed === undefined || !sameRecord(old, this.#observed)) this.#setObserved(old);
    const heldByOther = old.holderIdentity !== '' && old.holderIdentity !== id;
    if (heldByOther && this.#observedTimeMs + old.leaseDurationSeconds * 1000 > this.#clock.now()) {
      return failed;
    }
    const sentAtMs = this.#clock.now();
    const isRenewal = old.holderIdentity === id;
    const record: LeaderElectionRecord = {
      holderIdentity: id,
      leaseDurationSeconds,
      acquireTimeMs: isRenewal ? old.acquireTimeMs : sentAtMs,
      renewTimeMs: sentAtMs,
      leaseTransitions: isRenewal ? old.leaseTransitions : old.leaseTransitions + 1,
    };
    try {
      await this.#lock.update(record, signal);
    } catch (err: unknown) {
      if (!signal.aborted) this.#log('warn', 'error updating lease', { error: errorText(err) });
      return failed;
    }
    this.#setObserved(record);
    return { ok: true, sentAtMs };
  }

  /** client-go's release: only the holder releases; keeps leaseTransitions. */
  async #releaseLock(): Promise<void> {
    if (!this.isLeader() || this.#observed === undefined) return;
    const now = this.#clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTimeMs: now,
      renewTimeMs: now,
      leaseTransitions: this.#observed.leaseTransitions,
    };
    const fresh = new AbortController();
    try {
      await this.#withDeadline(fresh.signal, this.#t.renewDeadlineMs, async (s) => {
        try {
          await this.#lock.update(record, s);
        } catch (err: unknown) {
          if (s.aborted) throw err;
          // A renew the server applied after this side gave up on it leaves the lock one
          // version behind: read it again, and release only if it is still ours.
          const current = await this.#lock.get(s);
          if (current?.holderIdentity !== this.#lock.identity) return;
          await this.#lock.update({ ...record, leaseTransitions: current.leaseTransitions }, s);
        }
      });
      this.#setObserved(record);
      this.#log('info', 'released lease', { lock: this.#lock.describe() });
    } catch (err: unknown) {
      this.#log('warn', 'failed to release lease', { error: errorText(err) });
    }
  }

  #setObserved(record: LeaderElectionRecord): void {
    this.#observed = record;
    this.#observedTimeMs = this.#clock.now();
  }

  #maybeReportTransition(): void {
    const holder = this.#observed?.holderIdentity ?? '';
    if (holder === '' || holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    try {
      this.#cb.onNewLeader?.(holder);
    } catch (err: unknown) {
      this.#log('error', 'onNewLeader failed', { error: errorText(err) });
    }
  }

  /** Runs `fn` with a signal that also aborts after `ms` on the injected clock. */
  async #withDeadline<T>(
    parent: AbortSignal,
    ms: number,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const ac = new AbortController();
    const onAbort = (): void => {
      ac.abort(parent.reason);
    };
    parent.addEventListener('abort', onAbort, { once: true });
    const timer = this.#clock.setTimer(() => {
      ac.abort(new Error(`timed out after ${String(ms)} ms`));
    }, ms);
    try {
      return await fn(ac.signal);
    } finally {
      timer.cancel();
      parent.removeEventListener('abort', onAbort);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
