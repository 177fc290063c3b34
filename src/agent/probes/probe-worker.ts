/**
 * The periodic probing of one container instance for one probe kind (kubelet's prober worker,
 * v1.33): a try at once and then every `periodSeconds` on the injected clock, skipped until
 * `initialDelaySeconds` have passed since the container started; liveness and readiness are
 * skipped until the container started (its startup probe passed), and a startup probe stops
 * trying once it passed. A try that cannot run (`unknown`) is retried up to 3 times and then
 * thrown away. A result becomes the worker's only after `successThreshold` (readiness) or
 * `failureThreshold` tries in a row; every failed try is an `Unhealthy` event, a warning a
 * `ProbeWarning` one. A liveness or startup failure puts the worker on hold: that instance is
 * about to be killed, so it is not probed again. `stop()` cancels the timer; a try in flight is
 * then ignored.
 */
import type { Probe } from 'kubernetes-types/core/v1.d.ts';
import type { Clock, TimerHandle } from '../../client/index.ts';
import type { ProbeRunner, ProbeTarget } from './prober.ts';
import { probeUnknown } from './probe-result.ts';
import type { ProbeResult } from './probe-result.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** A probe's verdict: `undefined` until its first result (upstream's initial values differ). */
export type ProbeVerdict = 'success' | 'failure';

/** upstream's probeType.String(), the first word of its event messages. */
export const PROBE_TITLES: Readonly<Record<ProbeKind, string>> = {
  liveness: 'Liveness',
  readiness: 'Readiness',
  startup: 'Startup',
};

/** upstream's maxProbeRetries: tries of a probe that could not run. */
const MAX_PROBE_RETRIES = 3;

export interface ProbeWorkerOptions {
  readonly kind: ProbeKind;
  readonly probe: Probe;
  readonly target: ProbeTarget;
  readonly runner: ProbeRunner;
  readonly clock: Clock;
  /** When the container started (ms since the epoch): initialDelaySeconds counts from here. */
  readonly containerStartedAtMs: number;
  /** The container passed its startup probe or has none (gates liveness and readiness). */
  readonly isStarted: () => boolean;
  /** The verdict changed. */
  readonly onVerdict: (verdict: ProbeVerdict) => void;
  readonly onEvent: (reason: 'Unhealthy' | 'ProbeWarning', message: string) => void;
}

/** upstream's defaults (the API server sets them; 0 means the default here too). */
function seconds(value: number | undefined, fallback: number): number {
  return value === undefined || value <= 0 ? fallback : value;
}

export class ProbeWorker {
  readonly #o: ProbeWorkerOptions;
  readonly #periodMs: number;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #running = false;
  #triggered = false;
  #onHold = false;
  #lastResult: ProbeVerdict | undefined;
  #resultRun = 0;
  #verdict: ProbeVerdict | undefined;

  constructor(options: ProbeWorkerOptions) {
    this.#o = options;
    this.#periodMs = seconds(options.probe.periodSeconds, 10) * 1000;
  }

  get kind(): ProbeKind {
    return this.#o.kind;
  }

  /** The last verdict, `undefined` before the first. */
  get verdict(): ProbeVerdict | undefined {
    return this.#verdict;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Probes now, then every period. */
  start(): void {
    this.#schedule(0);
  }

  /** Probes now (as upstream's manualTriggerCh), unless a try is in flight. */
  trigger(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#triggered = true;
      return;
    }
    this.#timer?.cancel();
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimer(() => {
      this.#timer = undefined;
      void this.#tick();
    }, delayMs);
  }

  async #try(): Promise<ProbeResult> {
    try {
      return await this.#o.runner.run(
        this.#o.probe,
        this.#o.target,
        seconds(this.#o.probe.timeoutSeconds, 1),
      );
    } catch (err: unknown) {
      return probeUnknown(err instanceof Error ? err.message : String(err));
    }
  }

  async #tick(): Promise<void> {
    const startedAt = this.#o.clock.now();
    this.#running = true;
    try {
      await this.#doProbe();
    } finally {
      this.#running = false;
    }
    if (this.#stopped) return;
    if (this.#triggered) {
      this.#triggered = false;
      this.#schedule(0);
      return;
    }
    // A ticker: the next try a period after this one began (at once if the try took longer).
    this.#schedule(Math.max(0, startedAt + this.#periodMs - this.#o.clock.now()));
  }

  async #doProbe(): Promise<void> {
    const o = this.#o;
    if (this.#onHold) return;
    // upstream compares whole seconds since the container started.
    const sinceStartS = Math.floor((o.clock.now() - o.containerStartedAtMs) / 1000);
    if (sinceStartS < (o.probe.initialDelaySeconds ?? 0)) return;
    if (o.kind === 'startup' ? this.#verdict === 'success' : !o.isStarted()) return;
    let r: ProbeResult | undefined;
    for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
      r = await this.#try();
      if (this.#stopped) return;
      if (r.result !== 'unknown') break;
    }
    if (r === undefined) return;
    const title = PROBE_TITLES[o.kind];
    let result: ProbeVerdict;
    switch (r.result) {
      case 'unknown':
        // upstream: an errored probe leaves the state as it was.
        o.onEvent(
          'Unhealthy',
          `${title} probe errored and resulted in unknown state: ${r.error ?? ''}`,
        );
        return;
      case 'warning':
        o.onEvent('ProbeWarning', `${title} probe warning: ${r.output}`);
        result = 'success';
        break;
      case 'failure':
        o.onEvent('Unhealthy', `${title} probe failed: ${r.output}`);
        result = 'failure';
        break;
      case 'success':
        result = 'success';
        break;
    }
    if (this.#lastResult === result) this.#resultRun++;
    else {
      this.#lastResult = result;
      this.#resultRun = 1;
    }
    // successThreshold is 1 for liveness and startup (validation), so this is readiness's.
    const threshold =
      result === 'failure'
        ? seconds(o.probe.failureThreshold, 3)
        : seconds(o.probe.successThreshold, 1);
    if (this.#resultRun < threshold) return;
    if (this.#verdict !== result) {
      this.#verdict = result;
      o.onVerdict(result);
    }
    if (result === 'failure' && o.kind !== 'readiness') {
      this.#onHold = true;
      this.#resultRun = 0;
    }
  }
}
