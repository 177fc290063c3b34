import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { leaseStrategy } from './lease-strategy.ts';

const check = (strategy: ResourceStrategy, obj: JsonObject): string[] => {
  strategy.defaults?.(obj);
  return (strategy.validate?.(obj) ?? []).map(formatFieldError);
};

describe('Lease', () => {
  it('duration positive, transitions non-negative', () => {
    assert.deepEqual(
      check(leaseStrategy, { spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }),
      [],
    );
    assert.deepEqual(
      check(leaseStrategy, { spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } }),
      [
        'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
        'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
      ],
    );
  });
});
