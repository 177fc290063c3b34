/**
 * The fields a value sets, as upstream's TypedValue.ToFieldSet: every scalar, every atomic list
 * or map (as one leaf), every item of an associative list (and the fields inside it), every key
 * of a granular map, and empty or null map values. Struct fields that merely contain other
 * fields are not members themselves; ensureNamedFieldsAreMembers adds them where upstream's
 * pruning needs them. Duplicate items of an associative list are owned as a whole.
 */
import type { JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { FieldSet } from './field-set.ts';
import type { PathElement } from './path-element.ts';
import { fieldElement } from './path-element.ts';
import type { Atom } from './schema.ts';
import { asList, asMap, deduceAtom, fieldAtom, listItemElement } from './typed-helpers.ts';

/** The field set of `value` (an object of the kind whose root type is `root`). */
export function toFieldSet(value: JsonValue, root: Atom): FieldSet {
  return walk(value, root).sub ?? new FieldSet();
}

interface Walked {
  /** The value is a leaf: its own path is a member. */
  readonly self: boolean;
  readonly sub: FieldSet | undefined;
}

const LEAF: Walked = { self: true, sub: undefined };
const NOTHING: Walked = { self: false, sub: undefined };

function walk(value: JsonValue, atom: Atom): Walked {
  const a = deduceAtom(atom, value);
  if (a.map !== undefined) {
    if (a.map.relationship === 'atomic') return LEAF;
    const m = asMap(value);
    if (m === undefined) return NOTHING;
    const sub = new FieldSet();
    for (const [key, v] of Object.entries(m)) {
      const pe = fieldElement(key);
      const below = walk(v, fieldAtom(a.map, key));
      if (
        below.self ||
        v === null ||
        (isJsonObject(v) && Object.keys(v).length === 0) ||
        !a.map.fields.has(key)
      ) {
        sub.addMember(pe);
      }
      if (below.sub !== undefined) sub.addChild(pe, below.sub);
    }
    return { self: false, sub };
  }
  if (a.scalar !== undefined) return LEAF;
  if (a.list !== undefined) {
    if (a.list.relationship === 'atomic') return LEAF;
    const items = asList(value);
    if (items === undefined) return NOTHING;
    const elements: (PathElement | undefined)[] = items.map((item) => {
      try {
        return listItemElement(a.list as NonNullable<typeof a.list>, item);
      } catch {
        return undefined; // only reachable for values that failed validation
      }
    });
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const pe of elements) {
      if (pe === undefined) continue;
      if (seen.has(pe.key)) duplicates.add(pe.key);
      seen.add(pe.key);
    }
    const sub = new FieldSet();
    const elementAtom = a.list.elementType.atom;
    items.forEach((item, i) => {
      const pe = elements[i];
      if (pe === undefined) return;
      sub.addMember(pe);
      if (duplicates.has(pe.key)) return;
      const below = walk(item, elementAtom);
      if (below.sub !== undefined) sub.addChild(pe, below.sub);
    });
    return { self: false, sub };
  }
  return NOTHING;
}

const NO_ATOM: Atom = {};

/**
 * upstream's Set.EnsureNamedFieldsAreMembers: also makes members of the struct fields that
 * have children in the set (but not of map keys or list items).
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, atom: Atom): FieldSet {
  if (set.children.size === 0) return set;
  const out = new FieldSet(new Map(set.members));
  for (const c of set.children.values()) {
    let childAtom = NO_ATOM;
    if (c.pe.type === 'field' && atom.map !== undefined) {
      const field = atom.map.fields.get(c.pe.name);
      if (field !== undefined) out.addMember(c.pe);
      childAtom = (field?.type ?? atom.map.elementType)?.atom ?? NO_ATOM;
    } else if (c.pe.type === 'key' && atom.list !== undefined) {
      childAtom = atom.list.elementType.atom;
    }
    out.children.set(c.pe.key, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, childAtom) });
  }
  return out;
}
