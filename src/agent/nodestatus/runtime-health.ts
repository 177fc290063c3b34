/**
 * The container runtime's health as the node's Ready condition needs it (kubelet's
 * runtimeState): the last CRI `Status` answer, `unknown` before the first one, and `down` once
 * the runtime has not answered for `downAfterMs` (kubelet: 30 s, its baseRuntimeSyncThreshold).
 * The runtime version is read once and again whenever it was missing.
 */
import { realClock } from '../../client/index.ts';
import type { Clock } from '../../client/index.ts';
import type { RuntimeCondition, VersionResponse } from '../cri/cri-types.ts';
import type { RuntimeService } from '../cri/runtime-service.ts';
import type { RuntimeHealth } from './node-status.ts';

export class RuntimeHealthTracker {
  readonly #runtime: RuntimeService;
  readonly #clock: Clock;
  readonly #downAfterMs: number;
  readonly #startedAt: number;
  #conditions: readonly RuntimeCondition[] | undefined;
  #answeredAt = 0;
  #version: VersionResponse | undefined;

  constructor(runtime: RuntimeService, options: { clock?: Clock; downAfterMs?: number } = {}) {
    this.#runtime = runtime;
    this.#clock = options.clock ?? realClock;
    this.#downAfterMs = options.downAfterMs ?? 30_000;
    this.#startedAt = this.#clock.now();
  }

  get version(): VersionResponse | undefined {
    return this.#version;
  }

  /** Asks the runtime now (2 s deadline) and answers the health to report. */
  async check(signal?: AbortSignal): Promise<RuntimeHealth> {
    try {
      this.#version ??= await this.#runtime.version({ signal, timeoutMs: 2_000 });
      const status = await this.#runtime.status({ signal, timeoutMs: 2_000 });
      this.#conditions = status.conditions;
      this.#answeredAt = this.#clock.now();
    } catch {
      // reported below through the time since the last answer
    }
    return this.health();
  }

  health(): RuntimeHealth {
    const now = this.#clock.now();
    if (this.#conditions !== undefined && now - this.#answeredAt <= this.#downAfterMs)
      return { kind: 'answered', conditions: this.#conditions };
    if (this.#conditions === undefined && now - this.#startedAt <= this.#downAfterMs)
      return { kind: 'unknown' };
    return { kind: 'down' };
  }
}
