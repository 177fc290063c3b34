/**
 * List bookkeeping of the strategic merge patch, ported from upstream's patch.go: element type
 * checks, splitting a merged list into patch items and server-only items, and the order rules
 * (patch order first, live order for server-only items, interleaved by mergeSortedSlice).
 * Guarantee: linear or n·log n in list length. Upstream scans lists for every lookup (quadratic);
 * the hash indexes here return the same first match, including upstream's error when a non-map
 * is met before the match.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import type { GoKind } from './json-values.ts';
import { getOwn, goKindOf, hasOwn, isObject } from './json-values.ts';
import { DELETE_DIRECTIVE, DIRECTIVE_MARKER } from './smp-directives.ts';
import {
  GO_MAP_TYPE,
  errBadArgType,
  errNoListOfLists,
  errNoMergeKey,
  errNotAMap,
  smpFailed,
} from './smp-errors.ts';
import { goSprintV } from './go-format-value.ts';

/** sliceElementType: the one Go kind shared by every element of the lists. */
export function sliceElementKind(...lists: readonly (readonly JsonValue[])[]): GoKind {
  let kind: GoKind | undefined;
  for (const list of lists) {
    for (const item of list) {
      const k = goKindOf(item);
      if (kind === undefined) {
        // A nil first element makes upstream panic (nil reflect.Type); report it as a failure.
        if (k === 'nil') throw smpFailed('list element types are not identical: <nil> element');
        if (k === 'slice') throw errNoListOfLists();
        kind = k;
      } else if (k !== kind) {
        throw smpFailed(`list element types are not identical: ${goSprintV(lists as JsonValue[])}`);
      }
    }
  }
  if (kind === undefined) throw smpFailed('no elements in any of the given slices');
  return kind;
}

/** The value `index()` compares: the merge key's value for maps (nil if absent), else the item. */
function orderKey(item: JsonValue, mergeKey: string, kind: GoKind): JsonValue {
  if (kind !== 'map') return item;
  return isObject(item) ? (getOwn(item, mergeKey) ?? null) : null;
}

/** upstream's `index(list, item, mergeKey, kind)` as a precomputed first-position lookup. */
class OrderIndex {
  private readonly first = new Map<JsonValue, number>();
  private readonly mergeKey: string;
  private readonly kind: GoKind;
  constructor(list: readonly JsonValue[], mergeKey: string, kind: GoKind) {
    this.mergeKey = mergeKey;
    this.kind = kind;
    list.forEach((item, i) => {
      const key = orderKey(item, mergeKey, kind);
      if (!this.first.has(key)) this.first.set(key, i);
    });
  }
  /** Position of the first element matching `item`, or -1. */
  indexOf(item: JsonValue): number {
    return this.first.get(orderKey(item, this.mergeKey, this.kind)) ?? -1;
  }
}

/**
 * findMapInSliceBasedOnKeyValue over a fixed list: the first map whose `mergeKey` equals a
 * value, failing like upstream when a non-map comes before it (or before the end).
 */
export class MergeKeyIndex {
  private readonly first = new Map<JsonValue, number>();
  private readonly firstNonMap: number | undefined;
  constructor(list: readonly JsonValue[], mergeKey: string) {
    let firstNonMap: number | undefined;
    list.forEach((item, i) => {
      if (!isObject(item)) {
        firstNonMap ??= i;
        return;
      }
      const value = getOwn(item, mergeKey);
      if (value !== undefined && !this.first.has(value)) this.first.set(value, i);
    });
    this.firstNonMap = firstNonMap;
  }
  find(value: JsonValue): number | undefined {
    const at = this.first.get(value);
    if (this.firstNonMap !== undefined && (at === undefined || at > this.firstNonMap)) {
      throw errNotAMap(this.firstNonMap);
    }
    return at;
  }
  /** Records a map appended at `index` (upstream appends to the list it searches). */
  add(value: JsonValue, index: number): void {
    if (!this.first.has(value)) this.first.set(value, index);
  }
}

function validateMergeKeyInLists(
  mergeKey: string,
  ...lists: readonly (readonly JsonValue[])[]
): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isObject(item)) throw errBadArgType(GO_MAP_TYPE, item);
      if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** extractToDeleteItems: [items to keep, items marked `$patch: delete`]; all must be maps. */
