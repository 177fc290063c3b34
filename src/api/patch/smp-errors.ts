/**
 * The strategic merge patch failures of k8s.io/apimachinery/pkg/util/mergepatch and
 * strategicpatch, with upstream's wording and its HTTP classification (see
 * StrategicMergePatchError). Kept in one place so the wording is checked once.
 */
import type { JsonValue } from '../json.ts';
import { StrategicMergePatchError } from './errors.ts';
import { goSprintS, goSprintV, goTypeName } from './go-format-value.ts';

export const GO_MAP_TYPE = 'map[string]interface {}';
export const GO_SLICE_TYPE = '[]interface {}';

/** An unclassified upstream error (fmt.Errorf): HTTP 500 with an empty reason. */
export function smpFailed(message: string): StrategicMergePatchError {
  return new StrategicMergePatchError('failed', message);
}

/** mergepatch.ErrNoListOfLists (422). */
export function errNoListOfLists(): StrategicMergePatchError {
  return new StrategicMergePatchError('invalid', 'lists of lists are not supported');
}

/** mergepatch.ErrBadPatchFormatForPrimitiveList (400). */
export function errBadPatchFormatForPrimitiveList(): StrategicMergePatchError {
  return new StrategicMergePatchError('bad-format', 'invalid patch format of primitive list');
}

/** mergepatch.ErrBadPatchFormatForRetainKeys (400). */
export function errBadPatchFormatForRetainKeys(): StrategicMergePatchError {
  return new StrategicMergePatchError('bad-format', 'invalid patch format of retainKeys');
}

/** mergepatch.ErrBadPatchFormatForSetElementOrderList (400). */
export function errBadPatchFormatForSetElementOrderList(): StrategicMergePatchError {
  return new StrategicMergePatchError('bad-format', 'invalid patch format of setElementOrder list');
}

/** mergepatch.ErrNoMergeKey. */
export function errNoMergeKey(item: JsonValue, mergeKey: string): StrategicMergePatchError {
  return smpFailed(`map: ${goSprintV(item)} does not contain declared merge key: ${mergeKey}`);
}

/** mergepatch.ErrBadArgType, given the Go type name upstream expected. */
export function errBadArgType(expectedType: string, actual: JsonValue): StrategicMergePatchError {
  return smpFailed(`expected a ${expectedType}, but received a ${goTypeName(actual)}`);
}

/** mergepatch.ErrBadPatchType: a `$patch` directive upstream does not know in this place. */
export function errBadPatchType(directive: JsonValue, map: JsonValue): StrategicMergePatchError {
  return smpFailed(`unknown patch type: ${goSprintS(directive)} in map: ${goSprintV(map)}`);
}

/** findMapInSliceBasedOnKeyValue meeting a list item that is not a map. */
export function errNotAMap(index: number): StrategicMergePatchError {
  return smpFailed(`value for key ${String(index)} is not a map`);
}
