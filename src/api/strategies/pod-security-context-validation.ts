/**
 * Part of upstream's validatePodSpecSecurityContext (k/k core validation, v1.33), in its order:
 * fsGroup, runAsUser, runAsGroup and supplementalGroups within 0..2^31-1, shareProcessNamespace
 * with hostPID, and fsGroupChangePolicy Always or OnRootMismatch. Not checked: sysctls,
 * seccomp, AppArmor, SELinux, Windows options and the host-network port rules.
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid, notSupported } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { inclusiveRangeError } from './field-rules.ts';
import { bool, num, obj } from './json-fields.ts';

const MAX_ID = 2147483647;

/** Upstream's validFSGroupChangePolicies, sorted as sets.List prints them. */
const FS_GROUP_CHANGE_POLICIES = ['Always', 'OnRootMismatch'];

/** Upstream's IsValidUserID / IsValidGroupID: one message, or none. */
function validateId(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && (value < 0 || value > MAX_ID)
    ? [invalid(path, value, inclusiveRangeError(0, MAX_ID))]
    : [];
}

/** The checks of `spec.securityContext`; `path` is its path. */
export function validatePodSecurityContext(spec: JsonObject, path: string): FieldError[] {
  const sc = obj(spec, 'securityContext');
  if (sc === undefined) return [];
  const errs = validateId(num(sc, 'fsGroup'), childPath(path, 'fsGroup'));
  errs.push(...validateId(num(sc, 'runAsUser'), childPath(path, 'runAsUser')));
  errs.push(...validateId(num(sc, 'runAsGroup'), childPath(path, 'runAsGroup')));
  const groups = sc['supplementalGroups'];
  if (Array.isArray(groups)) {
    groups.forEach((g, i) => {
      if (typeof g === 'number') {
        errs.push(...validateId(g, indexPath(childPath(path, 'supplementalGroups'), i)));
      }
    });
  }
  const share = bool(spec, 'shareProcessNamespace');
  if (share === true && bool(spec, 'hostPID') === true) {
    errs.push(
      invalid(
        childPath(path, 'shareProcessNamespace'),
        share,
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  }
  const policy = sc['fsGroupChangePolicy'];
  if (typeof policy === 'string' && !FS_GROUP_CHANGE_POLICIES.includes(policy)) {
    errs.push(
      notSupported(childPath(path, 'fsGroupChangePolicy'), policy, FS_GROUP_CHANGE_POLICIES),
    );
  }
  return errs;
}
