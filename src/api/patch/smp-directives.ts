/**
 * The strategic merge patch directives that act on one map, ported from upstream's patch.go
 * (k8s.io/apimachinery/pkg/util/strategicpatch, release-1.33): `$patch: replace|delete` on a
 * map, `$retainKeys`, the `$deleteFromPrimitiveList/<field>` key prefix, and the cleanup of
 * directives and nulls from values that are copied in rather than merged. They mutate their
 * arguments in place, as upstream does; strategic-merge-patch.ts only passes its own copies.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { getOwn, hasOwn, isObject, setOwn } from './json-values.ts';
import {
  errBadPatchFormatForPrimitiveList,
  errBadPatchFormatForRetainKeys,
  errBadPatchFormatForSetElementOrderList,
  errBadPatchType,
  smpFailed,
} from './smp-errors.ts';

export const DIRECTIVE_MARKER = '$patch';
export const DELETE_DIRECTIVE = 'delete';
export const REPLACE_DIRECTIVE = 'replace';
export const MERGE_DIRECTIVE = 'merge';
export const RETAIN_KEYS_STRATEGY = 'retainKeys';
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/** `delete obj[key]` for a JSON map. */
export function deleteKey(obj: JsonObject, key: string): void {
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- JSON objects are maps
  delete obj[key];
}

/** handleDirectiveInMergeMap: `$patch: replace` keeps the patch as is, `delete` empties it. */
export function handleDirectiveInMergeMap(directive: JsonValue, patch: JsonObject): JsonObject {
  if (directive === REPLACE_DIRECTIVE) {
    // upstream leaves any directive nested inside the replacement in place
    deleteKey(patch, DIRECTIVE_MARKER);
    return patch;
  }
  if (directive === DELETE_DIRECTIVE) return {};
  // `$patch: merge` on a map is rejected too: upstream only knows it in lists, where it fails.
  throw errBadPatchType(directive, patch);
}

export function containsDirectiveMarker(item: JsonValue): boolean {
  return isObject(item) && hasOwn(item, DIRECTIVE_MARKER);
}

/** extractKey: `$prefix/field` → `field`, with upstream's per-prefix format error. */
export function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    switch (prefix) {
      case DELETE_FROM_PRIMITIVE_LIST_PREFIX:
        throw errBadPatchFormatForPrimitiveList();
      case SET_ELEMENT_ORDER_PREFIX:
        throw errBadPatchFormatForSetElementOrderList();
      default:
        throw smpFailed(`fail to find unknown prefix "${prefix}" in ${key}\n`);
    }
  }
  return key.slice(slash + 1);
}

/**
 * preprocessDeletionListForMerging on the server (MergeParallelList): the list field a
 * `$deleteFromPrimitiveList/<field>` key names, or undefined for any other key.
 */
export function deletionListField(key: string): string | undefined {
  if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) return undefined;
  return extractKey(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
}

/**
 * applyRetainKeysDirective on the server: with `$retainKeys` present, every non-null key of the
 * patch must be listed (else 400), and keys of `original` not listed are cleared.
 */
export function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  const retainKeys = getOwn(patch, RETAIN_KEYS_DIRECTIVE);
  if (retainKeys === undefined) return;
  deleteKey(patch, RETAIN_KEYS_DIRECTIVE);
  if (!Array.isArray(retainKeys)) throw errBadPatchFormatForRetainKeys();
  const retained = new Set<JsonValue>(retainKeys);
  for (const key of Object.keys(patch)) {
    if (
      getOwn(patch, key) === null ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) ||
      key.startsWith(SET_ELEMENT_ORDER_PREFIX)
    ) {
      continue;
    }
    if (!retained.has(key)) throw errBadPatchFormatForRetainKeys();
  }
  for (const key of Object.keys(original)) if (!retained.has(key)) deleteKey(original, key);
}

/**
 * removeDirectives: drops every map carrying `$patch` (from its parent map or list) and returns
 * the value to use, or undefined when `value` itself is such a map. Maps are edited in place.
 */
export function removeDirectives(value: JsonValue): JsonValue | undefined {
  if (Array.isArray(value)) {
    const kept: JsonValue[] = [];
    for (const item of value) {
      const v = removeDirectives(item);
      if (v !== undefined) kept.push(v);
    }
    return kept;
  }
  if (!isObject(value)) return value;
  if (hasOwn(value, DIRECTIVE_MARKER)) return undefined;
  for (const key of Object.keys(value)) {
    const v = removeDirectives(getOwn(value, key) ?? null);
    if (v === undefined) deleteKey(value, key);
    else setOwn(value, key, v);
  }
  return value;
}

/** discardNullValuesFromPatch: removes null-valued keys from every map, however nested. */
export function discardNullValues(value: JsonValue): void {
  if (Array.isArray(value)) {
    for (const item of value) discardNullValues(item);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const v = getOwn(value, key) ?? null;
      if (v === null) deleteKey(value, key);
      else discardNullValues(v);
    }
  }
}

/**
 * extractRetainKeysPatchStrategy: the strategy other than `retainKeys` ('' when none), from
 * at most two comma-separated strategies.
 */
export function mergeStrategyOf(strategies: readonly string[]): string {
  const [first = '', second] = strategies;
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return first === RETAIN_KEYS_STRATEGY ? '' : first;
    case 2:
      if (first === RETAIN_KEYS_STRATEGY) return second ?? '';
      if (second === RETAIN_KEYS_STRATEGY) return first;
      break;
  }
  throw smpFailed(`unexpected patch strategy: [${strategies.join(' ')}]`);
}
