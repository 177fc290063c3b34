/**
 * Upstream's ValidateVolumeMounts (k/k core validation, v1.33) for one container: the volume
 * named must be one of the pod's valid volumes ("Not found"), mount paths are required and
 * unique, subPath and subPathExpr stay inside the volume and exclude each other (and are not
 * allowed on image volumes), mountPropagation is one of upstream's modes with Bidirectional
 * for privileged containers only, and recursiveReadOnly needs a readOnly mount without
 * propagation. As upstream, the subPath, subPathExpr, mountPropagation and recursiveReadOnly
 * errors name `volumeMounts.<field>` without the mount's index. Volume devices are not checked.
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden, invalid, notFound, notSupported, required } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { bool, obj, objs, str } from './json-fields.ts';
import { validateLocalDescendingPath } from './local-path-validation.ts';

/** Upstream's supported mount propagations, sorted as sets.List prints them. */
const PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];
const RECURSIVE_READ_ONLY = ['Disabled', 'Enabled', 'IfPossible'];

/** Upstream's validateMountPropagation, for a container that is known. */
function validateMountPropagation(mode: string, c: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!PROPAGATIONS.includes(mode)) errs.push(notSupported(path, mode, PROPAGATIONS));
  const privileged = bool(obj(c, 'securityContext'), 'privileged') === true;
  if (mode === 'Bidirectional' && !privileged) {
    errs.push(
      forbidden(path, 'Bidirectional mount propagation is available only to privileged containers'),
    );
  }
  return errs;
}

/** Upstream's validateMountRecursiveReadOnly. */
function validateRecursiveReadOnly(m: JsonObject, path: string): FieldError[] {
  const value = m['recursiveReadOnly'];
  if (typeof value !== 'string') return [];
  if (value === 'Disabled') return [];
  if (value !== 'Enabled' && value !== 'IfPossible') {
    return [notSupported(path, value, RECURSIVE_READ_ONLY)];
  }
  const errs: FieldError[] = [];
  if (bool(m, 'readOnly') !== true) {
    errs.push(forbidden(path, 'may only be specified when readOnly is true'));
  }
  const propagation = m['mountPropagation'];
  if (typeof propagation === 'string' && propagation !== 'None') {
    errs.push(
      forbidden(path, 'may only be specified when mountPropagation is None or not specified'),
    );
  }
  return errs;
}

/**
 * Upstream's ValidateVolumeMounts: `volumes` are the pod's valid volumes by name, `path` is
 * the container's `volumeMounts`.
 */
export function validateVolumeMounts(
  c: JsonObject,
  volumes: ReadonlyMap<string, JsonObject>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  objs(c, 'volumeMounts').forEach((m, i) => {
    const p = indexPath(path, i);
    const name = str(m, 'name');
    const mountPath = str(m, 'mountPath');
    if (name === '') errs.push(required(childPath(p, 'name')));
    if (!volumes.has(name)) errs.push(notFound(childPath(p, 'name'), name));
    if (mountPath === '') errs.push(required(childPath(p, 'mountPath')));
    if (mountPoints.has(mountPath)) {
      errs.push(invalid(childPath(p, 'mountPath'), mountPath, 'must be unique'));
    }
    mountPoints.add(mountPath);
    const subPath = str(m, 'subPath');
    const subPathExpr = str(m, 'subPathExpr');
    if (obj(volumes.get(name), 'image') !== undefined) {
      if (subPath !== '') {
        errs.push(invalid(childPath(p, 'subPath'), subPath, 'not allowed in image volume sources'));
      }
      if (subPathExpr !== '') {
        errs.push(
          invalid(childPath(p, 'subPathExpr'), subPathExpr, 'not allowed in image volume sources'),
        );
      }
    }
    if (subPath !== '')
      errs.push(...validateLocalDescendingPath(subPath, childPath(path, 'subPath')));
    if (subPathExpr !== '') {
      if (subPath !== '') {
        errs.push(
          invalid(
            childPath(p, 'subPathExpr'),
            subPathExpr,
            'subPathExpr and subPath are mutually exclusive',
          ),
        );
      }
      errs.push(...validateLocalDescendingPath(subPathExpr, childPath(path, 'subPathExpr')));
    }
    const propagation = m['mountPropagation'];
    if (typeof propagation === 'string') {
      errs.push(...validateMountPropagation(propagation, c, childPath(path, 'mountPropagation')));
    }
    errs.push(...validateRecursiveReadOnly(m, childPath(path, 'recursiveReadOnly')));
  });
  return errs;
}
