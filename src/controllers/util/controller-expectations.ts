/**
 * Upstream's UIDTrackingControllerExpectations (pkg/controller/controller_utils.go): what a
 * controller's last sync asked for (N creates, deletes of these pod keys) and has not yet seen
 * in its informer. While expectations are pending the controller does not act again on a cache
 * that cannot yet show its own writes, so one sync never over-creates or double-deletes.
 * Guarantee: expectations expire after `timeoutMs` (upstream's 5 minutes), so a lost watch event
 * delays a controller but never wedges it. Deletes are tracked by pod key: only a delete of a
 * pod the controller asked to delete counts.
 */
import type { Clock } from '../../client/index.ts';

/** Upstream's ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  timestampMs: number;
  /** Pod keys whose deletes are awaited. */
  readonly deleteKeys: Set<string>;
}

export class ControllerExpectations {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #byController = new Map<string, Expectation>();

  /** `timeoutMs` default: EXPECTATIONS_TIMEOUT_MS (5 min). */
  constructor(clock: Clock, timeoutMs = EXPECTATIONS_TIMEOUT_MS) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** True when the controller may sync: nothing pending, the last expectation met, or expired. */
  satisfied(controllerKey: string): boolean {
    const e = this.#byController.get(controllerKey);
    if (e === undefined) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.#clock.now() - e.timestampMs > this.#timeoutMs;
  }

  expectCreations(controllerKey: string, count: number): void {
    this.#set(controllerKey, count, []);
  }

  expectDeletions(controllerKey: string, podKeys: readonly string[]): void {
    this.#set(controllerKey, 0, podKeys);
  }

  creationObserved(controllerKey: string): void {
    const e = this.#byController.get(controllerKey);
    if (e !== undefined) e.add--;
  }

  deletionObserved(controllerKey: string, podKey: string): void {
    const e = this.#byController.get(controllerKey);
    if (e?.deleteKeys.delete(podKey) === true) e.del--;
  }

  delete(controllerKey: string): void {
    this.#byController.delete(controllerKey);
  }

  /** Pending (add, del) for tests and logs. */
  pending(controllerKey: string): { add: number; del: number } | undefined {
    const e = this.#byController.get(controllerKey);
    return e === undefined ? undefined : { add: e.add, del: e.del };
  }

  #set(controllerKey: string, add: number, deleteKeys: readonly string[]): void {
    this.#byController.set(controllerKey, {
      add,
      del: deleteKeys.length,
      timestampMs: this.#clock.now(),
      deleteKeys: new Set(deleteKeys),
    });
  }
}
