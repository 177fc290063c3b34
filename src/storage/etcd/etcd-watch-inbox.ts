/**
 * The queue between a watch's gRPC stream (producer) and its async iterator (consumer), with
 * flow control: past HIGH_WATER_EVENTS undelivered events the stream is paused (until the queue
 * drains to LOW_WATER_EVENTS), so a slow consumer makes etcd hold events back instead of this
 * process buffering without bound.
 */
import type { StoreError } from '../errors.ts';
import type { WatchEvent } from '../store.ts';
import type { Pausable } from './etcd-watch-session.ts';

export type InboxItem =
  /** The events of one etcd response, in revision order. */
  | { readonly type: 'events'; readonly events: readonly ChangeEvent[] }
  /** Every event at or below `revision` was pushed before this item. */
  | { readonly type: 'progress'; readonly revision: number }
  | { readonly type: 'error'; readonly error: StoreError };

/** A watch event that is not PROGRESS. */
export type ChangeEvent = Exclude<WatchEvent, { type: 'PROGRESS' }>;

const HIGH_WATER_EVENTS = 5_000;
const LOW_WATER_EVENTS = 500;

export class WatchInbox {
  readonly #items: InboxItem[] = [];
  #head = 0;
  /** Undelivered events (an item without events counts as one). */
  #pendingEvents = 0;
  #wake: (() => void) | undefined;
  #paused: Partial<Pausable> | undefined;

  get size(): number {
    return this.#items.length - this.#head;
  }

  get pendingEvents(): number {
    return this.#pendingEvents;
  }

  /** Queues an item; pauses `source` (the stream it came from) when the queue is too long. */
  push(item: InboxItem, source: Partial<Pausable> | undefined): void {
    this.#items.push(item);
    this.#pendingEvents += weight(item);
    if (
      this.#pendingEvents > HIGH_WATER_EVENTS &&
      source?.pause !== undefined &&
      this.#paused !== source
    ) {
      source.pause();
      this.#paused = source; // a stream paused earlier belongs to an ended session
    }
    this.interrupt();
  }

  take(): InboxItem | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#head++;
    if (item !== undefined) this.#pendingEvents -= weight(item);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#paused !== undefined && this.#pendingEvents < LOW_WATER_EVENTS) {
      this.#paused.resume?.();
      this.#paused = undefined;
    }
    return item;
  }

  /**
   * Waits for a push or an interrupt; 'timeout' when `timeoutMs` (> 0) passed first. With
   * timeoutMs 0 it waits without a timer.
   */
  wait(timeoutMs: number): Promise<'woken' | 'timeout'> {
    if (this.size > 0) return Promise.resolve('woken');
    return new Promise((resolve) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#wake = undefined;
              resolve('timeout');
            }, timeoutMs)
          : undefined;
      this.#wake = () => {
        clearTimeout(timer);
        resolve('woken');
      };
    });
  }

  /** Wakes a waiting consumer (new item, abort, or close). */
  interrupt(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function weight(item: InboxItem): number {
  return item.type === 'events' ? Math.max(1, item.events.length) : 1;
}
