/**
 * The field-manager query parameters of a write, checked as upstream's ValidateCreateOptions,
 * ValidateUpdateOptions and ValidatePatchOptions check them: `fieldManager` (required for an
 * apply; at most 128 bytes of printable characters) and `force` (apply only, a Go boolean).
 * Failures are 422 `CreateOptions.meta.k8s.io "" is invalid: ...` (400 for a malformed bool).
 */
import { badRequest, invalid } from '../../api/status.ts';
import type { FieldError } from '../../api/validation/field-error.ts';
import { forbidden, required } from '../../api/validation/field-error.ts';
import { managerOrUserAgent, validateFieldManager } from './manager-name.ts';

export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

export interface WriteOptions {
  /** The manager to record: the `fieldManager` parameter, else derived from the User-Agent. */
  readonly manager: string;
  /** `force` of an apply; false when absent. */
  readonly force: boolean;
}

/** Go's strconv.ParseBool. */
function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

export function checkWriteOptions(
  query: URLSearchParams,
  kind: WriteOptionsKind,
  userAgent: string,
  isApply = false,
): WriteOptions {
  const fieldManager = query.get('fieldManager') ?? '';
  const forceParam = query.get('force');
  const force = forceParam === null ? undefined : parseGoBool(forceParam);
  const errors: FieldError[] = [];
  if (isApply && fieldManager === '') {
    errors.push(required('fieldManager', 'is required for apply patch'));
  }
  if (kind === 'PatchOptions' && !isApply && force !== undefined) {
    errors.push(forbidden('force', 'may not be specified for non-apply patch'));
  }
  errors.push(...validateFieldManager(fieldManager, 'fieldManager'));
  if (errors.length > 0) throw invalid({ group: 'meta.k8s.io', kind }, '', errors);
  return { manager: managerOrUserAgent(fieldManager, userAgent), force: force ?? false };
}
