/**
 * What every schema walk shares (upstream's typed/helpers.go): picking the part of an untyped
 * atom that matches a value (deduceAtom), a field's type in a map, and the path element that
 * names an item of an associative list (its key fields, with schema defaults for missing
 * keys, or the item itself for a set).
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { goQuote } from '../../api/validation/go-format.ts';
import type { KeyField, PathElement } from './path-element.ts';
import { keyElement, valueElement } from './path-element.ts';
import type { Atom, ListType, MapType } from './schema.ts';
import { DEDUCED } from './schema.ts';

/** An error about one value, worded as upstream's typed.ValidationError. */
export class TypedValueError extends Error {
  readonly code = 'APPLY_TYPED_VALUE';
  constructor(message: string) {
    super(message);
    this.name = 'TypedValueError';
  }
}

/** upstream's deduceAtom: the one part of `atom` that fits `value`, else `atom` unchanged. */
export function deduceAtom(atom: Atom, value: JsonValue | undefined): Atom {
  if (value === undefined || value === null) return atom;
  if (typeof value === 'object') {
    if (Array.isArray(value)) return atom.list === undefined ? atom : { list: atom.list };
    return atom.map === undefined ? atom : { map: atom.map };
  }
  return atom.scalar === undefined ? atom : { scalar: atom.scalar };
}

/**
 * The type of key `name` in a map. Unknown keys of a struct get the deduced type: objects
 * from storage can carry fields the schema does not know, and upstream would have dropped them.
 */
export function fieldAtom(map: MapType, name: string): Atom {
  return (map.fields.get(name)?.type ?? map.elementType)?.atom ?? DEDUCED;
}

export function asMap(value: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

export function asList(value: JsonValue | undefined): JsonValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** upstream's listItemToPathElement, for an associative list. */
export function listItemElement(list: ListType, item: JsonValue): PathElement {
  if (list.keys.length > 0) {
    if (item === null) {
      throw new TypedValueError('associative list with keys may not have a null element');
    }
    if (!isJsonObject(item)) {
      throw new TypedValueError('associative list with keys may not have non-map elements');
    }
    const fields: KeyField[] = [];
    for (const name of list.keys) {
      const v = item[name];
      if (v !== undefined) {
        fields.push({ name, value: v });
        continue;
      }
      const def = list.elementType.atom.map?.fields.get(name)?.default;
      if (def !== undefined && def !== null) fields.push({ name, value: def });
    }
    if (fields.length === 0) {
      throw new TypedValueError(
        `associative list with keys has an element that omits all key fields [${list.keys.map(goQuote).join(' ')}] (and doesn't have default values for any key fields)`,
      );
    }
    return keyElement(fields);
  }
  if (isJsonObject(item)) {
    throw new TypedValueError("associative list without keys has an element that's a map type");
  }
  if (Array.isArray(item)) {
    throw new TypedValueError('not supported: associative list with lists as elements');
  }
  if (item === null) {
    throw new TypedValueError(
      "associative list without keys has an element that's an explicit null",
    );
  }
  return valueElement(item);
}
