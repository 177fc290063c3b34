/**
 * `$setElementOrder/<field>` (upstream's mergePatchIntoOriginal, as kubectl apply and edit send
 * it): the list named by the directive is merged first, then ordered with precedence
 * `$setElementOrder` > patch order > live order, following
 * design-proposals-archive/cli/preserve-order-in-strategic-merge-patch.md. The directive and the
 * list are removed from the patch so the main merge does not see them again.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import type { PatchMetaSource } from './patch-meta.ts';
import { getOwn, hasOwn, setOwn } from './json-values.ts';
import {
  MERGE_DIRECTIVE,
  SET_ELEMENT_ORDER_PREFIX,
  containsDirectiveMarker,
  deleteKey,
  extractKey,
  mergeStrategyOf,
  removeDirectives,
} from './smp-directives.ts';
import {
  GO_MAP_TYPE,
  GO_SLICE_TYPE,
  errBadArgType,
  errNoMergeKey,
  smpFailed,
} from './smp-errors.ts';
import { goSprintV } from './go-format-value.ts';
import {
  normalizeElementOrder,
  partitionMaps,
  partitionPrimitives,
  sliceElementKind,
  splitDeleteItems,
} from './smp-order.ts';
import { staleOriginalView } from './smp-slice-aliasing.ts';

/** mergeSliceHandler, injected to keep this file free of an import cycle with the core. */
export type SliceMerger = (
  original: JsonValue[],
  patch: JsonValue[],
  schema: PatchMetaSource,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
) => JsonValue[];

export function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  schema: PatchMetaSource,
  mergeSlice: SliceMerger,
): void {
  for (const key of Object.keys(patch)) {
    // A key deleted earlier in this loop is not visited, as in Go's range over a map.
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX) || !hasOwn(patch, key)) continue;
    const order = getOwn(patch, key) ?? null;
    deleteKey(patch, key);
    if (!Array.isArray(order)) throw errBadArgType(GO_SLICE_TYPE, order);
    const field = extractKey(key, SET_ELEMENT_ORDER_PREFIX);

    const originalList = getOwn(original, field);
    const patchList = getOwn(patch, field);
    if (originalList !== undefined && !Array.isArray(originalList)) {
      throw errBadArgType(GO_SLICE_TYPE, originalList);
    }
    if (patchList !== undefined && !Array.isArray(patchList)) {
      throw errBadArgType(GO_SLICE_TYPE, patchList);
    }
    const meta = schema.lookupField(field);
    const strategy = mergeStrategyOf(meta.strategies);
    validatePatchWithSetOrderList(patchList ?? [], order, meta.mergeKey);

    let merged: JsonValue[];
    if (originalList !== undefined && patchList === undefined) {
      merged = originalList;
    } else if (originalList === undefined && patchList !== undefined) {
      merged = removeDirectives(patchList) as JsonValue[];
    } else if (originalList !== undefined && patchList !== undefined) {
      merged = mergeSlice(originalList, patchList, meta.itemSchema, strategy, meta.mergeKey, false);
    } else {
      continue;
    }

    const [patchItems, serverOnly] =
      meta.mergeKey === ''
        ? partitionPrimitives(merged, order)
        : partitionMaps(merged, order, meta.mergeKey);
    const kind = sliceElementKind(originalList ?? [], patchList ?? []);
    // Go orders server-only items against its stale header on the original slice (see
    // smp-slice-aliasing.ts); only a merge by key rewrites that slice in place.
    const liveOrder =
      originalList !== undefined &&
      patchList !== undefined &&
      strategy === MERGE_DIRECTIVE &&
      kind === 'map' &&
      meta.mergeKey !== ''
        ? staleOriginalView(originalList, patchList, meta.mergeKey)
        : (originalList ?? []);
    setOwn(
      original,
      field,
      normalizeElementOrder(patchItems, serverOnly, order, liveOrder, meta.mergeKey, kind),
    );
    deleteKey(patch, field);
  }
}

/** mergeKeyValueEqual: items equal by merge key (maps), or by value when there is none. */
function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (typeof left !== 'object' || left === null || Array.isArray(left)) {
    throw errBadArgType(GO_MAP_TYPE, left);
  }
  if (typeof right !== 'object' || right === null || Array.isArray(right)) {
    throw errBadArgType(GO_MAP_TYPE, right);
  }
  if (!hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return getOwn(left, mergeKey) === getOwn(right, mergeKey);
}

/**
 * validatePatchWithSetOrderList: the patch's items (deletions and directives aside) must appear
 * in the `$setElementOrder` list, in the same relative order.
 */
function validatePatchWithSetOrderList(
  patchList: readonly JsonValue[],
  order: readonly JsonValue[],
  mergeKey: string,
): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items: readonly JsonValue[] = mergeKey === '' ? patchList : splitDeleteItems(patchList)[0];
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p] ?? null;
    if (containsDirectiveMarker(item)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[s] ?? null, mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw smpFailed(
      `The order in patch list:\n${goSprintV(patchList as JsonValue[])}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goSprintV(order as JsonValue[])}\n`,
    );
  }
}
