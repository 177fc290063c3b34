/**
 * managedFields bookkeeping for one endpoint (kind + subresource), as kube-apiserver's default
 * field manager chain: version check, last-applied upgrade (last-applied.ts), skip of objects
 * that were never tracked, cap of Update entries, manager identifiers, timestamps, stripping of
 * server-owned metadata, and the structured merge itself (updater.ts).
 *
 *   update(): after a create, update or non-apply patch; records an Update entry for the
 *     fields the write added or changed. Objects that exist without managedFields stay
 *     untracked until their first apply; a request's own `managedFields` replace the stored
 *     ones (main resource only), and `[]` or `[{}]` clears them.
 *   apply(): merges an applied configuration (see Updater.apply) and records an Apply entry.
 * Timestamps move only when the object changes. Guarantees: pure functions of their inputs and
 * the injected clock; inputs are not mutated.
 */
import type { JsonObject } from '../../api/json.ts';
import { objectField } from '../../api/json.ts';
import { timestamp } from '../registry/object-meta.ts';
import { ApplyConflictError } from './conflicts.ts';
import { FieldSet } from './field-set.ts';
import {
  KUBECTL_MANAGER,
  allowedConflictsFromLastApplied,
  buildLastApplied,
  lastAppliedOf,
  setLastApplied,
} from './last-applied.ts';
import type { Managed } from './managed-fields.ts';
import {
  EMPTY_MANAGED,
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  managerIdentifier,
} from './managed-fields.ts';
import { fieldElement } from './path-element.ts';
import type { Atom } from './schema.ts';
import type { FieldSetFilter, ManagedSets, VersionedSet } from './updater.ts';
import { Updater } from './updater.ts';

export interface FieldManagerOptions {
  /** The kind's schema. */
  readonly root: Atom;
  /** The endpoint's group/version, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** '' for the main resource, else `status`, `scale`, ... */
  readonly subresource: string;
  /** Removes the endpoint's reset fields (e.g. status on the main resource). Default: none. */
  readonly ignore?: FieldSetFilter;
  /** Default: the system clock. */
  readonly now?: () => Date;
  /** Update entries kept before the oldest merge into `ancient-changes`. Default: 10. */
  readonly maxUpdateManagers?: number;
}

/** Fields never recorded as anyone's (upstream's stripMetaManager). */
const STRIP = FieldSet.of(
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation']
    .concat(['managedFields', 'resourceVersion'])
    .map((f) => [fieldElement('metadata'), fieldElement(f)]),
);

const CURRENT_OPERATION = 'current-operation';
const BEFORE_FIRST_APPLY = 'before-first-apply';
const ANCIENT_CHANGES = 'ancient-changes';

/** The object without metadata.managedFields (shallow copies). */
function stripManagedFields(obj: JsonObject): JsonObject {
  const meta = objectField(obj, 'metadata');
  if (meta?.['managedFields'] === undefined) return obj;
  const rest: JsonObject = { ...meta };
  Reflect.deleteProperty(rest, 'managedFields');
  return { ...obj, metadata: rest };
}

/** Sets (or removes) metadata.managedFields; returns the encoded entries. */
export function writeManagedFields(obj: JsonObject, managed: Managed): JsonObject[] {
  const entries = encodeManagedFields(managed) ?? [];
  const meta = objectField(obj, 'metadata') ?? {};
  Reflect.deleteProperty(meta, 'managedFields');
  if (entries.length > 0) meta['managedFields'] = entries;
  obj['metadata'] = meta;
  return entries;
}

function decodeOrEmpty(obj: JsonObject | undefined): Managed {
  try {
    return decodeManagedFields(objectField(obj ?? {}, 'metadata')?.['managedFields']);
  } catch {
    return EMPTY_MANAGED;
  }
}

export interface ApplyResult {
  /** The object to store: merged, with managedFields. */
  readonly object: JsonObject;
}

export class FieldManager {
  readonly #o: FieldManagerOptions;
  readonly #updater: Updater;
  readonly #now: () => Date;

