/**
 * Field ownership across writes (structured-merge-diff's merge.Updater), over one schema and
 * one API version (no conversion between versions: sets recorded at another apiVersion are
 * compared as if they were this one).
 *
 *   update(): a non-apply write. The writer becomes the owner of every field it added or
 *     changed, taking it from the other managers; fields it removed leave every manager.
 *   apply(): the configuration is merged into the live object; fields the applier applied last
 *     time but not now are removed unless another manager owns them; any field another manager
 *     owns that this apply changes is a conflict (ApplyConflictError) unless forced, in which
 *     case the applier takes it over.
 * `ignore` filters the reset fields of the endpoint (e.g. status on the main resource) out of
 * every change and applied set, as upstream's IgnoredFields.
 */
import type { JsonObject } from '../../api/json.ts';
import type { Comparison } from './compare.ts';
import { compare } from './compare.ts';
import { ApplyConflictError } from './conflicts.ts';
import { FieldSet } from './field-set.ts';
import { merge } from './merge.ts';
import { removeItems } from './remove-items.ts';
import type { Atom } from './schema.ts';
import { ensureNamedFieldsAreMembers, toFieldSet } from './to-field-set.ts';
import { typedEqual } from './typed-equal.ts';

export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  /** True for an Apply entry. */
  readonly applied: boolean;
}

/** Field sets by manager identifier. */
export type ManagedSets = ReadonlyMap<string, VersionedSet>;

export type FieldSetFilter = (set: FieldSet) => FieldSet;

export interface UpdaterOptions {
  readonly root: Atom;
  readonly apiVersion: string;
  /** Removes the endpoint's reset fields from a set. Default: keeps everything. */
  readonly ignore?: FieldSetFilter;
}

export interface ApplyOutcome {
  /** The merged object, or undefined when it equals the live object. */
  readonly object: JsonObject | undefined;
  readonly managers: ManagedSets;
}

export class Updater {
  readonly #root: Atom;
  readonly #apiVersion: string;
  readonly #ignore: FieldSetFilter;

  constructor(options: UpdaterOptions) {
    this.#root = options.root;
    this.#apiVersion = options.apiVersion;
    this.#ignore = options.ignore ?? ((s: FieldSet): FieldSet => s);
  }

  /** upstream's Updater.Update: `next` is what will be stored; returns the new ownership. */
  update(live: JsonObject, next: JsonObject, managers: ManagedSets, manager: string): ManagedSets {
    const { managers: out, comparison } = this.#reconcile(live, next, managers, manager, true);
    const previous = out.get(manager)?.set ?? new FieldSet();
    const set = this.#ignore(
      previous.difference(comparison.removed).union(comparison.modified).union(comparison.added),
    );
    const result = new Map(out);
    if (set.isEmpty()) result.delete(manager);
    else result.set(manager, { set, apiVersion: this.#apiVersion, applied: false });
    return result;
  }

  /** upstream's Updater.Apply. Throws ApplyConflictError when `force` is false. */
  apply(
    live: JsonObject,
    config: JsonObject,
    managers: ManagedSets,
    manager: string,
    force: boolean,
  ): ApplyOutcome {
    let merged = merge(live, config, this.#root) as JsonObject;
    const lastSet = managers.get(manager);
    const set = this.#ignore(toFieldSet(config, this.#root));
    const withNew = new Map(managers);
    withNew.set(manager, { set, apiVersion: this.#apiVersion, applied: true });
    merged = this.#prune(merged, withNew, lastSet);
    const { managers: out } = this.#reconcile(live, merged, withNew, manager, force);
    return { object: typedEqual(live, merged) ? undefined : merged, managers: out };
  }

  /** upstream's update(): takes changed fields from the other managers (or reports them). */
  #reconcile(
    live: JsonObject,
    next: JsonObject,
    managers: ManagedSets,
    workflow: string,
    force: boolean,
  ): { managers: ManagedSets; comparison: Comparison } {
    const raw = compare(live, next, this.#root);
    const comparison: Comparison = {
      added: this.#ignore(raw.added),
      modified: this.#ignore(raw.modified),
      removed: this.#ignore(raw.removed),
    };
    const changed = comparison.modified.union(comparison.added);
    const conflicts = new Map<string, FieldSet>();
    for (const [m, vs] of managers) {
      if (m === workflow) continue;
      const c = vs.set.intersection(changed);
      if (!c.isEmpty()) conflicts.set(m, c);
    }
    if (!force && conflicts.size > 0) throw new ApplyConflictError(conflicts);
    const out = new Map<string, VersionedSet>();
    for (const [m, vs] of managers) {
      if (m === workflow) {
        if (!vs.set.isEmpty()) out.set(m, vs);
        continue;
      }
      const c = conflicts.get(m);
      let set = c === undefined ? vs.set : vs.set.difference(c);
      set = set.difference(comparison.removed);
      if (!set.isEmpty()) out.set(m, set === vs.set ? vs : { ...vs, set });
    }
    return { managers: out, comparison };
  }

  /**
   * upstream's prune(): removes what the applier applied last time and no manager (the
   * applier's new configuration included) owns now, then adds back whatever that removal took
   * along that was not the applier's.
   */
  #prune(merged: JsonObject, managers: ManagedSets, lastSet: VersionedSet | undefined): JsonObject {
    if (lastSet === undefined || lastSet.set.isEmpty()) return merged;
    const root = this.#root;
    const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, root);
    const last = named(lastSet.set);
    let pruned = removeItems(merged, last, root);
    // addBackOwnedItems
    let managed = new FieldSet();
    for (const vs of managers.values()) managed = managed.union(vs.set);
    const mergedSet = named(toFieldSet(merged, root));
    pruned = removeItems(
      merged,
      mergedSet.difference(named(toFieldSet(pruned, root)).union(named(managed))),
      root,
    );
    // addBackDanglingItems
    const prunedSet = named(toFieldSet(pruned, root));
    return removeItems(
      merged,
      mergedSet.difference(prunedSet).intersection(last),
      root,
    ) as JsonObject;
  }
}
