/**
 * apps/v1 validation (pkg/apis/apps/validation, v1.33) for Deployments, ReplicaSets,
 * DaemonSets and StatefulSets: selectors against templates, replica and history counts, update
 * strategies, the pod template (StatefulSets: labels and annotations only, as upstream), and on
 * update the selector's immutability (apps/v1) and StatefulSet's fixed spec fields.
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden, invalid, notSupported, required } from '../validation/field-error.ts';
import { childPath } from '../validation/field-path.ts';
import { validateLabelSelector, validateLabels } from '../validation/labels.ts';
import { goQuote } from '../validation/go-format.ts';
import { validateAnnotations, validateNonnegativeField } from '../validation/object-meta.ts';
import { validateImmutableField } from './field-rules.ts';
import { goIntOrString, goLabelSelector } from './go-literal.ts';
import { ensureObj, num, obj, str, strMap } from './json-fields.ts';
import { validatePodTemplateSpec } from './pod-spec-validation.ts';
import { semanticEqual } from './semantic-equal.ts';
import {
  intOrPercentValue,
  isEmptySelector,
  labelSelectorInput,
  selectorMismatch,
  selectorOf,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  validateTemplateRestart,
  validateWorkloadSelector,
} from './workload-rules.ts';

const nonnegative = (spec: JsonObject, field: string): FieldError[] =>
  validateNonnegativeField(num(spec, field) ?? 0, childPath('spec', field));

/** ValidateReplicaSetSpec and the matching part of ValidateDeploymentSpec. */
function validateReplicatedSpec(spec: JsonObject, withMinReady: boolean): FieldError[] {
  const errs = nonnegative(spec, 'replicas');
  if (withMinReady) errs.push(...nonnegative(spec, 'minReadySeconds'));
  errs.push(...validateWorkloadSelector(spec, 'spec', 'deployment', 'invalid label selector'));
  if (selectorOf(spec['selector']) !== undefined) {
    errs.push(...validatePodTemplateSpec(obj(spec, 'template'), 'spec.template'));
    errs.push(...validateTemplateRestart(spec, 'spec.template', 'ReplicaSet'));
  }
  return errs;
}

