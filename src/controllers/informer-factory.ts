/**
 * The shared informers of one leadership term (client-go's SharedInformerFactory): one
 * informer per resource, whoever asks; `start` runs every informer asked for so far and each
 * one asked for later; `waitForSync` waits for all started ones. Informers stop when the start
 * signal aborts; `stopped()` settles once every one has returned. A new term builds a new
 * factory, so no cache outlives the leadership it was filled under.
 */
import { SharedInformer } from '../client/index.ts';
import type { Clock, KubeObject, ResourceRef, RestClient } from '../client/index.ts';
import type { InformerFactory } from './controller.ts';

export interface SharedInformerFactoryOptions {
  readonly client: RestClient;
  /** Default: the informers' own (real time). */
  readonly clock?: Clock | undefined;
  /** Receives list/watch failures (they are retried with backoff). Default: a line on stderr. */
  readonly onError?: ((err: unknown, ref: ResourceRef) => void) | undefined;
}

const refKey = (ref: ResourceRef): string => `${ref.group}/${ref.version}/${ref.plural}`;

export class SharedInformerFactory implements InformerFactory {
  readonly #o: SharedInformerFactoryOptions;
  readonly #informers = new Map<string, SharedInformer<KubeObject>>();
  readonly #running: Promise<void>[] = [];
  #signal: AbortSignal | undefined;

  constructor(options: SharedInformerFactoryOptions) {
    this.#o = options;
  }

  informerFor<T extends KubeObject = KubeObject>(ref: ResourceRef): SharedInformer<T> {
    if (ref.namespace !== undefined || ref.name !== undefined)
      throw new TypeError(`informerFor(${ref.plural}): namespace and name must be unset`);
    const key = refKey(ref);
    let informer = this.#informers.get(key);
    if (informer === undefined) {
      const onError = this.#o.onError;
      informer = SharedInformer.forResource(this.#o.client, ref, {
        ...(this.#o.clock === undefined ? {} : { clock: this.#o.clock }),
        ...(onError === undefined
          ? {}
          : {
              onError: (err: unknown) => {
                onError(err, ref);
              },
            }),
      });
      this.#informers.set(key, informer);
      if (this.#signal !== undefined) this.#run(informer, this.#signal);
    }
    // One informer per resource serves every object type asked of it.
    return informer as unknown as SharedInformer<T>;
  }

  start(signal: AbortSignal): void {
    if (this.#signal !== undefined) return;
    this.#signal = signal;
    for (const informer of this.#informers.values()) this.#run(informer, signal);
  }

  async waitForSync(signal: AbortSignal): Promise<boolean> {
    const results = await Promise.all(
      [...this.#informers.values()].map((i) => i.waitForCacheSync(signal)),
    );
    return results.every(Boolean);
  }

  /** The resources asked for so far (`group/version/plural`). */
  get resources(): readonly string[] {
    return [...this.#informers.keys()];
  }

  /** Settles once every started informer has returned (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.#running);
  }

  #run(informer: SharedInformer<KubeObject>, signal: AbortSignal): void {
    this.#running.push(
      informer.run(signal).catch((err: unknown) => {
        process.stderr.write(
          `informer-factory: informer stopped: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      }),
    );
  }
}
