/**
 * The file entries of secret, configMap, downwardAPI and projected volumes as upstream checks
 * them (k/k core validation, v1.33: validateKeyToPath, validateDownwardAPIVolumeFile and the
 * file mode rule): keys and paths required, paths inside the volume, modes in 0..0777,
 * downwardAPI files reading exactly one of fieldRef (metadata only) and resourceFieldRef (its
 * divisor is not checked).
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid, notSupported, required } from '../validation/field-error.ts';
import { childPath } from '../validation/field-path.ts';
import { validateObjectFieldSelector } from './env-validation.ts';
import { num, obj, str } from './json-fields.ts';
import { validateLocalNonReservedPath } from './local-path-validation.ts';

/** Upstream's fileModeErrorMsg. */
export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Field paths a downwardAPI volume file may read (validVolumeDownwardAPIFieldPathExpressions). */
const VOLUME_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];

/** validContainerResourceFieldPathExpressions, sorted. */
const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const HUGEPAGES_PREFIXES = ['requests.hugepages-', 'limits.hugepages-'];

/** An Invalid error when `o[key]` is a mode outside 0..0777. */
export function validateFileMode(
  o: JsonObject | undefined,
  key: string,
  path: string,
): FieldError[] {
  const mode = num(o, key);
  return mode !== undefined && (mode > 0o777 || mode < 0)
    ? [invalid(childPath(path, key), mode, FILE_MODE_ERROR)]
    : [];
}

/** Upstream's validateKeyToPath (an `items[]` entry of secret and configMap sources). */
export function validateKeyToPath(kp: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (str(kp, 'key') === '') errs.push(required(childPath(path, 'key')));
  const target = str(kp, 'path');
  if (target === '') errs.push(required(childPath(path, 'path')));
  errs.push(...validateLocalNonReservedPath(target, childPath(path, 'path')));
  errs.push(...validateFileMode(kp, 'mode', path));
  return errs;
}

/** Upstream's validateContainerResourceFieldSelector for a volume file (divisor unchecked). */
function validateResourceFieldRef(ref: JsonObject, path: string): FieldError[] {
  const resource = str(ref, 'resource');
  if (str(ref, 'containerName') === '') return [required(childPath(path, 'containerName'))];
  if (resource === '') return [required(childPath(path, 'resource'))];
  if (RESOURCE_FIELD_PATHS.includes(resource)) return [];
  if (HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p))) return [];
  return [notSupported(childPath(path, 'resource'), resource, RESOURCE_FIELD_PATHS)];
}

/** Upstream's validateDownwardAPIVolumeFile; `path` is the source's, as upstream passes it. */
export function validateDownwardAPIVolumeFile(file: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const target = str(file, 'path');
  if (target === '') errs.push(required(childPath(path, 'path')));
  errs.push(...validateLocalNonReservedPath(target, childPath(path, 'path')));
  const fieldRef = obj(file, 'fieldRef');
  const resourceFieldRef = obj(file, 'resourceFieldRef');
  if (fieldRef !== undefined) {
    errs.push(
      ...validateObjectFieldSelector(fieldRef, VOLUME_FIELD_PATHS, childPath(path, 'fieldRef')),
    );
    if (resourceFieldRef !== undefined) {
      errs.push(
        invalid(
          path,
          'resource',
          'fieldRef and resourceFieldRef can not be specified simultaneously',
        ),
      );
    }
  } else if (resourceFieldRef !== undefined) {
    errs.push(...validateResourceFieldRef(resourceFieldRef, childPath(path, 'resourceFieldRef')));
  } else {
    errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateFileMode(file, 'mode', path));
  return errs;
}
