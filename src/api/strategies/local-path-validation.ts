/**
 * Upstream's checks of paths that must stay inside a volume (k/k core validation, v1.33):
 * validatePathNoBacksteps (no `..` element), validateLocalDescendingPath (also relative) and
 * ValidateLocalNonReservedPath (also not starting with `..`, the atomic writer's reserved
 * names). Paths are split on `/` only, as upstream does on Linux. The agent repeats these
 * checks before it writes a file (defence in depth); this is the API server's side.
 */
import type { FieldError } from '../validation/field-error.ts';
import { invalid } from '../validation/field-error.ts';

/** Upstream's validatePathNoBacksteps: one error however many `..` elements there are. */
export function validatePathNoBacksteps(targetPath: string, path: string): FieldError[] {
  return targetPath.split('/').includes('..')
    ? [invalid(path, targetPath, "must not contain '..'")]
    : [];
}

/** Upstream's validateLocalDescendingPath: relative, and no `..` element. */
export function validateLocalDescendingPath(targetPath: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (targetPath.startsWith('/')) errs.push(invalid(path, targetPath, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(targetPath, path));
  return errs;
}

/** Upstream's ValidateLocalNonReservedPath: a descending path that does not start with `..`. */
export function validateLocalNonReservedPath(targetPath: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(targetPath, path);
  // Upstream leaves `../x` to the backsteps error above.
  if (targetPath.startsWith('..') && !targetPath.startsWith('../')) {
    errs.push(invalid(path, targetPath, "must not start with '..'"));
  }
  return errs;
}