  constructor(options: FieldManagerOptions) {
    this.#o = options;
    this.#now = options.now ?? ((): Date => new Date());
    this.#updater = new Updater({
      root: options.root,
      apiVersion: options.apiVersion,
      ...(options.ignore === undefined ? {} : { ignore: options.ignore }),
    });
  }

  /** The kind's schema. */
  get root(): Atom {
    return this.#o.root;
  }

  /** upstream's FieldManager.Update: rewrites `next`'s managedFields in place. */
  update(live: JsonObject | undefined, next: JsonObject, manager: string): JsonObject[] {
    let managed: Managed;
    const requested = objectField(next, 'metadata')?.['managedFields'];
    if (this.#o.subresource !== '') managed = decodeOrEmpty(live);
    else if (isResetManagedFields(requested)) managed = EMPTY_MANAGED;
    else {
      try {
        managed = decodeManagedFields(requested);
      } catch {
        managed = EMPTY_MANAGED;
      }
      if (managed.fields.size === 0) managed = decodeOrEmpty(live);
    }
    const isCreate = typeof objectField(live ?? {}, 'metadata')?.['uid'] !== 'string';
    if (managed.fields.size > 0 || isCreate) {
      const before = live === undefined ? {} : stripManagedFields(live);
      managed = this.#trackUpdate(before, stripManagedFields(next), managed, manager);
    }
    return writeManagedFields(next, managed);
  }

  /**
   * upstream's FieldManager.Apply for a live object (undefined: the object does not exist yet).
   * Throws ApplyConflictError, and ManagedFieldsDecodeError for unreadable stored entries.
   */
  apply(
    live: JsonObject | undefined,
    config: JsonObject,
    manager: string,
    force: boolean,
  ): ApplyResult {
    const managed =
      live === undefined
        ? EMPTY_MANAGED
        : decodeManagedFields(objectField(live, 'metadata')?.['managedFields']);
    const liveObj = live === undefined ? {} : stripManagedFields(live);
    let result: { object: JsonObject; managed: Managed };
    try {
      result = this.#apply(liveObj, config, managed, manager, force);
    } catch (err: unknown) {
      if (!(err instanceof ApplyConflictError) || manager !== KUBECTL_MANAGER) throw err;
      const allowed = allowedConflictsFromLastApplied(liveObj, this.#o.root, this.#o.apiVersion);
      if (allowed === undefined) throw err;
      const left = err.without(allowed);
      if (left !== undefined) throw left;
      result = this.#apply(liveObj, config, managed, manager, true);
    }
    let object = result.object;
    if (manager === KUBECTL_MANAGER && lastAppliedOf(object) !== undefined) {
      object = setLastApplied(object, buildLastApplied(config));
    }
    object = { ...object, metadata: { ...(objectField(object, 'metadata') ?? {}) } };
    writeManagedFields(object, result.managed);
    return { object };
  }

  #apply(
    live: JsonObject,
    config: JsonObject,
    managedIn: Managed,
    manager: string,
    force: boolean,
  ): { object: JsonObject; managed: Managed } {
    let managed = managedIn;
    if (managed.fields.size === 0)
      managed = this.#trackUpdate({}, live, managed, BEFORE_FIRST_APPLY);
    const id = managerIdentifier({
      manager: manager === '' ? 'unknown' : manager,
      operation: 'Apply',
      apiVersion: '',
      subresource: this.#o.subresource,
    });
    const outcome = this.#updater.apply(live, config, managed.fields, id, force);
    const fields = strip(outcome.managers, id);
    const times = new Map(managed.times);
    if (outcome.object !== undefined) times.set(id, timestamp(this.#now()));
    return { object: outcome.object ?? live, managed: { fields, times } };
  }

  /** The Update half of the chain: identifier, current-operation merge, strip, cap. */
  #trackUpdate(live: JsonObject, next: JsonObject, managed: Managed, manager: string): Managed {
    const id = managerIdentifier({
      manager: manager === '' ? 'unknown' : manager,
      operation: 'Update',
      apiVersion: this.#o.apiVersion,
      subresource: this.#o.subresource,
    });
    const sets = new Map(
      strip(this.#updater.update(live, next, managed.fields, CURRENT_OPERATION), CURRENT_OPERATION),
    );
    const times = new Map(managed.times);
    const current = sets.get(CURRENT_OPERATION);
    if (current !== undefined) {
      sets.delete(CURRENT_OPERATION);
      const previous = sets.get(id);
      sets.set(
        id,
        previous === undefined ? current : { ...current, set: current.set.union(previous.set) },
      );
      // upstream's ScaleHandler.ToParent copies entry times from the parent object, where a
      // scale entry never has one: scale entries carry no time.
      if (this.#o.subresource !== 'scale') times.set(id, timestamp(this.#now()));
    }
    return this.#capUpdateManagers({ fields: sets, times });
  }

  /** upstream's capManagersManager: merges the oldest Update entries into `ancient-changes`. */
  #capUpdateManagers(managed: Managed): Managed {
    const max = this.#o.maxUpdateManagers ?? 10;
    const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
    if (updaters.length <= max) return managed;
    const fields = new Map(managed.fields);
    const times = new Map(managed.times);
    const secondsOf = (id: string): number => {
      const t = times.get(id);
      return t === undefined ? 0 : Math.floor(Date.parse(t) / 1000);
    };
    updaters.sort((a, b) => secondsOf(a) - secondsOf(b) || (a < b ? -1 : a > b ? 1 : 0));
    const firstOfVersion = new Map<string, string>();
    let length = updaters.length;
    for (const id of updaters) {
      if (length <= max) break;
      const vs = fields.get(id);
      if (vs === undefined) continue;
      const bucket = managerIdentifier({
        manager: ANCIENT_CHANGES,
        operation: 'Update',
        apiVersion: vs.apiVersion,
        subresource: '',
      });
      const first = firstOfVersion.get(vs.apiVersion);
      if (first === undefined || id === bucket) {
        firstOfVersion.set(vs.apiVersion, first ?? id);
        continue;
      }
      if (!fields.has(bucket)) {
        const firstSet = fields.get(first) as VersionedSet;
        fields.delete(first);
        fields.set(bucket, firstSet);
      }
      const into = fields.get(bucket) as VersionedSet;
      fields.set(bucket, { ...vs, set: vs.set.union(into.set) });
      fields.delete(id);
      length--;
      const t = times.get(id);
      if (t === undefined) times.delete(bucket);
      else times.set(bucket, t);
    }
    return { fields, times };
  }
}

/** Removes server-owned metadata from one manager's set (dropping it when empty). */
function strip(managers: ManagedSets, id: string): Map<string, VersionedSet> {
  const out = new Map(managers);
  const vs = out.get(id);
  if (vs === undefined) return out;
  const set = vs.set.difference(STRIP);
  if (set.isEmpty()) out.delete(id);
  else out.set(id, { ...vs, set });
  return out;
}
