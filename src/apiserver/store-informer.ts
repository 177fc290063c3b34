/**
 * An in-process informer over one Store key prefix, for the API server's own caches (RBAC, the
 * Node authorizer's graph): lists the prefix into `replace`, then watches from the list's
 * revision into `put`/`delete`, resuming from the last revision seen after a broken stream and
 * relisting when that revision was compacted (StoreGoneError). `ready` resolves after the first
 * list. Guarantees: events apply in revision order; callbacks never see a half-decoded object.
 * Not guaranteed: a write is visible only once its watch event arrived (milliseconds).
 */
import type { JsonObject } from '../api/json.ts';
import { StoreGoneError } from '../storage/errors.ts';
import type { Store } from '../storage/store.ts';
import { decodeObject } from './registry/object-codec.ts';

export interface StoreInformerHandlers {
  /** The whole content after a (re)list. */
  replace(objects: readonly JsonObject[]): void;
  put(obj: JsonObject): void;
  /** The object as it was last stored. */
  delete(obj: JsonObject): void;
}

export interface StoreInformerOptions {
  readonly store: Store;
  /** A key prefix, e.g. listPrefix('pods'). */
  readonly prefix: string;
  readonly handlers: StoreInformerHandlers;
  /** Wait before retrying after a store error. Default: 1,000 ms. */
  readonly retryDelayMs?: number;
  /** Receives store errors that the informer retries. Default: ignore. */
  readonly onError?: (err: unknown) => void;
}

export class StoreInformer {
  readonly #o: StoreInformerOptions;
  readonly #ready: Promise<void>;
  #markReady: () => void = () => undefined;
  #isReady = false;

  constructor(options: StoreInformerOptions) {
    this.#o = options;
    this.#ready = new Promise<void>((resolve) => {
      this.#markReady = resolve;
    });
  }

  /** Resolves once the first list is in. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  /** Lists and watches until `signal` aborts; resolves then. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    const { store, prefix, handlers } = this.#o;
    let revision: number | undefined;
    // A function, so that the narrowing of the loop condition does not reach the catch block.
    const aborted = (): boolean => signal.aborted;
    while (!aborted()) {
      try {
        if (revision === undefined) {
          revision = await this.#list();
          if (!this.#isReady) {
            this.#isReady = true;
            this.#markReady();
          }
        }
        for await (const e of store.watch(prefix, { sinceRevision: revision, signal })) {
          if (e.type === 'PROGRESS') {
            revision = e.revision;
            continue;
          }
          revision = e.kv.modRevision;
          // A DELETED event's kv holds the last stored value.
          const obj = decodeObject(e.kv);
          if (e.type === 'DELETED') handlers.delete(obj);
          else handlers.put(obj);
        }
        // The iterator ends cleanly only when aborted.
      } catch (err: unknown) {
        if (aborted()) return;
        if (err instanceof StoreGoneError) revision = undefined;
        this.#o.onError?.(err);
        await sleep(this.#o.retryDelayMs ?? 1_000, signal);
      }
    }
  }

  /** Replaces the content with a fresh list; returns its revision. */
  async #list(): Promise<number> {
    const { store, prefix, handlers } = this.#o;
    const objects: JsonObject[] = [];
    let cont: string | undefined;
    let revision = 0;
    do {
      const page = await store.list(prefix, {
        limit: 500,
        ...(cont === undefined ? {} : { continue: cont }),
      });
      revision = page.revision;
      for (const kv of page.items) objects.push(decodeObject(kv));
      cont = page.continue;
    } while (cont !== undefined);
    handlers.replace(objects);
    return revision;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
