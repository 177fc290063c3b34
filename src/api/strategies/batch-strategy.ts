/**
 * The batch/v1 Job strategy (pkg/apis/batch/v1/defaults.go, pkg/registry/batch/job and
 * pkg/apis/batch/validation, v1.33): defaults; on create a cleared status and, unless
 * `manualSelector`, the generated selector (`batch.kubernetes.io/controller-uid`) with the
 * job-name and controller-uid labels (prefixed and legacy) on the template; validation of the
 * generated selector, counts, completion mode, replacement policy, restart policy and template;
 * on update the immutable selector, completions (non-Indexed), completion mode and template.
 * Not checked: pod failure and success policies, backoffLimitPerIndex, managedBy.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid, notSupported, required } from '../validation/field-error.ts';
import { childPath, keyPath } from '../validation/field-path.ts';
import { validateLabelSelector } from '../validation/labels.ts';
import { isDNS1123Label } from '../validation/names.ts';
import { validateNonnegativeField } from '../validation/object-meta.ts';
import { validateImmutableField } from './field-rules.ts';
import { goLabelSelector, goStringMap, NIL } from './go-literal.ts';
import {
  bool,
  defaultEmpty,
  defaultUnset,
  ensureObj,
  isEmptyCollection,
  isUnset,
  num,
  obj,
  objs,
  str,
  strMap,
} from './json-fields.ts';
import { defaultPodTemplate } from './pod-defaults.ts';
import { validatePodTemplateSpec } from './pod-spec-validation.ts';
import { semanticEqual } from './semantic-equal.ts';
import { labelSelectorInput, selectorMismatch, selectorOf } from './workload-rules.ts';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;

/** SetDefaults_Job and the template's pod defaults. */
export function defaultJob(job: JsonObject): void {
  const spec = ensureObj(job, 'spec');
  if (isUnset(spec['completions']) && isUnset(spec['parallelism'])) spec['completions'] = 1;
  defaultUnset(spec, 'parallelism', 1);
  defaultUnset(spec, 'backoffLimit', isUnset(spec['backoffLimitPerIndex']) ? 6 : 2147483647);
  const meta = ensureObj(job, 'metadata');
  const templateLabels = obj(obj(obj(spec, 'template'), 'metadata'), 'labels');
  if (templateLabels !== undefined && isEmptyCollection(meta['labels'])) {
    meta['labels'] = structuredClone(templateLabels);
  }
  defaultUnset(spec, 'completionMode', 'NonIndexed');
  defaultUnset(spec, 'suspend', false);
  for (const rule of objs(obj(spec, 'podFailurePolicy'), 'rules')) {
    for (const pattern of objs(rule, 'onPodConditions')) defaultEmpty(pattern, 'status', 'True');
  }
  defaultUnset(
    spec,
    'podReplacementPolicy',
    obj(spec, 'podFailurePolicy') === undefined ? 'TerminatingOrFailed' : 'Failed',
  );
  defaultUnset(spec, 'manualSelector', false);
  defaultPodTemplate(ensureObj(spec, 'template'));
}

/** PrepareForCreate: generated selector and labels (unless manual), empty status. */
export function prepareJobForCreate(job: JsonObject): void {
  const spec = ensureObj(job, 'spec');
  const meta = ensureObj(job, 'metadata');
  if (bool(spec, 'manualSelector') !== true) {
    const labels = ensureObj(ensureObj(ensureObj(spec, 'template'), 'metadata'), 'labels');
    const name = str(meta, 'name');
    const uid = str(meta, 'uid');
    for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
    for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= uid;
    const matchLabels = ensureObj(ensureObj(spec, 'selector'), 'matchLabels');
    matchLabels[CONTROLLER_UID_LABEL] ??= uid;
  }
  job['status'] = {};
}

/** Upstream's ValidateHasLabel on the template metadata. */
function validateHasLabel(job: JsonObject, key: string, expected: string): FieldError[] {
  const labels = obj(obj(obj(obj(job, 'spec'), 'template'), 'metadata'), 'labels');
  const path = keyPath('spec.template.metadata.labels', key);
  const actual = labels?.[key];
  if (typeof actual !== 'string') return [required(path, expected)];
  return actual === expected ? [] : [invalid(path, goStringMap(labels), `must be '${expected}'`)];
}

