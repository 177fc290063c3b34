/**
 * Kubernetes strategic merge patch as kube-apiserver applies it (StrategicMergeMapPatch with
 * MergeParallelList and IgnoreUnmatchedNulls, k8s.io/apimachinery/pkg/util/strategicpatch
 * patch.go, release-1.33), ported function by function: maps merge, null deletes, lists whose
 * field says `x-kubernetes-patch-strategy: merge` merge by `x-kubernetes-patch-merge-key` (or
 * as a union of primitives), other lists are replaced; `$patch`, `$retainKeys`,
 * `$deleteFromPrimitiveList/…` and `$setElementOrder/…` directives. Pure and bounded: works on
 * copies, rejects nesting past maxDepth, and is n·log n in list sizes. Upstream leaves values it
 * takes whole (a replaced list, a new list item) uncleaned, and so does this port.
 * Deterministic where upstream is not: Go visits patch keys in random order, this port in the
 * patch's key order (only a patch that adds and deletes the same primitive can tell).
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { PatchMalformedError } from './errors.ts';
import {
  DEFAULT_MAX_DEPTH,
  cloneBounded,
  getOwn,
  goKindOf,
  isObject,
  jsonKind,
  setOwn,
} from './json-values.ts';
import type { PatchMetaSource } from './patch-meta.ts';
import {
  DELETE_DIRECTIVE,
  DIRECTIVE_MARKER,
  MERGE_DIRECTIVE,
  REPLACE_DIRECTIVE,
  applyRetainKeysDirective,
  deleteKey,
  deletionListField,
  discardNullValues,
  handleDirectiveInMergeMap,
  mergeStrategyOf,
  removeDirectives,
} from './smp-directives.ts';
import { errBadPatchType, errNoMergeKey, smpFailed } from './smp-errors.ts';
import {
  MergeKeyIndex,
  normalizeElementOrder,
  partitionMaps,
  partitionPrimitives,
  sliceElementKind,
} from './smp-order.ts';
import { applySetElementOrder } from './smp-set-element-order.ts';

export interface StrategicMergePatchOptions {
  /** Deepest nesting of the object and the patch; default DEFAULT_MAX_DEPTH (256). */
  readonly maxDepth?: number;
}

/**
 * Applies `patch` (a decoded strategic-merge-patch body) to `original`, using `schema` for each
 * field's patch strategy and merge key. A `null` patch changes nothing, as upstream.
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: unknown,
  schema: PatchMetaSource,
  options: StrategicMergePatchOptions = {},
): JsonObject {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (patch !== null && (typeof patch !== 'object' || Array.isArray(patch))) {
    throw new PatchMalformedError(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`,
    );
  }
  const patchMap = patch === null ? {} : (cloneBounded(patch, maxDepth, 'patch') as JsonObject);
  const originalMap = cloneBounded(original, maxDepth, 'object');
  if (!isObject(originalMap)) throw new PatchMalformedError('invalid JSON document');
  return mergeMap(originalMap, patchMap, schema);
}

/** Sets `obj[key]` to what removeDirectives leaves of `value`, or deletes it if nothing. */
function setCleaned(obj: JsonObject, key: string, value: JsonValue): void {
  const cleaned = removeDirectives(value);
  if (cleaned === undefined) deleteKey(obj, key);
  else setOwn(obj, key, cleaned);
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchMetaSource): JsonObject {
  const directive = getOwn(patch, DIRECTIVE_MARKER);
  if (directive !== undefined) return handleDirectiveInMergeMap(directive, patch);

  applyRetainKeysDirective(original, patch);
  applySetElementOrder(original, patch, schema, mergeSliceHandler);

  for (const patchKey of Object.keys(patch)) {
    const patchValue = getOwn(patch, patchKey) ?? null;
    const listField = deletionListField(patchKey);
    const isDeleteList = listField !== undefined;
    // upstream keeps the prefixed key when nothing follows the slash
    const key = listField !== undefined && listField !== '' ? listField : patchKey;

    if (patchValue === null) {
      deleteKey(original, key);
      continue;
    }
    const current = getOwn(original, key);
    if (current === undefined || goKindOf(current) !== goKindOf(patchValue)) {
      // Absent, or of another type: take the patch value (a deletion list adds nothing).
      if (!isDeleteList) {
        discardNullValues(patchValue);
        setCleaned(original, key, patchValue);
      }
      continue;
    }
    if (isObject(current) && isObject(patchValue)) {
      const meta = schema.lookupField(key);
      const strategy = mergeStrategyOf(meta.strategies);
      setOwn(original, key, mergeMapHandler(current, patchValue, meta.fieldSchema, strategy));
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      const meta = schema.lookupField(key);
      const strategy = mergeStrategyOf(meta.strategies);
      setOwn(
        original,
        key,
        mergeSliceHandler(
          current,
          patchValue,
          meta.itemSchema,
          strategy,
          meta.mergeKey,
          isDeleteList,
        ),
      );
    } else {
      setCleaned(original, key, patchValue);
    }
  }
  return original;
}