function validateDeploymentStrategy(spec: JsonObject): FieldError[] {
  const strategy = obj(spec, 'strategy') ?? {};
  const path = 'spec.strategy';
  const type = str(strategy, 'type');
  const ru = obj(strategy, 'rollingUpdate');
  if (type === 'Recreate') {
    return ru === undefined
      ? []
      : [
          forbidden(
            childPath(path, 'rollingUpdate'),
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        ];
  }
  if (type !== 'RollingUpdate') {
    const value = {
      goSyntax: `apps.DeploymentStrategy{Type:${goQuote(type)}, RollingUpdate:(*apps.RollingUpdateDeployment)(${ru === undefined ? 'nil' : '0xc000010000'})}`,
    };
    return [notSupported(path, value, ['Recreate', 'RollingUpdate'])];
  }
  if (ru === undefined) {
    return [
      required(childPath(path, 'rollingUpdate'), 'this should be defaulted and never be nil'),
    ];
  }
  const p = childPath(path, 'rollingUpdate');
  const errs = [
    ...validatePositiveIntOrPercent(ru['maxUnavailable'], childPath(p, 'maxUnavailable')),
    ...validatePositiveIntOrPercent(ru['maxSurge'], childPath(p, 'maxSurge')),
  ];
  if (intOrPercentValue(ru['maxUnavailable']) === 0 && intOrPercentValue(ru['maxSurge']) === 0) {
    errs.push(
      invalid(
        childPath(p, 'maxUnavailable'),
        goIntOrString(ru['maxUnavailable']),
        'may not be 0 when `maxSurge` is 0',
      ),
    );
  }
  errs.push(...validateNotMoreThan100Percent(ru['maxUnavailable'], childPath(p, 'maxUnavailable')));
  return errs;
}

export function validateDeployment(d: JsonObject): FieldError[] {
  const spec = ensureObj(d, 'spec');
  const errs = validateReplicatedSpec(spec, false);
  errs.push(...validateDeploymentStrategy(spec));
  errs.push(...nonnegative(spec, 'minReadySeconds'));
  if (num(spec, 'revisionHistoryLimit') !== undefined) {
    errs.push(...nonnegative(spec, 'revisionHistoryLimit'));
  }
  const deadline = num(spec, 'progressDeadlineSeconds');
  if (deadline !== undefined) {
    errs.push(...nonnegative(spec, 'progressDeadlineSeconds'));
    if (deadline <= (num(spec, 'minReadySeconds') ?? 0)) {
      errs.push(
        invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'),
      );
    }
  }
  return errs;
}

export function validateReplicaSet(rs: JsonObject): FieldError[] {
  return validateReplicatedSpec(ensureObj(rs, 'spec'), true);
}

function validateDaemonSetStrategy(spec: JsonObject): FieldError[] {
  const strategy = obj(spec, 'updateStrategy') ?? {};
  const path = 'spec.updateStrategy';
  const type = str(strategy, 'type');
  const ru = obj(strategy, 'rollingUpdate');
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') {
    const value = {
      goSyntax: `apps.DaemonSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(${ru === undefined ? 'nil' : '0xc000010000'})}`,
    };
    return [notSupported(path, value, ['RollingUpdate', 'OnDelete'])];
  }
  if (ru === undefined) return [required(childPath(path, 'rollingUpdate'))];
  const p = childPath(path, 'rollingUpdate');
  const errs = [
    ...validatePositiveIntOrPercent(ru['maxUnavailable'], childPath(p, 'maxUnavailable')),
    ...validatePositiveIntOrPercent(ru['maxSurge'], childPath(p, 'maxSurge')),
    ...validateNotMoreThan100Percent(ru['maxUnavailable'], childPath(p, 'maxUnavailable')),
    ...validateNotMoreThan100Percent(ru['maxSurge'], childPath(p, 'maxSurge')),
  ];
  const hasUnavailable = intOrPercentValue(ru['maxUnavailable']) !== 0;
  const hasSurge = intOrPercentValue(ru['maxSurge']) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(
      invalid(
        childPath(p, 'maxSurge'),
        goIntOrString(ru['maxSurge']),
        'may not be set when maxUnavailable is non-zero',
      ),
    );
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(required(childPath(p, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

export function validateDaemonSet(ds: JsonObject): FieldError[] {
  const spec = ensureObj(ds, 'spec');
  const raw = spec['selector'];
  const input = labelSelectorInput(raw);
  const errs = validateLabelSelector(input, {}, 'spec.selector');
  const selector = selectorOf(raw);
  const template = obj(spec, 'template');
  if (selector !== undefined && !selector.matches(strMap(obj(template, 'metadata'), 'labels'))) {
    errs.push(selectorMismatch(template, 'spec.template'));
  }
  if (input !== undefined && isEmptySelector(input)) {
    errs.push(
      invalid('spec.selector', goLabelSelector(raw), 'empty selector is invalid for daemonset'),
    );
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  errs.push(...validateTemplateRestart(spec, 'spec.template', 'DaemonSet'));
  errs.push(...nonnegative(spec, 'minReadySeconds'));
  errs.push(...validateDaemonSetStrategy(spec));
  if (num(spec, 'revisionHistoryLimit') !== undefined) {
    errs.push(...nonnegative(spec, 'revisionHistoryLimit'));
  }
  return errs;
}

const STS_STRATEGY_MSG = "must be 'RollingUpdate' or 'OnDelete'";

export function validateStatefulSet(sts: JsonObject): FieldError[] {
  const spec = ensureObj(sts, 'spec');
  const errs: FieldError[] = [];
  const policy = str(spec, 'podManagementPolicy');
  if (policy === '') errs.push(required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = obj(spec, 'updateStrategy') ?? {};
  const type = str(strategy, 'type');
  const ru = obj(strategy, 'rollingUpdate');
  if (type === '') errs.push(required('spec.updateStrategy'));
  else if (type === 'OnDelete' && ru !== undefined) {
    const value = {
      goSyntax: `apps.RollingUpdateStatefulSetStrategy{Partition:${String(num(ru, 'partition') ?? 0)}, MaxUnavailable:(*intstr.IntOrString)(nil)}`,
    };
    errs.push(
      invalid(
        'spec.updateStrategy.rollingUpdate',
        value,
        "only allowed for updateStrategy 'RollingUpdate'",
      ),
    );
  } else if (type === 'RollingUpdate' && ru !== undefined) {
    errs.push(
      ...validateNonnegativeField(
        num(ru, 'partition') ?? 0,
        'spec.updateStrategy.rollingUpdate.partition',
      ),
    );
  } else if (type !== 'OnDelete' && type !== 'RollingUpdate') {
    errs.push(
      invalid(
        'spec.updateStrategy',
        {
          goSyntax: `apps.StatefulSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(${ru === undefined ? 'nil' : '0xc000010000'})}`,
        },
        STS_STRATEGY_MSG,
      ),
    );
  }
  const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
  if (retention !== undefined) {
    for (const f of ['whenDeleted', 'whenScaled'] as const) {
      const v = str(retention, f);
      if (v !== 'Retain' && v !== 'Delete') {
        errs.push(
          notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']),
        );
      }
    }
  }
  errs.push(...nonnegative(spec, 'replicas'));
  errs.push(...nonnegative(spec, 'minReadySeconds'));
  errs.push(...validateWorkloadSelector(spec, 'spec', 'statefulset', ''));
  const meta = obj(obj(spec, 'template'), 'metadata');
  if (selectorOf(spec['selector']) !== undefined) {
    errs.push(...validateLabels(strMap(meta, 'labels'), 'spec.template.labels'));
    errs.push(...validateAnnotations(strMap(meta, 'annotations'), 'spec.template.annotations'));
  }
  errs.push(...validateTemplateRestart(spec, 'spec.template', 'StatefulSet'));
  return errs;
}

/** The strategies' apps/v1 rule: `spec.selector` never changes. */
export function validateSelectorUnchanged(next: JsonObject, old: JsonObject): FieldError[] {
  const selector = obj(next, 'spec')?.['selector'];
  return validateImmutableField(
    selector,
    obj(old, 'spec')?.['selector'],
    'spec.selector',
    goLabelSelector(selector),
  );
}

const STS_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'persistentVolumeClaimRetentionPolicy',
] as const;

/** ValidateStatefulSetUpdate's rule: only some spec fields may change. */
export function validateStatefulSetSpecUpdate(next: JsonObject, old: JsonObject): FieldError[] {
  const spec = { ...(obj(next, 'spec') ?? {}) };
  const oldSpec = obj(old, 'spec') ?? {};
  for (const f of STS_MUTABLE) {
    const v = oldSpec[f];
    if (v === undefined) Reflect.deleteProperty(spec, f);
    else spec[f] = v;
  }
  if (semanticEqual(spec, oldSpec)) return [];
  return [
    forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}
