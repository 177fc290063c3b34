/**
 * The apply merge (upstream's TypedValue.Merge with keep-RHS leaves): the applied
 * configuration laid over the live object per schema. Granular maps and structs merge key by
 * key, associative lists merge item by item (matched by key, or by value for sets) keeping
 * upstream's order (live order, with the config's items placed where the config puts them),
 * and scalars, atomic lists and atomic maps are replaced by the config's value. Subtrees present
 * on one side only are shared with the inputs, not copied: treat all three values as read-only.
 * Throws TypedValueError for a config list whose items repeat a key.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { pathElementString } from './path-element.ts';
import type { PathElement } from './path-element.ts';
import type { Atom, ListType, MapType } from './schema.ts';
import {
  TypedValueError,
  asList,
  deduceAtom,
  fieldAtom,
  listItemElement,
} from './typed-helpers.ts';

type Side = JsonValue | undefined;

export function merge(lhs: JsonValue, rhs: JsonValue, root: Atom): JsonValue {
  return node(lhs, rhs, root) ?? null;
}

function node(lhs: Side, rhs: Side, atom: Atom): Side {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const a = deduceAtom(atom, rhs);
  if (a.map !== undefined) return mapNode(lhs, rhs, a.map);
  if (a.list !== undefined && a.scalar === undefined) return listNode(lhs, rhs, a.list);
  return rhs;
}

const isEmptyMap = (v: Side): boolean => !isJsonObject(v) || Object.keys(v).length === 0;

function mapNode(lhs: JsonValue, rhs: JsonValue, map: MapType): Side {
  if (!isJsonObject(rhs) || !isJsonObject(lhs)) {
    // null (or a value of another shape) on the right: upstream keeps a non-empty left map.
    return isJsonObject(lhs) && !isEmptyMap(lhs) && rhs === null ? lhs : rhs;
  }
  if (map.relationship === 'atomic' || (isEmptyMap(lhs) && isEmptyMap(rhs))) return rhs;
  const out: JsonObject = {};
  for (const [k, lv] of Object.entries(lhs)) {
    const v = node(lv, rhs[k], fieldAtom(map, k));
    if (v !== undefined) out[k] = v;
  }
  for (const [k, rv] of Object.entries(rhs)) {
    if (k in lhs) continue;
    out[k] = rv;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

interface Indexed {
  readonly elements: PathElement[];
  readonly byKey: Map<string, JsonValue>;
}

function index(list: ListType, items: JsonValue[], allowDuplicates: boolean): Indexed {
  const elements: PathElement[] = [];
  const byKey = new Map<string, JsonValue>();
  items.forEach((item, i) => {
    let pe: PathElement;
    try {
      pe = listItemElement(list, item);
    } catch (err: unknown) {
      if (err instanceof TypedValueError) {
        throw new TypedValueError(`element ${String(i)}: ${err.message}`);
      }
      throw err;
    }
    if (byKey.has(pe.key)) {
      if (!allowDuplicates) {
        throw new TypedValueError(`duplicate entries for key ${pathElementString(pe)}`);
      }
      byKey.set(pe.key, null); // duplicated live items are not merged with the config's
    } else byKey.set(pe.key, item);
    elements.push(pe);
  });
  return { elements, byKey };
}

/** upstream's mergingWalker.visitListItems, step for step (it fixes the output order). */
function listNode(lhsValue: JsonValue, rhsValue: JsonValue, list: ListType): Side {
  const lhs = asList(lhsValue) ?? [];
  const rhs = asList(rhsValue) ?? [];
  if (list.relationship === 'atomic' || (lhs.length === 0 && rhs.length === 0)) return rhsValue;
  const element = list.elementType.atom;
  const r = index(list, rhs, false);
  const l = index(list, lhs, true);
  const shared = r.elements.filter((pe) => l.byKey.has(pe.key));
  let nextShared = shared.shift();
  const mergedRhs = new Set<string>();
  const out: JsonValue[] = [];
  const push = (v: Side): void => {
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < l.elements.length || ri < r.elements.length) {
    const lpe = l.elements[li];
    const rpe = r.elements[ri];
    if (lpe !== undefined && rpe !== undefined) {
      if (lpe.key === rpe.key) {
        mergedRhs.add(lpe.key);
        push(node(l.byKey.get(lpe.key), r.byKey.get(lpe.key), element));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (r.byKey.has(lpe.key) && nextShared !== undefined && nextShared.key !== lpe.key) {
        li++; // a shared item, but not the one this round places
        continue;
      }
    }
    if (lpe !== undefined) {
      if (!r.byKey.has(lpe.key)) {
        push(lhs[li]);
        li++;
        continue;
      } else if (mergedRhs.has(lpe.key)) {
        li++;
      }
    }
    if (rpe !== undefined) {
      mergedRhs.add(rpe.key);
      push(node(l.byKey.get(rpe.key), r.byKey.get(rpe.key), element));
      ri++;
      if (nextShared !== undefined && nextShared.key === rpe.key) nextShared = shared.shift();
    }
  }
  return out.length === 0 ? undefined : out;
}
