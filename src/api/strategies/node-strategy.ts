/**
 * The Node strategy, light (pkg/apis/core/v1 defaults and conversion, ValidateNodeUpdate,
 * v1.33): allocatable defaults to capacity, `spec.podCIDR` mirrors `spec.podCIDRs[0]`, and an
 * update may set podCIDRs and providerID once but never change them. Not checked: CIDR syntax,
 * taints, config source, status addresses.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden } from '../validation/field-error.ts';
import { ensureObj, obj, str, strs } from './json-fields.ts';

export function defaultNode(node: JsonObject): void {
  const status = obj(node, 'status');
  const capacity = obj(status, 'capacity');
  if (status !== undefined && capacity !== undefined && obj(status, 'allocatable') === undefined) {
    status['allocatable'] = structuredClone(capacity);
  }
  // The v1 conversion keeps the singular field as the first of the list, both ways.
  const spec = ensureObj(node, 'spec');
  const cidrs = strs(spec, 'podCIDRs');
  const cidr = str(spec, 'podCIDR');
  if (cidrs.length === 0 && cidr !== '') spec['podCIDRs'] = [cidr];
  else if (cidrs[0] !== undefined) spec['podCIDR'] = cidrs[0];
}

export function validateNodeUpdate(node: JsonObject, old: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj(node, 'spec');
  const oldSpec = obj(old, 'spec');
  const oldCidrs = strs(oldSpec, 'podCIDRs');
  const cidrs = strs(spec, 'podCIDRs');
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCidrs.length > 0) {
    if (oldCidrs.length !== cidrs.length) errs.push(forbidden('spec.podCIDRs', cidrMsg));
    else {
      oldCidrs.forEach((c, i) => {
        if (cidrs[i] !== c) errs.push(forbidden('spec.podCIDRs', cidrMsg));
      });
    }
  }
  const providerID = str(oldSpec, 'providerID');
  if (providerID !== '' && providerID !== str(spec, 'providerID')) {
    errs.push(
      forbidden(
        'spec.providerID',
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  return errs;
}

export const nodeStrategy: ResourceStrategy = {
  defaults: defaultNode,
  validateUpdate: validateNodeUpdate,
};
