/**
 * Removes the members of a field set from a value (upstream's TypedValue.RemoveItems): a member
 * path drops that map key or list item with everything below it; paths below a member-less node
 * recurse into it. A map or list left empty disappears (upstream leaves null, which typed
 * objects read as absent). Atomic maps and lists are never entered.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import type { FieldSet } from './field-set.ts';
import { fieldElement } from './path-element.ts';
import type { Atom } from './schema.ts';
import { deduceAtom, fieldAtom, listItemElement } from './typed-helpers.ts';

export function removeItems(value: JsonValue, toRemove: FieldSet, root: Atom): JsonValue {
  return walk(value, toRemove, root) ?? null;
}

function walk(value: JsonValue, toRemove: FieldSet, atom: Atom): JsonValue | undefined {
  if (toRemove.isEmpty()) return value;
  const a = deduceAtom(atom, value);
  if (a.map !== undefined) {
    if (!isJsonObject(value)) return value;
    if (Object.keys(value).length === 0) return undefined;
    if (a.map.relationship === 'atomic') return undefined;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const pe = fieldElement(k);
      if (toRemove.members.has(pe.key)) continue;
      const sub = toRemove.withPrefix(pe);
      const kept = sub.isEmpty() ? v : walk(v, sub, fieldAtom(a.map, k));
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (a.scalar !== undefined) return value;
  if (a.list !== undefined) {
    if (!Array.isArray(value) || value.length === 0) return undefined;
    if (a.list.relationship === 'atomic') return undefined;
    const out: JsonValue[] = [];
    for (const item of value) {
      let key: string;
      try {
        key = listItemElement(a.list, item).key;
      } catch {
        out.push(item); // an item without a valid key cannot be named by the set
        continue;
      }
      if (toRemove.members.has(key)) continue;
      const sub = toRemove.children.get(key)?.set;
      const kept = sub === undefined ? item : walk(item, sub, a.list.elementType.atom);
      if (kept !== undefined) out.push(kept);
    }
    return out.length === 0 ? undefined : out;
  }
  return value;
}
