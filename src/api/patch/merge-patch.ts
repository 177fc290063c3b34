/**
 * RFC 7386 JSON Merge Patch as kube-apiserver applies it (evanphx/json-patch v4 MergePatch): null
 * deletes a key, objects merge recursively, anything else (arrays included) replaces. Pure and
 * bounded by DEFAULT_MAX_DEPTH. Matches upstream's departures from the RFC: a `null` or scalar
 * patch is a 400 "Invalid JSON Patch"; an array patch replaces the whole document; and nulls are
 * pruned from a value only when it lands where there was no object (a new key, or replacing a
 * scalar or array), including inside objects nested in arrays, but not when an array replaces
 * an object.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { PatchMalformedError } from './errors.ts';
import { DEFAULT_MAX_DEPTH, cloneBounded, getOwn, isObject, setOwn } from './json-values.ts';

export interface MergePatchOptions {
  /** Deepest nesting of the document and the patch; default DEFAULT_MAX_DEPTH (256). */
  readonly maxDepth?: number;
}

/** upstream's jsonpatch.ErrBadJSONPatch text. */
export const BAD_JSON_PATCH_MESSAGE = 'Invalid JSON Patch';

/** Applies `patch` (a decoded merge-patch body) to `document` and returns the new document. */
export function applyMergePatch(
  document: JsonValue,
  patch: unknown,
  options: MergePatchOptions = {},
): JsonValue {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const patchValue = cloneBounded(patch, maxDepth, 'patch');
  if (patchValue === null) throw new PatchMalformedError(BAD_JSON_PATCH_MESSAGE);
  if (!isObject(patchValue)) {
    // Not a map: upstream retries it as an array, and a scalar then fails to decode.
    if (!Array.isArray(patchValue)) throw new PatchMalformedError(BAD_JSON_PATCH_MESSAGE);
    pruneNulls(patchValue);
    return patchValue;
  }
  const doc = cloneBounded(document, maxDepth, 'object');
  if (!isObject(doc)) {
    // "Not an error, just not a doc": the (pruned) patch becomes the document.
    pruneNulls(patchValue);
    return patchValue;
  }
  mergeDocs(doc, patchValue);
  return doc;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const key of Object.keys(patch)) {
    const value = getOwn(patch, key) ?? null;
    if (value === null) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- JSON objects are maps
      delete doc[key];
      continue;
    }
    const current = getOwn(doc, key);
    if (current === undefined || current === null) {
      pruneNulls(value);
      setOwn(doc, key, value);
    } else {
      setOwn(doc, key, merge(current, value));
    }
  }
}

function merge(current: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(current)) {
    pruneNulls(patch);
    return patch;
  }
  if (!isObject(patch)) return patch;
  mergeDocs(current, patch);
  return current;
}

/** Removes null-valued keys from objects, recursively; null array elements stay. */
function pruneNulls(value: JsonValue): void {
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null) pruneNulls(item);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const v = getOwn(value, key) ?? null;
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- JSON objects are maps
      if (v === null) delete value[key];
      else pruneNulls(v);
    }
  }
}