/** Upstream's validateGeneratedSelector. */
function validateGeneratedSelector(job: JsonObject, prefixedLabels: boolean): FieldError[] {
  const spec = obj(job, 'spec');
  if (bool(spec, 'manualSelector') === true || obj(spec, 'selector') === undefined) return [];
  const meta = obj(job, 'metadata');
  const uid = str(meta, 'uid');
  const name = str(meta, 'name');
  const errs: FieldError[] = uid === '' ? [required('metadata.uid')] : [];
  errs.push(...validateHasLabel(job, LEGACY_CONTROLLER_UID_LABEL, uid));
  errs.push(...validateHasLabel(job, LEGACY_JOB_NAME_LABEL, name));
  const expected: Record<string, string> = {};
  if (prefixedLabels) {
    errs.push(...validateHasLabel(job, CONTROLLER_UID_LABEL, uid));
    errs.push(...validateHasLabel(job, JOB_NAME_LABEL, name));
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  expected[LEGACY_CONTROLLER_UID_LABEL] = uid;
  expected[LEGACY_JOB_NAME_LABEL] = name;
  const selector = selectorOf(spec?.['selector']);
  if (selector !== undefined && !selector.matches(expected)) {
    errs.push(
      invalid(
        'spec.selector',
        goLabelSelector(spec?.['selector']),
        '`selector` not auto-generated',
      ),
    );
  }
  return errs;
}

function validateJobSpec(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const counts = [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
  ];
  for (const f of counts) {
    const v = num(spec, f);
    if (v !== undefined) errs.push(...validateNonnegativeField(v, childPath('spec', f)));
  }
  const mode = spec['completionMode'];
  if (typeof mode === 'string') {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') {
      errs.push(notSupported('spec.completionMode', mode, ['NonIndexed', 'Indexed']));
    }
    if (mode === 'Indexed') {
      if (num(spec, 'completions') === undefined) {
        errs.push(required('spec.completions', 'when completion mode is Indexed'));
      }
      const parallelism = num(spec, 'parallelism');
      if (parallelism !== undefined && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        errs.push(
          invalid(
            'spec.parallelism',
            parallelism,
            `must be less than or equal to ${String(MAX_PARALLELISM_FOR_INDEXED_JOB)} when completion mode is Indexed`,
          ),
        );
      }
    }
  }
  const replacement = spec['podReplacementPolicy'];
  if (typeof replacement === 'string') {
    const allowed =
      obj(spec, 'podFailurePolicy') === undefined ? ['Failed', 'TerminatingOrFailed'] : ['Failed'];
    if (!allowed.includes(replacement)) {
      errs.push(notSupported('spec.podReplacementPolicy', replacement, allowed));
    }
  }
  const template = obj(spec, 'template');
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const restart = str(obj(template, 'spec'), 'restartPolicy');
  const restartPath = 'spec.template.spec.restartPolicy';
  if (restart === 'Always' || restart === '') {
    errs.push(required(restartPath, 'valid values: "OnFailure", "Never"'));
  } else if (restart !== 'OnFailure' && restart !== 'Never') {
    errs.push(notSupported(restartPath, restart, ['OnFailure', 'Never']));
  } else if (obj(spec, 'podFailurePolicy') !== undefined && restart !== 'Never') {
    errs.push(
      invalid(restartPath, restart, 'only "Never" is supported when podFailurePolicy is specified'),
    );
  }
  const input = labelSelectorInput(spec['selector']);
  if (input === undefined) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(input, {}, 'spec.selector'));
  const selector = selectorOf(spec['selector']);
  if (selector !== undefined && !selector.matches(strMap(obj(template, 'metadata'), 'labels'))) {
    errs.push(selectorMismatch(template, 'spec.template'));
  }
  return errs;
}

/** Upstream's ValidateJob (beyond metadata). */
export function validateJob(job: JsonObject, prefixedLabels = true): FieldError[] {
  const spec = ensureObj(job, 'spec');
  const errs = validateGeneratedSelector(job, prefixedLabels);
  errs.push(...validateJobSpec(spec));
  const completions = num(spec, 'completions');
  if (spec['completionMode'] === 'Indexed' && completions !== undefined && completions > 0) {
    const name = str(obj(job, 'metadata'), 'name');
    const hostname = `${name}-${String(completions - 1)}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(
        invalid(
          'metadata.name',
          name,
          `will not able to create pod with invalid DNS label: ${hostname}`,
        ),
      );
    }
  }
  return errs;
}

/** Upstream's ValidateJobSpecUpdate (without the scheduling-directive relaxation). */
export function validateJobUpdate(job: JsonObject, old: JsonObject): FieldError[] {
  const spec = obj(job, 'spec') ?? {};
  const oldSpec = obj(old, 'spec') ?? {};
  const oldLabels = obj(obj(obj(oldSpec, 'template'), 'metadata'), 'labels') ?? {};
  const prefixed = JOB_NAME_LABEL in oldLabels && CONTROLLER_UID_LABEL in oldLabels;
  const errs = validateJob(job, prefixed);
  const immutable = (f: string, printed: FieldError['value']): void => {
    errs.push(...validateImmutableField(spec[f], oldSpec[f], childPath('spec', f), printed));
  };
  if (spec['completionMode'] !== 'Indexed')
    immutable('completions', num(spec, 'completions') ?? NIL);
  else if (
    !semanticEqual(spec['completions'], oldSpec['completions']) &&
    num(spec, 'completions') !== undefined &&
    num(spec, 'completions') !== num(spec, 'parallelism')
  ) {
    errs.push(
      invalid(
        'spec.completions',
        num(spec, 'completions') ?? NIL,
        'can only be modified in tandem with spec.parallelism',
      ),
    );
  }
  immutable('selector', goLabelSelector(spec['selector']));
  immutable('template', { goSyntax: 'core.PodTemplateSpec{...}' });
  immutable('completionMode', str(spec, 'completionMode'));
  return errs;
}

export const jobStrategy: ResourceStrategy = {
  defaults: defaultJob,
  prepareForCreate: prepareJobForCreate,
  validate: (job) => validateJob(job),
  validateUpdate: validateJobUpdate,
};
