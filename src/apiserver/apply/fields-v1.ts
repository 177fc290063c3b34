/**
 * The FieldsV1 wire form of a FieldSet (metav1.FieldsV1), as upstream's Set.ToJSON/FromJSON:
 * a JSON object per trie node, one key per path element (`f:`, `k:`, `v:`, `i:`), `{}` for a
 * leaf, and `".": {}` first in a node that is itself a member and has children. Keys appear in
 * upstream's sorted PathElement order. Reading skips keys of unknown element types, as
 * upstream does, and rejects anything that is not nested objects.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { FieldSet } from './field-set.ts';
import { PathElementError, parsePathElement } from './path-element.ts';

/** Upstream's Set.ToJSON. */
export function toFieldsV1(set: FieldSet): JsonObject {
  return emit(set, false);
}

function emit(set: FieldSet, includeSelf: boolean): JsonObject {
  const out: JsonObject = {};
  const elements = set.sortedElements();
  if (includeSelf && elements.length > 0) out['.'] = {};
  for (const e of elements) out[e.pe.key] = e.child === undefined ? {} : emit(e.child, e.member);
  return out;
}

/** Upstream's Set.FromJSON; throws PathElementError on malformed input. */
export function fromFieldsV1(value: JsonValue | undefined): FieldSet {
  if (value === undefined || value === null) return new FieldSet();
  if (!isJsonObject(value)) throw new PathElementError('FieldsV1 must be a JSON object');
  return read(value).children ?? new FieldSet();
}

/** Returns the node's subtree (undefined when it has none) and whether it is a member. */
function read(node: JsonObject): { children: FieldSet | undefined; isMember: boolean } {
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, sub] of Object.entries(node)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    const pe = parsePathElement(key);
    if (pe === undefined) continue;
    if (!isJsonObject(sub)) throw new PathElementError(`expected an object at ${key}`);
    const below = read(sub);
    if (below.isMember) {
      children ??= new FieldSet();
      children.addMember(pe);
    }
    if (below.children !== undefined) {
      children ??= new FieldSet();
      children.addChild(pe, below.children);
    }
  }
  if (children === undefined) isMember = true;
  return { children, isMember };
}
