/**
 * The ConfigMaps and Secrets the node's pods reference, each kept current by its own watch
 * (kubelet's "Watch" change detection strategy): one informer per referenced object, listed
 * and watched with a `metadata.name` field selector in its namespace, which is what the Node
 * authorizer lets a node read. Pods declare what they reference (`setReferences`); an object no
 * pod references any more stops being watched. `onChange` hears of every add, update or delete,
 * so the pods using it are synced again (their volumes rewritten).
 */
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.d.ts';
import { SharedInformer } from '../../client/index.ts';
import type { KubeObject, RestClient } from '../../client/index.ts';
import type { ConfigObjects } from '../pods/container-env.ts';

export type ObjectKind = 'configmaps' | 'secrets';

export interface ObjectRefKey {
  readonly kind: ObjectKind;
  readonly namespace: string;
  readonly name: string;
}

interface Entry {
  readonly informer: SharedInformer<KubeObject>;
  readonly stop: AbortController;
  readonly running: Promise<void>;
  readonly users: Set<string>;
}

const keyOf = (r: ObjectRefKey): string => `${r.kind}/${r.namespace}/${r.name}`;

export class WatchedObjects implements ConfigObjects {
  readonly #client: RestClient;
  readonly #onChange: (ref: ObjectRefKey) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #byUser = new Map<string, Set<string>>();
  /** Bounds how long a first read waits for its watch to sync. */
  readonly #syncTimeoutMs: number;

  constructor(client: RestClient, onChange: (ref: ObjectRefKey) => void, syncTimeoutMs = 10_000) {
    this.#client = client;
    this.#onChange = onChange;
    this.#syncTimeoutMs = syncTimeoutMs;
  }

  /** The pods that reference `ref` (by uid). */
  users(ref: ObjectRefKey): string[] {
    return [...(this.#entries.get(keyOf(ref))?.users ?? [])];
  }

  /** Declares everything pod `user` references; watches start and stop to match. */
  setReferences(user: string, refs: readonly ObjectRefKey[]): void {
    const next = new Set(refs.map(keyOf));
    const prev = this.#byUser.get(user) ?? new Set<string>();
    for (const ref of refs) this.#entry(ref).users.add(user);
    for (const key of prev) if (!next.has(key)) this.#release(key, user);
    if (next.size === 0) this.#byUser.delete(user);
    else this.#byUser.set(user, next);
  }

  configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return this.#get({ kind: 'configmaps', namespace, name }) as Promise<ConfigMap | undefined>;
  }

  secret(namespace: string, name: string): Promise<Secret | undefined> {
    return this.#get({ kind: 'secrets', namespace, name }) as Promise<Secret | undefined>;
  }

  /** Stops every watch. */
  async close(): Promise<void> {
    const running = [...this.#entries.values()].map((e) => {
      e.stop.abort();
      return e.running;
    });
    this.#entries.clear();
    this.#byUser.clear();
    await Promise.all(running);
  }

  async #get(ref: ObjectRefKey): Promise<KubeObject | undefined> {
    const existing = this.#entries.get(keyOf(ref));
    // A read without a declared reference (e.g. an env var of a pod being started) watches too,
    // on behalf of nobody until the pod declares it.
    const entry = existing ?? this.#entry(ref);
    if (!entry.informer.hasSynced()) {
      const timeout = AbortSignal.timeout(this.#syncTimeoutMs);
      const synced = await entry.informer.waitForCacheSync(
        AbortSignal.any([timeout, entry.stop.signal]),
      );
      if (!synced)
        throw new Error(
          `cannot read ${ref.kind} ${ref.namespace}/${ref.name}: the API server did not answer`,
        );
    }
    return entry.informer.indexer.getByKey(`${ref.namespace}/${ref.name}`);
  }

  #entry(ref: ObjectRefKey): Entry {
    const key = keyOf(ref);
    const found = this.#entries.get(key);
    if (found !== undefined) return found;
    const informer = SharedInformer.forResource(
      this.#client,
      { group: '', version: 'v1', plural: ref.kind, namespace: ref.namespace },
      { fieldSelector: `metadata.name=${ref.name}` },
    );
    informer.addEventHandler({
      onAdd: (_obj, initial) => {
        if (!initial) this.#onChange(ref);
      },
      onUpdate: () => {
        this.#onChange(ref);
      },
      onDelete: () => {
        this.#onChange(ref);
      },
    });
    const stop = new AbortController();
    const entry: Entry = { informer, stop, running: informer.run(stop.signal), users: new Set() };
    this.#entries.set(key, entry);
    return entry;
  }

  #release(key: string, user: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.users.delete(user);
    if (entry.users.size > 0) return;
    entry.stop.abort();
    this.#entries.delete(key);
  }

  /** Stops watches nobody declared (reads by pods that are gone). */
  prune(): void {
    for (const [key, entry] of this.#entries)
      if (entry.users.size === 0) {
        entry.stop.abort();
        this.#entries.delete(key);
      }
  }
}
