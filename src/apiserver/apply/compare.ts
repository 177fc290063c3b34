/**
 * Which fields differ between two objects of a kind (upstream's TypedValue.Compare): `added`
 * (absent on the left), `removed` (absent on the right) and `modified` leaves. A map or list
 * node present on one side only is itself added/removed, besides its contents; no path is in
 * two of the sets.
 *
 * Both sides are read as upstream's typed (Go) objects are: a struct field holding a
 * non-pointer struct exists as `{}` when absent (zero value), and a null map value is absent.
 * This is what puts `".": {}` on e.g. `f:labels` but not on `f:spec` in Update entries.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { jsonEqual } from '../registry/object-meta.ts';
import { FieldSet } from './field-set.ts';
import type { PathElement } from './path-element.ts';
import { fieldElement } from './path-element.ts';
import type { Atom, ListType, MapType } from './schema.ts';
import { asList, deduceAtom, fieldAtom, listItemElement } from './typed-helpers.ts';

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

type Side = JsonValue | undefined;

export function compare(lhs: JsonValue, rhs: JsonValue, root: Atom): Comparison {
  const c: Comparison = {
    added: new FieldSet(),
    modified: new FieldSet(),
    removed: new FieldSet(),
  };
  node(c, [], lhs, rhs, root);
  return c;
}

function node(c: Comparison, path: PathElement[], lhs: Side, rhs: Side, atom: Atom): void {
  const al = deduceAtom(atom, lhs);
  const ar = deduceAtom(atom, rhs);
  const a = rhs === undefined ? al : ar;
  if (lhs !== undefined && rhs !== undefined && kindOf(al) !== kindOf(ar)) {
    c.modified.insert(path); // a value that changed shape is one changed leaf
    return;
  }
  let isLeaf = false;
  if (a.map !== undefined) isLeaf = mapNode(c, path, lhs, rhs, a.map);
  else if (a.scalar !== undefined) isLeaf = true;
  else if (a.list !== undefined) isLeaf = listNode(c, path, lhs, rhs, a.list);
  else isLeaf = true;
  if (isLeaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!jsonEqual(lhs, rhs)) c.modified.insert(path);
    return;
  }
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}

function kindOf(a: Atom): string {
  return `${a.map === undefined ? '' : 'm'}${a.scalar === undefined ? '' : 's'}${a.list === undefined ? '' : 'l'}`;
}

interface Fill {
  /** Required list and map fields: a Go object holds them as null (present) when unset. */
  readonly nulls: ReadonlySet<string>;
  /** Non-pointer struct fields: `{}` when unset. */
  readonly structs: readonly string[];
}

const fillCache = new WeakMap<MapType, Fill>();

function fillOf(map: MapType): Fill {
  let hit = fillCache.get(map);
  if (hit === undefined) {
    const nulls = new Set(
      map.required.filter((k) => {
        const atom = map.fields.get(k)?.type.atom;
        return atom?.scalar === undefined && !map.zeroFields.includes(k);
      }),
    );
    const structs = map.zeroFields.filter((k) => map.fields.get(k)?.type.atom.map !== undefined);
    hit = { nulls, structs };
    fillCache.set(map, hit);
  }
  return hit;
}

/**
 * A typed map: the value's own entries without nulls, plus zero-valued structs `{}` and
 * required lists and maps (null: present, but with nothing inside).
 */
function typedMap(value: Side, map: MapType): JsonObject | undefined {
  if (!isJsonObject(value)) return undefined;
  const fill = fillOf(map);
  let out: JsonObject | undefined;
  for (const k in value) {
    if (value[k] === null && !fill.nulls.has(k)) {
      out ??= { ...value };
      Reflect.deleteProperty(out, k);
    }
  }
  for (const k of fill.nulls) {
    if (value[k] === undefined) {
      out ??= { ...value };
      out[k] = null;
    }
  }
  for (const k of fill.structs) {
    if (value[k] === undefined) {
      out ??= { ...value };
      out[k] = {};
    }
  }
  return out ?? value;
}

function isEmpty(m: JsonObject | undefined): boolean {
  for (const k in m) if (Object.hasOwn(m, k)) return false;
  return true;
}

/** Returns true when the map is compared as one leaf. */
function mapNode(c: Comparison, path: PathElement[], lhs: Side, rhs: Side, map: MapType): boolean {
  const lm = typedMap(lhs, map);
  const rm = typedMap(rhs, map);
  if (map.relationship === 'atomic' || (isEmpty(lm) && isEmpty(rm))) return true;
  for (const k in lm) {
    path.push(fieldElement(k));
    node(c, path, lm[k], rm?.[k], fieldAtom(map, k));
    path.pop();
  }
  for (const k in rm) {
    if (lm !== undefined && k in lm) continue;
    path.push(fieldElement(k));
    node(c, path, undefined, rm[k], fieldAtom(map, k));
    path.pop();
  }
  return false;
}

interface Indexed {
  readonly order: PathElement[];
  readonly items: Map<string, JsonValue[]>;
}

function index(list: ListType, items: JsonValue[] | undefined, into: Indexed): void {
  for (const item of items ?? []) {
    let pe: PathElement;
    try {
      pe = listItemElement(list, item);
    } catch {
      continue; // upstream reports and skips an item it cannot name
    }
    const have = into.items.get(pe.key);
    if (have === undefined) {
      into.items.set(pe.key, [item]);
      into.order.push(pe);
    } else have.push(item);
  }
}

/** Returns true when the list is compared as one leaf. */
function listNode(
  c: Comparison,
  path: PathElement[],
  lhs: Side,
  rhs: Side,
  list: ListType,
): boolean {
  const ll = asList(lhs);
  const rl = asList(rhs);
  if (list.relationship === 'atomic' || ((ll ?? []).length === 0 && (rl ?? []).length === 0)) {
    return true;
  }
  const left: Indexed = { order: [], items: new Map() };
  const right: Indexed = { order: [], items: new Map() };
  index(list, ll, left);
  index(list, rl, right);
  const all = [...left.order, ...right.order.filter((pe) => !left.items.has(pe.key))];
  const element = list.elementType.atom;
  for (const pe of all) {
    const l = left.items.get(pe.key) ?? [];
    const r = right.items.get(pe.key) ?? [];
    path.push(pe);
    if (l.length <= 1 && r.length <= 1) {
      node(c, path, l[0], r[0], element);
    } else if (l.length >= 2 && r.length >= 2) {
      // Duplicates on both sides compare as one atomic value.
      if (!jsonEqual(l, r)) c.modified.insert(path);
    } else if (l.length >= 2) {
      if (r[0] !== undefined) node(c, path, undefined, r[0], element);
      c.removed.insert(path);
    } else {
      if (l[0] !== undefined) node(c, path, l[0], undefined, element);
      c.added.insert(path);
    }
    path.pop();
  }
  return false;
}
