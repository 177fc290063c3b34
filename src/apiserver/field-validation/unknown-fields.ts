/**
 * Unknown fields of a decoded object, found the way Go's strict decoder finds them
 * (sigs.k8s.io/json, DisallowUnknownFields): keys a struct does not declare, matched
 * case-sensitively, with paths like `spec.template.spec.containers[0].foo`. The value of an
 * unknown field is not looked into, opaque values are not either, and at most 100 paths are
 * returned, in object (document) order. pruneUnknownFields drops them, as decoding into Go
 * structs does whatever the fieldValidation directive.
 */
import type { JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import type { FieldNode } from './field-schema.ts';

/** Upstream stops recording strict errors after 100 (saveStrictError). */
export const MAX_STRICT_ERRORS = 100;

/** Go's strict field path: keys joined by `.`, list indexes as `[i]`, no leading dot. */
export function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

type Work =
  | {
      readonly unknown: false;
      readonly node: FieldNode;
      readonly value: JsonValue;
      readonly path: string;
    }
  | { readonly unknown: true; readonly path: string };

/** The children of one value to visit, in document order. */
function children(node: FieldNode, value: JsonValue, path: string): Work[] {
  const out: Work[] = [];
  switch (node.shape) {
    case 'opaque':
      break;
    case 'list':
      if (Array.isArray(value)) {
        value.forEach((el, i) => {
          out.push({ unknown: false, node: node.item, value: el, path: `${path}[${String(i)}]` });
        });
      }
      break;
    case 'map':
      if (isJsonObject(value)) {
        for (const [k, el] of Object.entries(value)) {
          out.push({ unknown: false, node: node.value, value: el, path: childPath(path, k) });
        }
      }
      break;
    case 'struct':
      if (isJsonObject(value)) {
        for (const [k, el] of Object.entries(value)) {
          const field = node.fields.get(k);
          out.push(
            field === undefined
              ? { unknown: true, path: childPath(path, k) }
              : { unknown: false, node: field, value: el, path: childPath(path, k) },
          );
        }
      }
      break;
  }
  return out;
}

/** The paths of the unknown fields in `value` for the structure `node`. */
export function findUnknownFields(
  node: FieldNode,
  value: JsonValue,
  limit = MAX_STRICT_ERRORS,
): string[] {
  const found: string[] = [];
  // Iterative depth-first walk: depth is bounded by the (already parsed) input, not the stack.
  const work: Work[] = [{ unknown: false, node, value, path: '' }];
  while (found.length < limit) {
    const item = work.pop();
    if (item === undefined) break;
    if (item.unknown) {
      found.push(item.path);
      continue;
    }
    const next = children(item.node, item.value, item.path);
    // Reversed, so the first child is visited first.
    for (let i = next.length - 1; i >= 0; i--) {
      const child = next[i];
      if (child !== undefined) work.push(child);
    }
  }
  return found;
}

/** Deletes the unknown fields of `value` in place (all of them); returns how many. */
export function pruneUnknownFields(node: FieldNode, value: JsonValue): number {
  let pruned = 0;
  const work: { node: FieldNode; value: JsonValue }[] = [{ node, value }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const { node: n, value: v } = item;
    if (n.shape === 'list' && Array.isArray(v)) {
      for (const el of v) work.push({ node: n.item, value: el });
    } else if (n.shape === 'map' && isJsonObject(v)) {
      for (const el of Object.values(v)) work.push({ node: n.value, value: el });
    } else if (n.shape === 'struct' && isJsonObject(v)) {
      for (const [k, el] of Object.entries(v)) {
        const field = n.fields.get(k);
        if (field === undefined) {
          // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- pruning is the point
          delete v[k];
          pruned++;
        } else {
          work.push({ node: field, value: el });
        }
      }
    }
  }
  return pruned;
}