export function splitDeleteItems(list: readonly JsonValue[]): [JsonObject[], JsonObject[]] {
  const keep: JsonObject[] = [];
  const toDelete: JsonObject[] = [];
  for (const item of list) {
    if (!isObject(item)) throw errBadArgType(GO_MAP_TYPE, item);
    if (getOwn(item, DIRECTIVE_MARKER) === DELETE_DIRECTIVE) toDelete.push(item);
    else keep.push(item);
  }
  return [keep, toDelete];
}

/** partitionPrimitivesByPresentInList: [items present in `by`, the others]. */
export function partitionPrimitives(
  list: readonly JsonValue[],
  by: readonly JsonValue[],
): [JsonValue[], JsonValue[]] {
  const present = new Set(by);
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const item of list) (present.has(item) ? inPatch : serverOnly).push(item);
  return [inPatch, serverOnly];
}

/** partitionMapsByPresentInList: [maps whose merge key appears in `by`, the others]. */
export function partitionMaps(
  list: readonly JsonValue[],
  by: readonly JsonValue[],
  mergeKey: string,
): [JsonValue[], JsonValue[]] {
  const index = new MergeKeyIndex(by, mergeKey);
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const item of list) {
    if (!isObject(item)) throw errBadArgType(GO_MAP_TYPE, item);
    const value = getOwn(item, mergeKey);
    if (value === undefined) throw errNoMergeKey(item, mergeKey);
    (index.find(value) === undefined ? serverOnly : inPatch).push(item);
  }
  return [inPatch, serverOnly];
}

/**
 * normalizeSliceOrder: a stable sort by position in `order`; for maps, merge keys are checked
 * and `$patch: delete` items go last. Upstream's comparator says "less" whenever either item is
 * absent from `order`; lists of up to 20 items get Go's exact insertion sort for that case.
 * Simplified: longer lists with absent items (only reachable with malformed patches) sort the
 * absent ones first instead of replaying Go's block merge sort.
 */
function normalizeSliceOrder(
  toSort: readonly JsonValue[],
  order: readonly JsonValue[],
  mergeKey: string,
  kind: GoKind,
): JsonValue[] {
  let items: JsonValue[] = [...toSort];
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    [items, toDelete] = splitDeleteItems(toSort);
  }
  const index = new OrderIndex(order, mergeKey, kind);
  const positions = items.map((item) => index.indexOf(item));
  const decorated = items.map((item, i) => ({ item, pos: positions[i] ?? -1 }));
  if (decorated.every((d) => d.pos >= 0)) {
    decorated.sort((a, b) => a.pos - b.pos);
  } else if (decorated.length <= 20) {
    // Go's insertionSort with less(i, j) = !(both found) || pos(i) < pos(j)
    for (let i = 1; i < decorated.length; i++) {
      for (let j = i; j > 0; j--) {
        const a = decorated[j];
        const b = decorated[j - 1];
        if (a === undefined || b === undefined) break;
        if (a.pos >= 0 && b.pos >= 0 && a.pos >= b.pos) break;
        decorated[j] = b;
        decorated[j - 1] = a;
      }
    }
  } else {
    decorated.sort((a, b) => a.pos - b.pos);
  }
  return [...decorated.map((d) => d.item), ...toDelete];
}

/**
 * normalizeElementOrder: patch items in patch order, server-only items in live order, then
 * interleaved so each server-only item goes before the first patch item that follows it live.
 */
export function normalizeElementOrder(
  patchItems: readonly JsonValue[],
  serverOnly: readonly JsonValue[],
  patchOrder: readonly JsonValue[],
  serverOrder: readonly JsonValue[],
  mergeKey: string,
  kind: GoKind,
): JsonValue[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(left, right, new OrderIndex(serverOrder, mergeKey, kind));
}

/** mergeSortedSlice: take from `left` only while both items are live and `left`'s comes first. */
function mergeSortedSlice(
  left: readonly JsonValue[],
  right: readonly JsonValue[],
  serverOrder: OrderIndex,
): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    if (l === undefined) {
      if (r !== undefined) out.push(r);
      j++;
    } else if (r === undefined) {
      out.push(l);
      i++;
    } else {
      const li = serverOrder.indexOf(l);
      const ri = serverOrder.indexOf(r);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push(l);
        i++;
      } else {
        out.push(r);
        j++;
      }
    }
  }
  return out;
}
