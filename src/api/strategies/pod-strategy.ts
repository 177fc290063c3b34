/**
 * The Pod strategy (upstream's pkg/registry/core/pod podStrategy, v1.33): defaults, the status a
 * new pod starts with (Pending, its QoS class, and PodScheduled=False while scheduling gates
 * remain), create validation and the update rules. Priority and service-account defaults are
 * admission plugins' work, not the strategy's.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden } from '../validation/field-error.ts';
import { ensureObj, objs, str } from './json-fields.ts';
import { defaultPod } from './pod-defaults.ts';
import { computePodQOS } from './pod-qos.ts';
import { validatePodSpec } from './pod-spec-validation.ts';
import { validatePodSpecUpdate } from './pod-update.ts';

/** Upstream's PrepareForCreate: a fresh status, computed on the defaulted spec. */
export function preparePodForCreate(pod: JsonObject): void {
  defaultPod(pod);
  const spec = ensureObj(pod, 'spec');
  const status: JsonObject = { phase: 'Pending', qosClass: computePodQOS(spec) };
  if (objs(spec, 'schedulingGates').length > 0) {
    status['conditions'] = [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: null,
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ];
  }
  pod['status'] = status;
}

/** Upstream's ValidatePodCreate (beyond metadata). */
export function validatePodCreate(pod: JsonObject): FieldError[] {
  const spec = ensureObj(pod, 'spec');
  const errs = validatePodSpec(spec, 'spec');
  if (objs(spec, 'ephemeralContainers').length > 0) {
    errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  if (str(spec, 'nodeName') !== '' && objs(spec, 'schedulingGates').length > 0) {
    errs.push(
      forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'),
    );
  }
  return errs;
}

export const podStrategy: ResourceStrategy = {
  defaults: defaultPod,
  prepareForCreate: preparePodForCreate,
  validate: validatePodCreate,
  validateUpdate: (pod, old) => [
    ...validatePodSpec(ensureObj(pod, 'spec'), 'spec'),
    ...validatePodSpecUpdate(pod, old),
  ],
};
