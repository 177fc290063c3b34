/**
 * What upstream's `$setElementOrder` code sees as the "live order" after merging a list of maps.
 * In Go, mergePatchIntoOriginal keeps the original slice header while mergeSlice deletes items
 * in place (`append(s[:k], s[k+1:]...)` shifts the backing array) and appends patch items into
 * the capacity those deletions freed. The kept header then shows the survivors, followed by the
 * appended items or leftovers. Server-only items are ordered against that view, so the result
 * depends on it (upstream's own test "add map and delete map from merging list" encodes this).
 * The capacity model is Go's append growth (encoding/json and protobuf decoding both grow
 * slices that way): powers of two up to 256 items, then growslice's 1.25x formula without
 * malloc size-class rounding (a simplification beyond 256 items).
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { getOwn, isObject } from './json-values.ts';
import { DELETE_DIRECTIVE, DIRECTIVE_MARKER, REPLACE_DIRECTIVE } from './smp-directives.ts';

/** The capacity Go's append growth leaves on a slice built by appending `length` items. */
export function appendGrownCapacity(length: number): number {
  let cap = 0;
  while (cap < length)
    cap = cap === 0 ? 1 : cap < 256 ? cap * 2 : cap + Math.floor((cap + 768) / 4);
  return cap;
}

/**
 * The original slice header's view of its backing array once mergeSlice has applied `patch`
 * (a list of maps merged by `mergeKey`, already validated by mergeSlice) to `original`.
 */
export function staleOriginalView(
  original: readonly JsonValue[],
  patch: readonly JsonValue[],
  mergeKey: string,
): JsonValue[] {
  const n = original.length;
  const keyOf = (item: JsonValue): JsonValue | undefined =>
    isObject(item) ? getOwn(item, mergeKey) : undefined;

  // Positions of each merge key value, for deleteMatchingEntries' repeated first-match removal.
  const positions = new Map<JsonValue, number[]>();
  original.forEach((item, i) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const list = positions.get(key);
    if (list === undefined) positions.set(key, [i]);
    else list.push(i);
  });

  const backing: JsonValue[] = [...original];
  const removed = new Array<boolean>(n).fill(false);
  let alive = n;
  let last = n - 1; // index of the last surviving item
  let replace = false;
  const merged: JsonObject[] = [];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const directive = getOwn(item, DIRECTIVE_MARKER);
    if (directive === REPLACE_DIRECTIVE) replace = true;
    if (directive !== DELETE_DIRECTIVE) {
      if (directive === undefined) merged.push(item);
      continue;
    }
    const key = keyOf(item);
    for (const p of key === undefined ? [] : (positions.get(key) ?? [])) {
      if (removed[p] === true) continue;
      // Removing at length L shifts the tail left and leaves slot L-1 holding the old last item.
      const lastItem = original[last];
      if (lastItem !== undefined) backing[alive - 1] = lastItem;
      removed[p] = true;
      alive--;
      while (last >= 0 && removed[last] === true) last--;
    }
  }
  const survivors = original.filter((_, i) => removed[i] !== true);
  for (let i = 0; i < survivors.length; i++) backing[i] = survivors[i] ?? null;
  if (replace) return backing; // the merge then appends to the patch's list, not this one

  // mergeSliceWithoutSpecialElements appends unmatched patch items, in place while they fit.
  const seen = new Set<JsonValue>();
  for (const item of survivors) {
    const key = keyOf(item);
    if (key !== undefined) seen.add(key);
  }
  const capacity = appendGrownCapacity(n);
  let length = survivors.length;
  for (const item of merged) {
    const key = keyOf(item);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    if (length >= capacity) break; // reallocated: later appends no longer touch this array
    if (length < n) backing[length] = item;
    length++;
  }
  return backing;
}
