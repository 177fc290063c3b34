/**
 * An informer's cache (client-go's tools/cache thread_safe_store.go + index.go): objects by key
 * (`namespace/name`, or `name` when cluster-scoped), plus named indexes from an index function's
 * values to keys (`byNamespace`, `byNodeName`, or any other). Every method runs to completion
 * before any other code does (Node's single thread), so readers never see a half-applied change.
 * Objects are shared with every reader and handler: treat them as read-only, as client-go asks.
 */
import type { KubeObject } from './resource-ref.ts';

/** The values an object is indexed under (none: not in that index). */
export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/**
 * A delete the informer did not see (its watch missed it and a relist found the object gone):
 * `obj` is the last state the cache had, which may be stale. client-go's DeletedFinalStateUnknown.
 */
export class DeletedFinalStateUnknown<T> {
  readonly key: string;
  readonly obj: T;
  constructor(key: string, obj: T) {
    this.key = key;
    this.obj = obj;
  }
}

/** The object a delete notification carries, whether it came as itself or as a tombstone. */
export function tombstoneObject<T>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

/** `namespace/name`, or `name` for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function metaNamespaceKey(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (name === undefined || name === '') throw new TypeError('an object without metadata.name');
  const ns = obj.metadata?.namespace;
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

/** The key of an object or of a tombstone (client-go's DeletionHandlingMetaNamespaceKeyFunc). */
export function deletionHandlingKey<T extends KubeObject>(
  obj: T | DeletedFinalStateUnknown<T>,
): string {
  return obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
}

export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { namespace: '', name: key };
  if (parts.length === 2) return { namespace: parts[0] ?? '', name: parts[1] ?? '' };
  throw new TypeError(`unexpected key format: ${JSON.stringify(key)}`);
}

/** client-go's NamespaceIndex name and MetaNamespaceIndexFunc. */
export const NAMESPACE_INDEX = 'namespace';
export const byNamespace: IndexFunc<KubeObject> = (obj) => [obj.metadata?.namespace ?? ''];

/** Pods by `spec.nodeName` (unscheduled pods are in no node's entry). */
export const NODE_NAME_INDEX = 'nodeName';
export const byNodeName: IndexFunc<KubeObject & { spec?: { nodeName?: string } }> = (obj) => {
  const node = obj.spec?.nodeName;
  return node === undefined || node === '' ? [] : [node];
};

export class Indexer<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  /** index name -> indexed value -> keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();
  readonly #keyOf: (obj: T) => string;

  constructor(indexers: Indexers<T> = {}, keyFunc: (obj: T) => string = metaNamespaceKey) {
    this.#keyOf = keyFunc;
    this.addIndexers(indexers);
  }

  keyOf(obj: T): string {
    return this.#keyOf(obj);
  }

  /** Adds indexes, indexing the objects already cached. A name already in use is an error. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.#indexers.has(name)) throw new Error(`indexer conflict: ${name}`);
      this.#indexers.set(name, fn);
      this.#indices.set(name, new Map());
      for (const [key, obj] of this.#items) this.#indexOne(name, fn, key, undefined, obj);
    }
  }

  /** Adds or replaces the object under its key. */
  add(obj: T): void {
    this.#put(this.#keyOf(obj), obj);
  }

  update(obj: T): void {
    this.#put(this.#keyOf(obj), obj);
  }

  delete(obj: T): void {
    this.deleteByKey(this.#keyOf(obj));
  }

  deleteByKey(key: string): void {
    const old = this.#items.get(key);
    if (old === undefined) return;
    this.#reindex(key, old, undefined);
    this.#items.delete(key);
  }

  get(obj: T): T | undefined {
    return this.#items.get(this.#keyOf(obj));
  }

  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  listKeys(): string[] {
    return [...this.#items.keys()];
  }

  get size(): number {
    return this.#items.size;
  }

  /** Replaces the whole content (a relist) and rebuilds the indexes. */
  replace(items: readonly T[]): void {
    this.#items.clear();
    for (const name of this.#indices.keys()) this.#indices.set(name, new Map());
    for (const obj of items) this.#put(this.#keyOf(obj), obj);
  }

  /** Objects whose `indexName` values include `value` (client-go's ByIndex). */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).flatMap((k) => {
      const obj = this.#items.get(k);
      return obj === undefined ? [] : [obj];
    });
  }

  /** Keys whose `indexName` values include `value`. */
  indexKeys(indexName: string, value: string): string[] {
    return [...(this.#index(indexName).get(value) ?? [])];
  }

  /** Objects sharing any `indexName` value with `obj` (client-go's Index). */
  index(indexName: string, obj: T): T[] {
    const fn = this.#indexers.get(indexName);
    if (fn === undefined) throw new Error(`index with name ${indexName} does not exist`);
    const keys = new Set(fn(obj).flatMap((v) => this.indexKeys(indexName, v)));
    return [...keys].flatMap((k) => {
      const o = this.#items.get(k);
      return o === undefined ? [] : [o];
    });
  }

  /** Every value `indexName` has an entry for. */
  listIndexFuncValues(indexName: string): string[] {
    return [...this.#index(indexName).keys()];
  }

  #index(indexName: string): Map<string, Set<string>> {
    const index = this.#indices.get(indexName);
    if (index === undefined) throw new Error(`index with name ${indexName} does not exist`);
    return index;
  }

  #put(key: string, obj: T): void {
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    this.#reindex(key, old, obj);
  }

  #reindex(key: string, oldObj: T | undefined, newObj: T | undefined): void {
    for (const [name, fn] of this.#indexers) this.#indexOne(name, fn, key, oldObj, newObj);
  }

  #indexOne(
    name: string,
    fn: IndexFunc<T>,
    key: string,
    oldObj: T | undefined,
    newObj: T | undefined,
  ): void {
    const index = this.#indices.get(name);
    if (index === undefined) return;
    const oldValues = new Set(oldObj === undefined ? [] : fn(oldObj));
    const newValues = new Set(newObj === undefined ? [] : fn(newObj));
    for (const v of oldValues) {
      if (newValues.has(v)) continue;
      const keys = index.get(v);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(v);
    }
    for (const v of newValues) {
      if (oldValues.has(v)) continue;
      let keys = index.get(v);
      if (keys === undefined) index.set(v, (keys = new Set()));
      keys.add(key);
    }
  }
}
