import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { podDisruptionBudgetStrategy } from './pdb-strategy.ts';

const check = (strategy: ResourceStrategy, obj: JsonObject): string[] => {
  strategy.defaults?.(obj);
  return (strategy.validate?.(obj) ?? []).map(formatFieldError);
};

describe('PodDisruptionBudget', () => {
  it('create starts from an empty status', () => {
    const pdb: JsonObject = { spec: { minAvailable: 1 }, status: { disruptionsAllowed: 5 } };
    podDisruptionBudgetStrategy.prepareForCreate?.(pdb);
    assert.deepEqual(pdb['status'], {
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
  });

  const cases: { name: string; spec: JsonObject; want: string[] }[] = [
    {
      name: 'minAvailable',
      spec: { minAvailable: '50%', selector: { matchLabels: { a: 'b' } } },
      want: [],
    },
    {
      name: 'both set',
      spec: { minAvailable: 1, maxUnavailable: 1 },
      want: [
        'spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000010000), Selector:(*v1.LabelSelector)(nil), MaxUnavailable:(*intstr.IntOrString)(0xc000010000), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set',
      ],
    },
    {
      name: 'bad values',
      spec: { maxUnavailable: '120%', unhealthyPodEvictionPolicy: 'Never' },
      want: [
        'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
        'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(check(podDisruptionBudgetStrategy, { spec: c.spec }), c.want);
    });
  }
});
