/**
 * Keeps a store in step with the server (client-go's tools/cache/reflector.go): list, then
 * watch from the list's resourceVersion with bookmarks and a random 5–10 min `timeoutSeconds`,
 * re-watching from the last seen resourceVersion whenever a watch ends, and relisting when the
 * watch cannot resume (410 Expired, on the HTTP answer or in the stream) or fails otherwise.
 *
 * - The first list reads `resourceVersion=""` (a consistent read) in pages of 500 (client-go
 *   asks for "0" to hit the watch cache; k8ts has none, so "" is the same read, paged). A
 *   relist asks for "not older than" the last seen resourceVersion, unpaged, as client-go; if
 *   that is 410, it lists at "" again. An expired continue token falls back to a full list.
 * - Unreachable servers and 429s while (re)starting a watch back off and re-watch; any other
 *   failure backs off and relists. Backoff: 0.8 s doubling to 30 s, jittered, reset after 2 min.
 * - It does not guarantee to see every intermediate state: after a relist the store holds the
 *   current state, and deletes that happened in between surface as tombstones (the informer).
 */
import { Backoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { realClock, sleep } from './clock.ts';
import type { Clock } from './clock.ts';
import {
  ApiStatusError,
  ClientUnavailableError,
  isAborted,
  isExpired,
  isTooManyRequests,
} from './errors.ts';
import type { ListerWatcher } from './list-watch.ts';
import type { KubeObject } from './resource-ref.ts';

/** Where a reflector puts what it lists and watches. */
export interface ReflectorStore<T> {
  /** A (re)list: the complete current content. */
  replace(items: readonly T[], resourceVersion: string): void;
  /** ADDED or MODIFIED. */
  upsert(obj: T): void;
  /** DELETED, with the object's final state. */
  delete(obj: T): void;
}

export interface ReflectorOptions {
  /** Page size of consistent lists. Default: 500 (client-go's pager). */
  readonly pageSize?: number | undefined;
  /** Watches ask the server to end after a random time in [min, 2·min]. Default: 300 s. */
  readonly minWatchTimeoutSeconds?: number | undefined;
  readonly backoff?: BackoffOptions | undefined;
  /** Default: the real clock. */
  readonly clock?: Clock | undefined;
  /** Errors the reflector recovers from (it logs nothing itself). Default: a line on stderr. */
  readonly onError?: ((err: unknown) => void) | undefined;
}

/** A watch that closed at once without events: treated as a failure, so it backs off. */
export class VeryShortWatchError extends Error {
  readonly code = 'CLIENT_VERY_SHORT_WATCH';
  constructor() {
    super('very short watch: the watch closed within a second without any event');
    this.name = 'VeryShortWatchError';
  }
}

const isTooLargeResourceVersion = (err: unknown): boolean =>
  err instanceof ApiStatusError &&
  err.reason === 'Timeout' &&
  err.message.includes('Too large resource version');

export class Reflector<T extends KubeObject> {
  readonly #lw: ListerWatcher<T>;
  readonly #store: ReflectorStore<T>;
  readonly #o: ReflectorOptions;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  #lastSyncResourceVersion = '';
  #resourceVersionUnavailable = false;

  constructor(lw: ListerWatcher<T>, store: ReflectorStore<T>, options: ReflectorOptions = {}) {
    this.#lw = lw;
    this.#store = store;
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#backoff = new Backoff(options.backoff, this.#clock);
  }

  /** The resourceVersion of the last list or event applied ('' before the first list). */
  get lastSyncResourceVersion(): string {
    return this.#lastSyncResourceVersion;
  }

  /** Lists and watches until `signal` aborts; resolves then. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    while (!isAborted(signal)) {
      try {
        await this.#listAndWatch(signal);
      } catch (err: unknown) {
        if (isAborted(signal)) break;
        this.#report(err);
      }
      if (isAborted(signal)) break;
      await sleep(this.#clock, this.#backoff.next(), signal);
    }
  }

  async #listAndWatch(signal: AbortSignal): Promise<void> {
    await this.#list(signal);
    for (;;) {
      if (isAborted(signal)) return;
      const startedAt = this.#clock.now();
      const min = this.#o.minWatchTimeoutSeconds ?? 300;
      let stream;
      try {
        stream = await this.#lw.watch({
          resourceVersion: this.#lastSyncResourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(min + Math.random() * min),
          signal,
        });
      } catch (err: unknown) {
        if (isAborted(signal)) return;
        if (err instanceof ClientUnavailableError || isTooManyRequests(err)) {
          this.#report(err);
          await sleep(this.#clock, this.#backoff.next(), signal);
          continue;
        }
        throw err;
      }
      let events = 0;
      try {
        for await (const event of stream) {
          if (event.type === 'ERROR') {
            // Expired: relist (from the last seen resourceVersion, as client-go does).
            if (isExpired(event.error)) return;
            throw event.error;
          }
          events++;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') this.#store.upsert(event.object);
          else if (event.type === 'DELETED') this.#store.delete(event.object);
          const rv = event.object.metadata?.resourceVersion;
          if (rv !== undefined && rv !== '') this.#lastSyncResourceVersion = rv;
        }
      } finally {
        stream.close();
      }
      if (isAborted(signal)) return;
      if (events === 0 && this.#clock.now() - startedAt < 1000) throw new VeryShortWatchError();
    }
  }

  async #list(signal: AbortSignal): Promise<void> {
    let result: { items: T[]; resourceVersion: string };
    try {
      result = await this.#listAll(this.#relistResourceVersion(), signal);
    } catch (err: unknown) {
      if (!isExpired(err) && !isTooLargeResourceVersion(err)) throw err;
      this.#resourceVersionUnavailable = true;
      result = await this.#listAll('', signal);
    }
    this.#resourceVersionUnavailable = false;
    this.#store.replace(result.items, result.resourceVersion);
    this.#lastSyncResourceVersion = result.resourceVersion;
  }

  #relistResourceVersion(): string {
    return this.#resourceVersionUnavailable ? '' : this.#lastSyncResourceVersion;
  }

  /** Every page of one list; a specific resourceVersion is read unpaged, as client-go. */
  async #listAll(
    resourceVersion: string,
    signal: AbortSignal,
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const paged = resourceVersion === '' || resourceVersion === '0';
    const limit = paged ? (this.#o.pageSize ?? 500) : undefined;
    const items: T[] = [];
    let cont: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.#lw.list({
          ...(cont === undefined ? { resourceVersion } : { continue: cont }),
          limit,
          signal,
        });
      } catch (err: unknown) {
        if (cont === undefined || !isExpired(err)) throw err;
        // The continue token expired mid-list: one full, unpaged list (the pager's fallback).
        const full = await this.#lw.list({ resourceVersion, signal });
        return { items: full.items, resourceVersion: full.metadata.resourceVersion ?? '' };
      }
      items.push(...page.items);
      cont = page.metadata.continue;
      if (cont === undefined || cont === '')
        return { items, resourceVersion: page.metadata.resourceVersion ?? '' };
    }
  }

  #report(err: unknown): void {
    if (this.#o.onError !== undefined) {
      this.#o.onError(err);
      return;
    }
    process.stderr.write(`reflector: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
