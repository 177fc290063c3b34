/**
 * A Store that times every call into `apiserver_storage_request_duration_seconds` (operation,
 * outcome) and otherwise passes everything through unchanged, errors included. Watches are
 * counted once when they open, not per event.
 */
import type { Histogram } from 'prom-client';
import type {
  CreateOptions,
  DeleteOptions,
  DeleteResult,
  GetOptions,
  GetResult,
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  UpdateOptions,
  WatchEvent,
  WatchOptions,
} from '../storage/store.ts';

type Labels = 'operation' | 'outcome';

export class InstrumentedStore implements Store {
  readonly #inner: Store;
  readonly #latency: Histogram<Labels>;

  constructor(inner: Store, latency: Histogram<Labels>) {
    this.#inner = inner;
    this.#latency = latency;
  }

  get backend(): string {
    return this.#inner.backend;
  }

  async #timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = 'success';
    try {
      return await call();
    } catch (err: unknown) {
      outcome =
        typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'error';
      throw err;
    } finally {
      this.#latency.observe({ operation, outcome }, (performance.now() - started) / 1000);
    }
  }

  get(key: string, options?: GetOptions): Promise<GetResult> {
    return this.#timed('get', () => this.#inner.get(key, options));
  }
  list(prefix: string, options?: ListOptions): Promise<ListResult> {
    return this.#timed('list', () => this.#inner.list(prefix, options));
  }
  count(prefix: string): Promise<number> {
    return this.#timed('count', () => this.#inner.count(prefix));
  }
  create(key: string, value: Uint8Array, options?: CreateOptions): Promise<KeyValue> {
    return this.#timed('create', () => this.#inner.create(key, value, options));
  }
  update(
    key: string,
    value: Uint8Array,
    expectedModRevision: number,
    options?: UpdateOptions,
  ): Promise<KeyValue> {
    return this.#timed('update', () =>
      this.#inner.update(key, value, expectedModRevision, options),
    );
  }
  delete(key: string, options?: DeleteOptions): Promise<DeleteResult> {
    return this.#timed('delete', () => this.#inner.delete(key, options));
  }
  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    this.#latency.observe({ operation: 'watch', outcome: 'opened' }, 0);
    return this.#inner.watch(prefix, options);
  }
  compact(revision: number): Promise<void> {
    return this.#timed('compact', () => this.#inner.compact(revision));
  }
  currentRevision(): Promise<number> {
    return this.#timed('current_revision', () => this.#inner.currentRevision());
  }
  compactedRevision(): Promise<number> {
    return this.#timed('compacted_revision', () => this.#inner.compactedRevision());
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}
