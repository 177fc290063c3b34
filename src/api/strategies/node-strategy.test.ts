import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { nodeStrategy } from './node-strategy.ts';

describe('Node', () => {
  it('allocatable defaults to capacity; podCIDR and podCIDRs mirror each other', () => {
    const node: JsonObject = {
      spec: { podCIDR: '10.244.1.0/24' },
      status: { capacity: { cpu: '2', pods: '110' } },
    };
    nodeStrategy.defaults?.(node);
    assert.deepEqual(node, {
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      status: { capacity: { cpu: '2', pods: '110' }, allocatable: { cpu: '2', pods: '110' } },
    });
    const fromList: JsonObject = { spec: { podCIDRs: ['10.244.2.0/24'] } };
    nodeStrategy.defaults?.(fromList);
    assert.deepEqual(fromList['spec'], { podCIDRs: ['10.244.2.0/24'], podCIDR: '10.244.2.0/24' });
  });

  it('podCIDRs and providerID are set once', () => {
    const update = (old: JsonObject, next: JsonObject): string[] =>
      (nodeStrategy.validateUpdate?.(next, old) ?? []).map(formatFieldError);
    assert.deepEqual(
      update({ spec: {} }, { spec: { podCIDRs: ['10.0.0.0/24'], providerID: 'p' } }),
      [],
    );
    assert.deepEqual(
      update(
        { spec: { podCIDRs: ['10.0.0.0/24'], providerID: 'p' } },
        { spec: { podCIDRs: ['10.0.1.0/24'], providerID: 'q' } },
      ),
      [
        'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
        'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
      ],
    );
  });
});
