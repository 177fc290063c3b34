/**
 * The generic REST storage every kind shares (upstream's registry.Store): create, get, list,
 * update, guaranteed update (read-modify-write with conflict retries), and delete with
 * finalizers, graceful deletion and preconditions, over the revisioned Store. Writes are
 * compare-and-swap on the object's modRevision, so replicas never overwrite each other.
 */
import type { JsonObject } from '../../api/json.ts';
import { stringField } from '../../api/json.ts';
import type { FieldError, ResourceDefinition } from '../../api/resource.ts';
import {
  badRequest,
  invalid,
  notFound,
  staleResourceVersion,
  successStatus,
  timeout,
} from '../../api/status.ts';
import { StoreConflictError } from '../../storage/errors.ts';
import type { Store } from '../../storage/store.ts';
import { decodeObject, encodeObject, keyFor, withResourceVersion } from './object-codec.ts';
import { jsonEqual, metadataOf, prepareCreateMeta, prepareUpdate } from './object-meta.ts';
import type { UpdateScope } from './object-meta.ts';
import type { DeleteOptions } from './deletion-rules.ts';
import {
  checkPreconditions,
  namespaceFinalizersPending,
  pendingDeletion,
  ttlFor,
  withoutResourceVersion,
} from './deletion-rules.ts';
import { toApiError } from './store-error.ts';

/** Validation and defaulting for one write; `old` is undefined on create. */
export type Admit = (
  def: ResourceDefinition,
  obj: JsonObject,
  old: JsonObject | undefined,
) => FieldError[];

/**
 * Runs after admission (defaults and validation) and before the write, on the object about to be
 * stored (`current` is undefined on create). It may rewrite that object in place (managedFields)
 * or throw an ApiError to refuse the write.
 */
export type BeforeWrite = (next: JsonObject, current: JsonObject | undefined) => void;

export interface ResourceStoreOptions {
  readonly store: Store;
  readonly admit: Admit;
  /** Default: the system clock. */
  readonly now?: () => Date;
  /** Attempts of a read-modify-write before giving up with a 409. Default: 16. */
  readonly maxUpdateAttempts?: number;
  /** Per-kind side effects keyed `<group>/<Kind>` (Service IP allocation). Default: none. */
  readonly hooks?: ReadonlyMap<string, KindHooks>;
}

/**
 * Side effects of a kind's writes beyond its own key (upstream's registry decorators). A create
 * runs `beforeCreate` (which may fill the object in), then the write; if the write fails,
 * `createFailed` undoes it. `afterDelete` runs once the object is gone.
 */
export interface KindHooks {
  beforeCreate(obj: JsonObject): Promise<void>;
  createFailed(obj: JsonObject): Promise<void>;
  afterDelete(obj: JsonObject): Promise<void>;
}

export interface DeleteOutcome {
  /** What the DELETE responds with: the object, or a Success Status. */
  readonly body: JsonObject;
  /** False when the object stays (finalizers or graceful deletion) with a deletionTimestamp. */
  readonly deleted: boolean;
}

/** Parses a resourceVersion given by a client into a store revision. */
export function parseResourceVersion(rv: string, what = 'resourceVersion'): number {
  if (!/^\d{1,16}$/.test(rv)) throw badRequest(`invalid ${what}: ${JSON.stringify(rv)}`);
  return Number(rv);
}

export class ResourceStore {
  readonly #store: Store;
  readonly #admit: Admit;
  readonly #now: () => Date;
  readonly #maxAttempts: number;
  readonly #hooks: ReadonlyMap<string, KindHooks>;

  constructor(options: ResourceStoreOptions) {
    this.#store = options.store;
    this.#admit = options.admit;
    this.#now = options.now ?? ((): Date => new Date());
    this.#maxAttempts = options.maxUpdateAttempts ?? 16;
    this.#hooks = options.hooks ?? new Map();
  }

  get store(): Store {
    return this.#store;
  }

