/**
 * Watch fan-out for backends that commit in this process (memory, sqlite): a backend publishes
 * each committed event once, in revision order, and every watcher of a matching prefix gets it.
 * A watch first replays history after its start revision, then switches to live events without
 * a gap or a duplicate (it subscribes before reading history and drops live events the replay
 * already covered). A watcher that falls more than `maxBufferedEvents` behind is ended with
 * StoreUnavailableError; it resumes from its last revision like after any other error.
 */
import { StoreClosedError, StoreGoneError, StoreUnavailableError } from './errors.ts';
import type { StoreError } from './errors.ts';
import type { WatchEvent, WatchOptions } from './store.ts';

/** What the backend provides: history and the revision bounds. */
export interface WatchHistory {
  /** Events with revision > `sinceRevision` under `prefix`, in order, up to the current one. */
  eventsSince(prefix: string, sinceRevision: number): Promise<readonly WatchEvent[]>;
  /** The newest committed and published revision. */
  currentRevision(): number;
  /** The compacted revision (0 when never compacted). */
  compactedRevision(): number;
}

type Item = WatchEvent | { readonly type: 'ERROR'; readonly error: StoreError };

interface Subscriber {
  readonly prefix: string;
  readonly queue: Item[];
  wake: (() => void) | undefined;
}

export interface WatchHubOptions {
  /** A watcher with more undelivered events than this is ended. Default: 100,000. */
  readonly maxBufferedEvents?: number;
}

export class WatchHub {
  readonly #history: WatchHistory;
  readonly #maxBuffered: number;
  readonly #subscribers = new Set<Subscriber>();
  #closed = false;

  constructor(history: WatchHistory, options: WatchHubOptions = {}) {
    this.#history = history;
    this.#maxBuffered = options.maxBufferedEvents ?? 100_000;
  }

  /** Hands committed events (in revision order) to every matching watcher. */
  publish(events: readonly WatchEvent[]): void {
    for (const sub of this.#subscribers) {
      let added = false;
      for (const e of events) {
        if (e.type === 'PROGRESS' || !e.kv.key.startsWith(sub.prefix)) continue;
        sub.queue.push(e);
        added = true;
      }
      if (!added) continue;
      if (sub.queue.length > this.#maxBuffered) {
        sub.queue.length = 0;
        sub.queue.push({
          type: 'ERROR',
          error: new StoreUnavailableError(
            'watcher fell too far behind; resume from its last revision',
          ),
        });
      }
      this.#wake(sub);
    }
  }

  /** Ends every watcher with StoreClosedError. */
  close(): void {
    this.#closed = true;
    for (const sub of this.#subscribers) {
      sub.queue.push({ type: 'ERROR', error: new StoreClosedError() });
      this.#wake(sub);
    }
  }

  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    return { [Symbol.asyncIterator]: () => this.#run(prefix, options) };
  }

  async *#run(prefix: string, options: WatchOptions): AsyncGenerator<WatchEvent> {
    const { signal } = options;
    // A function, not the property: the signal flips between awaits, which narrowing ignores.
    const aborted = (): boolean => signal.aborted;
    if (this.#closed) throw new StoreClosedError();
    if (aborted()) return;
    const sub: Subscriber = { prefix, queue: [], wake: undefined };
    this.#subscribers.add(sub);
    const onAbort = (): void => {
      this.#wake(sub);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const since = options.sinceRevision ?? this.#history.currentRevision();
      const compacted = this.#history.compactedRevision();
      if (since + 1 < compacted) throw new StoreGoneError(since, compacted);
      let delivered = since;
      for (const e of await this.#history.eventsSince(prefix, since)) {
        if (aborted()) return;
        if (e.type !== 'PROGRESS') delivered = e.kv.modRevision;
        yield e;
      }
      const intervalMs = options.progressIntervalMs ?? 0;
      for (;;) {
        if (aborted()) return;
        const item = sub.queue.shift();
        if (item === undefined) {
          const timedOut = await this.#sleep(sub, intervalMs);
          if (timedOut && !aborted() && sub.queue.length === 0) {
            // Everything published so far has been queued to us and the queue is empty, so
            // every event up to the hub's current revision under our prefix was delivered.
            const revision = Math.max(delivered, this.#history.currentRevision());
            yield { type: 'PROGRESS', revision };
          }
          continue;
        }
        if (item.type === 'ERROR') throw item.error;
        if (item.type === 'PROGRESS') continue;
        if (item.kv.modRevision <= delivered) continue; // already replayed from history
        delivered = item.kv.modRevision;
        yield item;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#subscribers.delete(sub);
    }
  }

  /** Waits for an item or an abort; resolves true when `intervalMs` (> 0) passed first. */
  #sleep(sub: Subscriber, intervalMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer =
        intervalMs > 0
          ? setTimeout(() => {
              sub.wake = undefined;
              resolve(true);
            }, intervalMs)
          : undefined;
      sub.wake = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(false);
      };
    });
  }

  #wake(sub: Subscriber): void {
    const wake = sub.wake;
    sub.wake = undefined;
    wake?.();
  }
}
