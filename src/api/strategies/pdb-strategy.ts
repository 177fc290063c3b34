/**
 * policy/v1 PodDisruptionBudget (pkg/registry/policy/poddisruptionbudget and
 * pkg/apis/policy/validation, v1.33): an empty status on create, and minAvailable xor
 * maxUnavailable, each a non-negative int or a percent up to 100%, a valid selector and a known
 * unhealthyPodEvictionPolicy.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid, notSupported } from '../validation/field-error.ts';
import { validateLabelSelector } from '../validation/labels.ts';
import { isUnset, obj, str } from './json-fields.ts';
import {
  labelSelectorInput,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
} from './workload-rules.ts';

/** `policy.PodDisruptionBudgetSpec{...}` as %#v prints it (pointers as a stand-in address). */
function specLiteral(spec: JsonObject): { goSyntax: string } {
  const ptr = (type: string, set: boolean): string => `(*${type})(${set ? '0xc000010000' : 'nil'})`;
  return {
    goSyntax:
      `policy.PodDisruptionBudgetSpec{MinAvailable:${ptr('intstr.IntOrString', !isUnset(spec['minAvailable']))}, ` +
      `Selector:${ptr('v1.LabelSelector', !isUnset(spec['selector']))}, ` +
      `MaxUnavailable:${ptr('intstr.IntOrString', !isUnset(spec['maxUnavailable']))}, ` +
      `UnhealthyPodEvictionPolicy:${ptr('policy.UnhealthyPodEvictionPolicyType', !isUnset(spec['unhealthyPodEvictionPolicy']))}}`,
  };
}

export function validatePodDisruptionBudget(pdb: JsonObject): FieldError[] {
  const spec = obj(pdb, 'spec') ?? {};
  const errs: FieldError[] = [];
  const min = spec['minAvailable'];
  const max = spec['maxUnavailable'];
  if (!isUnset(min) && !isUnset(max)) {
    errs.push(
      invalid('spec', specLiteral(spec), 'minAvailable and maxUnavailable cannot be both set'),
    );
  }
  for (const [field, value] of [
    ['minAvailable', min],
    ['maxUnavailable', max],
  ] as const) {
    if (isUnset(value)) continue;
    errs.push(...validatePositiveIntOrPercent(value, `spec.${field}`));
    errs.push(...validateNotMoreThan100Percent(value, `spec.${field}`));
  }
  errs.push(...validateLabelSelector(labelSelectorInput(spec['selector']), {}, 'spec.selector'));
  const policy = spec['unhealthyPodEvictionPolicy'];
  if (typeof policy === 'string' && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errs.push(
      notSupported('spec.unhealthyPodEvictionPolicy', str(spec, 'unhealthyPodEvictionPolicy'), [
        'AlwaysAllow',
        'IfHealthyBudget',
      ]),
    );
  }
  return errs;
}

export const podDisruptionBudgetStrategy: ResourceStrategy = {
  prepareForCreate: (pdb) => {
    pdb['status'] = {
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    };
  },
  validate: validatePodDisruptionBudget,
  validateUpdate: (pdb) => validatePodDisruptionBudget(pdb),
};