  async get(
    def: ResourceDefinition,
    namespace: string | undefined,
    name: string,
  ): Promise<JsonObject> {
    const gr = { group: def.group, resource: def.plural };
    let kv;
    try {
      kv = (await this.#store.get(keyFor(def, namespace, name))).kv;
    } catch (err: unknown) {
      throw toApiError(err, gr, name);
    }
    if (kv === undefined) throw notFound(gr, name);
    return decodeObject(kv, kv.modRevision, def);
  }

  /** Creates a new object; `obj` already carries the URL's namespace and a checked type. */
  async create(
    def: ResourceDefinition,
    obj: JsonObject,
    dryRun = false,
    beforeWrite?: BeforeWrite,
  ): Promise<JsonObject> {
    const gr = { group: def.group, resource: def.plural };
    const meta = metadataOf(obj);
    const hasGenerateName = typeof meta['generateName'] === 'string' && meta['generateName'] !== '';
    const named = typeof meta['name'] === 'string' && meta['name'] !== '';
    // A generated name can collide; upstream retries such creates a few times.
    for (let attempt = 0; ; attempt++) {
      const candidate: JsonObject = structuredClone(obj);
      prepareCreateMeta(def, candidate, this.#now());
      def.strategy?.prepareForCreate?.(candidate);
      const cmeta = metadataOf(candidate);
      const name = stringField(cmeta, 'name') ?? '';
      const errors = this.#admit(def, candidate, undefined);
      if (errors.length > 0) throw invalid(def, name, errors);
      beforeWrite?.(candidate, undefined);
      if (dryRun) return candidate;
      const hooks = this.#hooks.get(`${def.group}/${def.kind}`);
      try {
        await hooks?.beforeCreate(candidate);
      } catch (err: unknown) {
        throw toApiError(err, gr, name);
      }
      try {
        const kv = await this.#store.create(
          keyFor(def, stringField(cmeta, 'namespace'), name),
          encodeObject(candidate, def),
          ttlFor(def),
        );
        // What was stored is `candidate` as JSON: answer with it rather than parse it back
        // (the same object decodeObject would give; a stored view still goes through it).
        return def.storedAs === undefined
          ? withResourceVersion(candidate, kv.modRevision)
          : decodeObject(kv, kv.modRevision, def);
      } catch (err: unknown) {
        await hooks?.createFailed(candidate).catch(() => undefined);
        const apiErr = toApiError(err, gr, name);
        if (apiErr.reason === 'AlreadyExists' && hasGenerateName && !named && attempt < 4) continue;
        throw apiErr;
      }
    }
  }

  /**
   * Replaces an object (PUT). With `metadata.resourceVersion` the write is conditional on it
   * (409 when stale); without it the current object is replaced, retrying on races.
   */
  async update(
    def: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    next: JsonObject,
    scope: UpdateScope,
    dryRun = false,
    beforeWrite?: BeforeWrite,
  ): Promise<JsonObject> {
    const rv = stringField(metadataOf(next), 'resourceVersion');
    const expected = rv === undefined || rv === '' ? undefined : parseResourceVersion(rv);
    return this.guaranteedUpdate(
      def,
      namespace,
      name,
      (current) => {
        if (
          expected !== undefined &&
          stringField(metadataOf(current), 'resourceVersion') !== String(expected)
        ) {
          throw staleResourceVersion({ group: def.group, resource: def.plural }, name);
        }
        return structuredClone(next);
      },
      scope,
      dryRun,
      beforeWrite,
    );
  }

  /**
   * Read-modify-write: `mutate` gets the current object (a private copy) and returns the
   * desired one; on a concurrent write it runs again on the newer object. An update that
   * removes the last finalizer of an object being deleted deletes it.
   */
  async guaranteedUpdate(
    def: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    mutate: (current: JsonObject) => JsonObject | Promise<JsonObject>,
    scope: UpdateScope,
    dryRun = false,
    beforeWrite?: BeforeWrite,
  ): Promise<JsonObject> {
    const gr = { group: def.group, resource: def.plural };
    const key = keyFor(def, namespace, name);
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      let kv;
      try {
        kv = (await this.#store.get(key)).kv;
      } catch (err: unknown) {
        throw toApiError(err, gr, name);
      }
      if (kv === undefined) throw notFound(gr, name);
      const current = decodeObject(kv, kv.modRevision, def);
      const desired = await mutate(structuredClone(current));
      // Defaults first, so that a PUT that leaves defaulted fields out is not a spec change
      // (metadata.generation moves only on real changes, as upstream).
      def.strategy?.defaults?.(desired);
      const merged = prepareUpdate(def, desired, current, name, scope);
      def.strategy?.prepareForUpdate?.(merged, current);
      const errors = this.#admit(def, merged, current);
      if (errors.length > 0) throw invalid(def, name, errors);
      beforeWrite?.(merged, current);
      if (dryRun)
        return {
          ...merged,
          metadata: { ...metadataOf(merged), resourceVersion: String(kv.modRevision) },
        };
      // A write that changes nothing is skipped, as upstream's GuaranteedUpdate does: no new
      // resourceVersion, no watch event.
      if (jsonEqual(withoutResourceVersion(merged), withoutResourceVersion(current)))
        return current;
      const mmeta = metadataOf(merged);
      const finalizers = mmeta['finalizers'];
      try {
        if (
          mmeta['deletionTimestamp'] !== undefined &&
          (!Array.isArray(finalizers) || finalizers.length === 0) &&
          !namespaceFinalizersPending(def, merged)
        ) {
          const d = await this.#store.delete(key, { expectedModRevision: kv.modRevision });
          await this.#hooks.get(`${def.group}/${def.kind}`)?.afterDelete(current);
          return { ...merged, metadata: { ...mmeta, resourceVersion: String(d.revision) } };
        }
        const written = await this.#store.update(
          key,
          encodeObject(merged, def),
          kv.modRevision,
          ttlFor(def),
        );
        return decodeObject(written, written.modRevision, def);
      } catch (err: unknown) {
        if (err instanceof StoreConflictError) continue;
        throw toApiError(err, gr, name);
      }
    }
    throw timeout(`too many concurrent writes to ${def.plural} "${name}"; try again`, 1);
  }

