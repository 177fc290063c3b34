/**
 * A shared informer (client-go's tools/cache/shared_informer.go): one reflector fills one
 * indexed cache, and any number of handlers hear about adds, updates and deletes, delivered in
 * order, after the cache has the change. Guarantees, as client-go's:
 * - A delete carries the object's final state; when the delete was missed (a watch gap bridged
 *   by a relist) it carries a `DeletedFinalStateUnknown` with the last state the cache knew.
 * - A relist notifies only what changed (an update when the resourceVersion differs).
 * - `hasSynced()` turns true once the first list is in the cache and its adds were delivered;
 *   a handler added later first gets an add for everything already cached.
 * - With `resyncPeriodMs` > 0, every cached object is re-delivered as an update (old === new)
 *   that often; off by default, as level-based controllers need only the cache and handlers.
 * Not guaranteed: seeing every intermediate state of an object.
 */
import { realClock, sleep } from './clock.ts';
import { isAborted } from './errors.ts';
import { DeletedFinalStateUnknown, Indexer } from './indexer.ts';
import type { Indexers } from './indexer.ts';
import { listWatchFor } from './list-watch.ts';
import type { ListerWatcher, Selectors } from './list-watch.ts';
import { Reflector } from './reflector.ts';
import type { ReflectorOptions, ReflectorStore } from './reflector.ts';
import type { RestClient } from './rest-client.ts';
import type { KubeObject, ResourceRef } from './resource-ref.ts';

export interface ResourceEventHandler<T> {
  /** `isInInitialList`: the object came with the first list (or predates a late handler). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  /** Stops delivering to this handler. */
  remove(): void;
  hasSynced(): boolean;
}

export interface SharedInformerOptions<T> extends ReflectorOptions {
  /** Indexes on the cache beyond the key. Default: none (add `{ namespace: byNamespace }`). */
  readonly indexers?: Indexers<T> | undefined;
  /** Re-deliver every cached object as an update this often. Default: 0 (off). */
  readonly resyncPeriodMs?: number | undefined;
}

type Notification<T> =
  | { readonly kind: 'add'; readonly obj: T; readonly initial: boolean }
  | { readonly kind: 'update'; readonly oldObj: T; readonly newObj: T }
  | { readonly kind: 'delete'; readonly obj: T | DeletedFinalStateUnknown<T> };

export class SharedInformer<T extends KubeObject> {
  /** The cache: read it freely, never write it. */
  readonly indexer: Indexer<T>;
  readonly #lw: ListerWatcher<T>;
  readonly #o: SharedInformerOptions<T>;
  readonly #reflector: Reflector<T>;
  readonly #handlers = new Set<ResourceEventHandler<T>>();
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #running = false;

  constructor(lw: ListerWatcher<T>, options: SharedInformerOptions<T> = {}) {
    this.#lw = lw;
    this.#o = options;
    this.indexer = new Indexer<T>(options.indexers ?? {});
    const store: ReflectorStore<T> = {
      replace: (items) => {
        this.#replace(items);
      },
      upsert: (obj) => {
        this.#upsert(obj);
      },
      delete: (obj) => {
        this.#delete(obj);
      },
    };
    this.#reflector = new Reflector<T>(this.#lw, store, options);
  }

  /** An informer for one resource (all namespaces unless `ref.namespace`), optionally filtered. */
  static forResource<T extends KubeObject = KubeObject>(
    client: RestClient,
    ref: ResourceRef,
    options: SharedInformerOptions<T> & Selectors = {},
  ): SharedInformer<T> {
    return new SharedInformer<T>(listWatchFor<T>(client, ref, options), options);
  }

  addEventHandler(handler: ResourceEventHandler<T>): HandlerRegistration {
    // A late handler first hears about everything already cached, as client-go's.
    for (const obj of this.indexer.list()) this.#call(handler, { kind: 'add', obj, initial: true });
    this.#handlers.add(handler);
    return {
      remove: () => {
        this.#handlers.delete(handler);
      },
      hasSynced: () => this.#synced,
    };
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, false if `signal` aborts first. */
  waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (isAborted(signal)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  get lastSyncResourceVersion(): string {
    return this.#reflector.lastSyncResourceVersion;
  }

  /** Lists, watches and delivers until `signal` aborts; resolves then. Runs once. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('the informer is already running');
    this.#running = true;
    const resyncMs = this.#o.resyncPeriodMs ?? 0;
    await Promise.all([
      this.#reflector.run(signal),
      resyncMs > 0 ? this.#resyncLoop(resyncMs, signal) : Promise.resolve(),
    ]);
  }

  async #resyncLoop(periodMs: number, signal: AbortSignal): Promise<void> {
    const clock = this.#o.clock ?? realClock;
    for (;;) {
      await sleep(clock, periodMs, signal);
      if (isAborted(signal)) return;
      if (!this.#synced) continue;
      for (const obj of this.indexer.list())
        this.#notify([{ kind: 'update', oldObj: obj, newObj: obj }]);
    }
  }

  #replace(items: readonly T[]): void {
    const initial = !this.#synced;
    const notifications: Notification<T>[] = [];
    const keys = new Set<string>();
    for (const obj of items) {
      const key = this.indexer.keyOf(obj);
      keys.add(key);
      const old = this.indexer.getByKey(key);
      if (old === undefined) notifications.push({ kind: 'add', obj, initial });
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        notifications.push({ kind: 'update', oldObj: old, newObj: obj });
    }
    for (const key of this.indexer.listKeys()) {
      const old = this.indexer.getByKey(key);
      if (!keys.has(key) && old !== undefined)
        notifications.push({ kind: 'delete', obj: new DeletedFinalStateUnknown(key, old) });
    }
    this.indexer.replace(items);
    this.#notify(notifications);
    if (!this.#synced) {
      this.#synced = true;
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  #upsert(obj: T): void {
    const old = this.indexer.get(obj);
    this.indexer.update(obj);
    this.#notify([
      old === undefined
        ? { kind: 'add', obj, initial: false }
        : { kind: 'update', oldObj: old, newObj: obj },
    ]);
  }

  #delete(obj: T): void {
    // A delete for something never cached is dropped, as client-go's DeltaFIFO does.
    if (this.indexer.get(obj) === undefined) return;
    this.indexer.delete(obj);
    this.#notify([{ kind: 'delete', obj }]);
  }

  #notify(notifications: readonly Notification<T>[]): void {
    for (const n of notifications) for (const h of [...this.#handlers]) this.#call(h, n);
  }

  #call(h: ResourceEventHandler<T>, n: Notification<T>): void {
    try {
      switch (n.kind) {
        case 'add':
          h.onAdd?.(n.obj, n.initial);
          break;
        case 'update':
          h.onUpdate?.(n.oldObj, n.newObj);
          break;
        case 'delete':
          h.onDelete?.(n.obj);
          break;
      }
    } catch (err: unknown) {
      const report =
        this.#o.onError ??
        ((e: unknown): void => {
          process.stderr.write(
            `informer: handler failed: ${e instanceof Error ? e.message : String(e)}\n`,
          );
        });
      report(err);
    }
  }
}

/** Resolves true once every informer synced, false if `signal` aborts first. */
export async function waitForCacheSync(
  signal: AbortSignal,
  ...informers: readonly { waitForCacheSync(signal: AbortSignal): Promise<boolean> }[]
): Promise<boolean> {
  const results = await Promise.all(informers.map((i) => i.waitForCacheSync(signal)));
  return results.every(Boolean);
}
