/**
 * coordination.k8s.io/v1 Lease validation (pkg/apis/coordination/validation, v1.33): a positive
 * leaseDurationSeconds and non-negative leaseTransitions. The coordinated-leader-election fields
 * (strategy, preferredHolder) are not checked.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid } from '../validation/field-error.ts';
import { num, obj } from './json-fields.ts';

export function validateLease(lease: JsonObject): FieldError[] {
  const spec = obj(lease, 'spec');
  const errs: FieldError[] = [];
  const duration = num(spec, 'leaseDurationSeconds');
  if (duration !== undefined && duration <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  const transitions = num(spec, 'leaseTransitions');
  if (transitions !== undefined && transitions < 0) {
    errs.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

export const leaseStrategy: ResourceStrategy = {
  validate: validateLease,
  validateUpdate: (lease) => validateLease(lease),
};
