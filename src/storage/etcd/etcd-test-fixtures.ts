/**
 * Helpers for the etcd fault tests: a background writer of sequential creates that records
 * what was attempted and what was acknowledged, a background watch that records what it
 * received and when, and bounded waits and retries. Every loop here stops at a count and a
 * time limit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from '../errors.ts';
import type { Store, WatchEvent } from '../store.ts';

export interface WriterOptions {
  /** Stop after this many creates. Default: 5,000. */
  readonly maxWrites?: number;
  /** Stop after this long. Default: 30,000 ms. */
  readonly maxMs?: number;
}

/** Creates `<prefix>k000000`, `<prefix>k000001`, ... one at a time until stopped. */
export class Writer {
  /** Key -> value of every create the store acknowledged. */
  readonly acked = new Map<string, string>();
  /** Every key a create was sent for (acknowledged or not). */
  readonly attempted = new Set<string>();
  /** Failures other than StoreUnavailableError (there should be none). */
  readonly unexpected: unknown[] = [];
  unavailable = 0;
  lastAckAt = 0;
  readonly #store: Store;
  readonly #prefix: string;
  readonly #maxWrites: number;
  readonly #maxMs: number;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(store: Store, prefix: string, options: WriterOptions = {}) {
    this.#store = store;
    this.#prefix = prefix;
    this.#maxWrites = options.maxWrites ?? 5_000;
    this.#maxMs = options.maxMs ?? 30_000;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops writing and resolves once the last create settled. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const deadline = Date.now() + this.#maxMs;
    for (let i = 0; i < this.#maxWrites && Date.now() < deadline; i++) {
      if (this.#stop.signal.aborted) return;
      const key = `${this.#prefix}k${String(i).padStart(6, '0')}`;
      const value = `value-${String(i)}`;
      this.attempted.add(key);
      try {
        await this.#store.create(key, Buffer.from(value));
        this.acked.set(key, value);
        this.lastAckAt = Date.now();
      } catch (err: unknown) {
        if (err instanceof StoreUnavailableError) this.unavailable++;
        else this.unexpected.push(err);
        await sleep(20);
      }
    }
  }
}

/** A change event as a WatchRecorder received it. */
export interface ReceivedEvent {
  readonly type: Exclude<WatchEvent['type'], 'PROGRESS'>;
  readonly key: string;
  readonly modRevision: number;
  /** Date.now() when the watch yielded it. */
  readonly receivedAt: number;
}

/** Watches `prefix` from `sinceRevision` in the background until stopped or failed. */
export class WatchRecorder {
  /** Every change event (PROGRESS left out), in the order received. */
  readonly events: ReceivedEvent[] = [];
  /** What the watch threw, if it ended with an error. */
  error: unknown;
  readonly #stop = new AbortController();
  readonly #running: Promise<void>;

  constructor(store: Store, prefix: string, sinceRevision: number) {
    this.#running = this.#run(store, prefix, sinceRevision).catch((err: unknown) => {
      this.error = err;
    });
  }

  get hasFailed(): boolean {
    return this.error !== undefined;
  }

  /** The first event received for `key`, if any. */
  find(key: string): ReceivedEvent | undefined {
    return this.events.find((e) => e.key === key);
  }

  /** Stops the watch and resolves once it ended. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(store: Store, prefix: string, sinceRevision: number): Promise<void> {
    for await (const e of store.watch(prefix, { signal: this.#stop.signal, sinceRevision })) {
      if (e.type === 'PROGRESS') continue;
      this.events.push({
        type: e.type,
        key: e.kv.key,
        modRevision: e.kv.modRevision,
        receivedAt: Date.now(),
      });
    }
  }
}

/** Polls `condition` every 20 ms; throws once `timeoutMs` passed without it holding. */
export async function waitUntil(
  what: string,
  condition: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 20) + 1; i++) {
    if (condition()) return;
    if (Date.now() >= deadline) break;
    await sleep(20);
  }
  if (!condition()) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
}

/** Calls `fn` until it succeeds, at most `attempts` times, `delayMs` apart. */
export async function retry<T>(
  what: string,
  fn: () => Promise<T>,
  attempts: number,
  delayMs: number,
): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err: unknown) {
      lastError = err;
      await sleep(delayMs);
    }
  }
  throw new Error(`${what} failed ${String(attempts)} times`, { cause: lastError });
}
