/**
 * Upstream's validateProjectedVolumeSource and validateProjectionSources (k/k core validation,
 * v1.33), paths and quirks included: a source may be one of secret, configMap, downwardAPI and
 * serviceAccountToken; every file path must be unique across the sources ("conflicting
 * duplicate paths", reported on the projected source with the secret's or configMap's name, or
 * the downwardAPI path, as the bad value); the token's path errors are reported on
 * `projected.path`, as upstream does. clusterTrustBundle sources (ClusterTrustBundleProjection,
 * off by default in v1.33) are not checked.
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden, invalid, required } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { num, obj, objs, str } from './json-fields.ts';
import { validateLocalNonReservedPath } from './local-path-validation.ts';
import {
  validateDownwardAPIVolumeFile,
  validateFileMode,
  validateKeyToPath,
} from './volume-file-validation.ts';

const MIN_TOKEN_EXPIRATION_SECONDS = 10 * 60;
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

/** Upstream's validateProjectedVolumeSource; `path` is `...volumes[i].projected`. */
export function validateProjectedVolumeSource(projected: JsonObject, path: string): FieldError[] {
  const errs = validateFileMode(projected, 'defaultMode', path);
  const allPaths = new Set<string>();
  /** Records a file path; a second use is upstream's "conflicting duplicate paths". */
  const claim = (filePath: string, value: string): void => {
    if (filePath === '') return;
    if (allPaths.has(filePath)) errs.push(invalid(path, value, 'conflicting duplicate paths'));
    else allPaths.add(filePath);
  };

  objs(projected, 'sources').forEach((source, i) => {
    let sources = 0;
    const srcPath = indexPath(childPath(path, 'sources'), i);
    for (const kind of ['secret', 'configMap'] as const) {
      const src = obj(source, kind);
      if (src === undefined) continue;
      sources++;
      const projPath = childPath(srcPath, kind);
      const name = str(src, 'name');
      if (name === '') errs.push(required(childPath(projPath, 'name')));
      objs(src, 'items').forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, indexPath(childPath(projPath, 'items'), j)));
        claim(str(kp, 'path'), name);
      });
    }
    const downward = obj(source, 'downwardAPI');
    if (downward !== undefined) {
      sources++;
      for (const file of objs(downward, 'items')) {
        errs.push(...validateDownwardAPIVolumeFile(file, childPath(srcPath, 'downwardAPI')));
        claim(str(file, 'path'), str(file, 'path'));
      }
    }
    const token = obj(source, 'serviceAccountToken');
    if (token !== undefined) {
      sources++;
      const expPath = childPath(srcPath, 'serviceAccountToken', 'expirationSeconds');
      const expiration = num(token, 'expirationSeconds') ?? 0;
      if (expiration < MIN_TOKEN_EXPIRATION_SECONDS) {
        errs.push(invalid(expPath, expiration, 'may not specify a duration less than 10 minutes'));
      }
      if (expiration > MAX_TOKEN_EXPIRATION_SECONDS) {
        errs.push(
          invalid(expPath, expiration, 'may not specify a duration larger than 2^32 seconds'),
        );
      }
      // Upstream reports the token's path on the projected source, not on the token.
      const tokenPath = str(token, 'path');
      if (tokenPath === '') errs.push(required(childPath(path, 'path')));
      else errs.push(...validateLocalNonReservedPath(tokenPath, childPath(path, 'path')));
    }
    if (sources > 1) {
      errs.push(forbidden(srcPath, 'may not specify more than 1 volume type per source'));
    }
  });
  return errs;
}