/** A map field with strategy `replace` takes the patch as is; any other merges. */
function mergeMapHandler(
  original: JsonObject,
  patch: JsonObject,
  schema: PatchMetaSource,
  strategy: string,
): JsonObject {
  return strategy === REPLACE_DIRECTIVE ? patch : mergeMap(original, patch, schema);
}

/** Lists merge with strategy `merge` (and deletion lists always); others are replaced. */
function mergeSliceHandler(
  original: JsonValue[],
  patch: JsonValue[],
  schema: PatchMetaSource,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): JsonValue[] {
  if (strategy === MERGE_DIRECTIVE || isDeleteList) {
    return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  }
  return patch;
}

function mergeSlice(
  original: JsonValue[],
  patch: JsonValue[],
  schema: PatchMetaSource,
  mergeKey: string,
  isDeleteList: boolean,
): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let live = original;
  let patchItems = patch;
  let merged: JsonValue[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const toDelete = new Set(patch);
      return original.filter((item) => !toDelete.has(item));
    }
    // upstream deduplicates in place (order is restored by normalizeElementOrder below)
    merged = [...new Set([...original, ...patch])];
  } else {
    if (mergeKey === '') throw smpFailed(`cannot merge lists without merge key for ${schema.name}`);
    [live, patchItems] = applyListDirectives(original, patch as JsonObject[], mergeKey);
    merged = mergeByKey(live, patchItems as JsonObject[], mergeKey, schema);
  }
  const [inPatch, serverOnly] =
    mergeKey === ''
      ? partitionPrimitives(merged, patchItems)
      : partitionMaps(merged, patchItems, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, live, mergeKey, kind);
}

/**
 * mergeSliceWithSpecialElements: applies `$patch: delete` items (every live item with that merge
 * key goes) and `$patch: replace` (the patch's other items become the list); returns the live
 * list and the patch items left to merge.
 */
function applyListDirectives(
  original: JsonValue[],
  patch: JsonObject[],
  mergeKey: string,
): [JsonValue[], JsonObject[]] {
  const rest: JsonObject[] = [];
  const deleted = new Set<JsonValue>();
  let replace = false;
  for (const item of patch) {
    const directive = getOwn(item, DIRECTIVE_MARKER);
    if (directive === undefined) {
      rest.push(item);
    } else if (directive === DELETE_DIRECTIVE) {
      const value = getOwn(item, mergeKey);
      if (value === undefined) throw errNoMergeKey(item, mergeKey);
      deleted.add(value);
    } else if (directive === REPLACE_DIRECTIVE) {
      replace = true; // keep going: the other directives are still pruned
    } else if (directive === MERGE_DIRECTIVE) {
      throw smpFailed('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, item);
    }
  }
  if (replace) return [rest, []];
  if (deleted.size === 0) return [original, rest];
  const live = original.filter((item) => {
    const value = isObject(item) ? getOwn(item, mergeKey) : undefined;
    return value === undefined || !deleted.has(value);
  });
  return [live, rest];
}

/**
 * mergeSliceWithoutSpecialElements: each patch item merges into the first live item with its
 * merge key, or is appended (so a later patch item with the same key merges into it).
 */
function mergeByKey(
  live: JsonValue[],
  patch: JsonObject[],
  mergeKey: string,
  schema: PatchMetaSource,
): JsonValue[] {
  const out = [...live];
  const index = new MergeKeyIndex(out, mergeKey);
  for (const item of patch) {
    const value = getOwn(item, mergeKey);
    if (value === undefined) throw errNoMergeKey(item, mergeKey);
    const at = index.find(value);
    const target = at === undefined ? undefined : out[at];
    if (at !== undefined && isObject(target ?? null)) {
      out[at] = mergeMap(target as JsonObject, item, schema);
    } else {
      out.push(item);
      index.add(value, out.length - 1);
    }
  }
  return out;
}