  /** `beforeDelete` sees the stored object first and may refuse (throw an ApiError). */
  async delete(
    def: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
    beforeDelete?: (current: JsonObject) => void,
  ): Promise<DeleteOutcome> {
    const gr = { group: def.group, resource: def.plural };
    const key = keyFor(def, namespace, name);
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      let kv;
      try {
        kv = (await this.#store.get(key)).kv;
      } catch (err: unknown) {
        throw toApiError(err, gr, name);
      }
      if (kv === undefined) throw notFound(gr, name);
      const current = decodeObject(kv, kv.modRevision, def);
      const meta = metadataOf(current);
      checkPreconditions(gr, name, meta, options.preconditions);
      beforeDelete?.(current);
      const pending = pendingDeletion(def, current, options, this.#now());
      if (options.dryRun === true) return { body: current, deleted: pending === undefined };
      try {
        if (pending !== undefined) {
          const written = await this.#store.update(
            key,
            encodeObject(pending, def),
            kv.modRevision,
            ttlFor(def),
          );
          return { body: decodeObject(written, written.modRevision, def), deleted: false };
        }
        const d = await this.#store.delete(key, { expectedModRevision: kv.modRevision });
        const deletedObj = decodeObject(d.prev, d.revision, def);
        await this.#hooks.get(`${def.group}/${def.kind}`)?.afterDelete(deletedObj);
        const body =
          def.kind === 'Pod'
            ? deletedObj
            : successStatus({
                name,
                group: def.group,
                kind: def.plural,
                uid: stringField(meta, 'uid') ?? '',
              });
        return { body, deleted: true };
      } catch (err: unknown) {
        if (err instanceof StoreConflictError) continue;
        throw toApiError(err, gr, name);
      }
    }
    throw timeout(`too many concurrent writes to ${def.plural} "${name}"; try again`, 1);
  }
}

export type { DeleteOptions };
