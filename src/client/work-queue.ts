/**
 * client-go's work queue (util/workqueue/queue.go) for async workers. It promises:
 * - Fair: items are processed in the order they were added.
 * - Stingy: an item added many times before it is processed is processed once, and an item is
 *   never processed by two workers at once. An item added while it is processing is processed
 *   again after `done`.
 *
 *   add(x) ──► dirty ∪ queue ──get()──► processing ──done(x)──► (back to queue if dirty again)
 *
 * `dirty` holds everything waiting to be processed, `queue` orders the dirty items that are not
 * processing, and `processing` what a worker holds. After `shutDown` new items are ignored,
 * queued items are still handed out, then `get` answers `shutdown: true`.
 * Node runs one callback at a time, so no method is ever seen half done.
 */

export type GetResult<T> =
  { readonly shutdown: false; readonly item: T } | { readonly shutdown: true };

export class WorkQueue<T> {
  #queue: T[] = [];
  #head = 0;
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  #waiters: ((r: GetResult<T>) => void)[] = [];
  #shuttingDown = false;
  #drain = false;
  #drained: (() => void)[] = [];

  /** Marks `item` as needing processing (ignored after shutdown). */
  add(item: T): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    this.#push(item);
  }

  /** Items waiting (not processing); for information only. */
  len(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * The next item, waiting until there is one. Call `done(item)` when finished with it.
   * `shutdown: true` once the queue is shut down and empty: the worker should return.
   */
  get(): Promise<GetResult<T>> {
    const item = this.#pop();
    if (item !== undefined) return Promise.resolve({ shutdown: false, item: item.value });
    if (this.#shuttingDown) return Promise.resolve({ shutdown: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends processing of `item`; re-queues it if it was added meanwhile. */
  done(item: T): void {
    this.#processing.delete(item);
    if (this.#dirty.has(item)) this.#push(item);
    else if (this.#processing.size === 0) this.#checkDrained();
  }

  /** Ignores new items; workers get what is queued, then `shutdown: true`. */
  shutDown(): void {
    this.#drain = false;
    this.#shuttingDown = true;
    this.#wakeForShutdown();
    this.#checkDrained();
  }

  /** As `shutDown`, and resolves once every item being processed is done (or `shutDown` is called). */
  shutDownWithDrain(): Promise<void> {
    this.#drain = true;
    this.#shuttingDown = true;
    this.#wakeForShutdown();
    const drained = new Promise<void>((resolve) => this.#drained.push(resolve));
    this.#checkDrained();
    return drained;
  }

  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  #push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#dirty.delete(item);
      this.#processing.add(item);
      waiter({ shutdown: false, item });
      return;
    }
    this.#queue.push(item);
  }

  #pop(): { value: T } | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const value = this.#queue[this.#head] as T;
    this.#head++;
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#processing.add(value);
    this.#dirty.delete(value);
    return { value };
  }

  #wakeForShutdown(): void {
    // Waiters exist only while the queue is empty, so every one of them is told to stop.
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w({ shutdown: true });
  }

  #checkDrained(): void {
    if (this.#drained.length === 0) return;
    if (this.#drain && this.#processing.size > 0) return;
    const drained = this.#drained;
    this.#drained = [];
    for (const d of drained) d();
  }
}
