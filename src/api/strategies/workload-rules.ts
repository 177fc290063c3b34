/**
 * Checks the workload kinds share (k/k apps validation, v1.33): the selector (required, valid,
 * non-empty, matching the template's labels), IntOrString percents for rolling updates, and the
 * `status: {}` a new workload starts with. Messages and printed values are upstream's.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { isJsonObject } from '../json.ts';
import { LabelSelector } from '../selectors/label-selector.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden, invalid, notSupported, required } from '../validation/field-error.ts';
import { childPath } from '../validation/field-path.ts';
import type { LabelSelectorObject, LabelSelectorRequirementObject } from '../validation/labels.ts';
import { validateLabelSelector } from '../validation/labels.ts';
import { validateNonnegativeField } from '../validation/object-meta.ts';
import { isValidPercent } from './field-rules.ts';
import { goIntOrString, goLabelSelector, goStringMap } from './go-literal.ts';
import { isUnset, obj, objs, str, strMap, strs } from './json-fields.ts';

/** A JSON selector as the selector helpers read it; undefined for a nil selector. */
export function labelSelectorInput(sel: JsonValue | undefined): LabelSelectorObject | undefined {
  if (!isJsonObject(sel)) return undefined;
  const matchExpressions: LabelSelectorRequirementObject[] = objs(sel, 'matchExpressions').map(
    (e) => ({
      key: str(e, 'key'),
      operator: str(e, 'operator'),
      ...(Array.isArray(e['values']) ? { values: strs(e, 'values') } : {}),
    }),
  );
  return { matchLabels: strMap(sel, 'matchLabels') ?? null, matchExpressions };
}

/** No matchLabels and no matchExpressions. */
export function isEmptySelector(sel: LabelSelectorObject): boolean {
  return Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0;
}

/** Upstream's LabelSelectorAsSelector; undefined when it fails. */
export function selectorOf(sel: JsonValue | undefined): LabelSelector | undefined {
  try {
    return LabelSelector.fromObject(labelSelectorInput(sel));
  } catch {
    return undefined;
  }
}

/** The template's labels as upstream prints them in "does not match" errors. */
function templateLabels(template: JsonObject | undefined): JsonValue | undefined {
  return obj(template, 'metadata')?.['labels'];
}

/** `spec.template.metadata.labels: Invalid value: map[...]: \`selector\` does not match ...`. */
export function selectorMismatch(template: JsonObject | undefined, path: string): FieldError {
  return invalid(
    childPath(path, 'metadata', 'labels'),
    goStringMap(templateLabels(template)),
    '`selector` does not match template `labels`',
  );
}

/**
 * The selector block of ValidateDeploymentSpec / ValidateReplicaSetSpec /
 * ValidateStatefulSetSpec: required, valid, not empty (`what` names the kind in the message),
 * then whether it selects the template (skipped for an empty selector, as upstream).
 * `invalidDetail` is the detail when the selector cannot be converted.
 */
export function validateWorkloadSelector(
  spec: JsonObject,
  specPath: string,
  what: string,
  invalidDetail: string,
): FieldError[] {
  const raw = spec['selector'];
  const path = childPath(specPath, 'selector');
  const errs: FieldError[] = [];
  const input = labelSelectorInput(raw);
  if (input === undefined) errs.push(required(path));
  else {
    errs.push(...validateLabelSelector(input, {}, path));
    if (isEmptySelector(input)) {
      errs.push(invalid(path, goLabelSelector(raw), `empty selector is invalid for ${what}`));
    }
  }
  const selector = selectorOf(raw);
  if (selector === undefined) {
    errs.push(invalid(path, goLabelSelector(raw), invalidDetail));
    return errs;
  }
  const template = obj(spec, 'template');
  if (!selector.isEmpty() && !selector.matches(strMap(obj(template, 'metadata'), 'labels'))) {
    errs.push(selectorMismatch(template, childPath(specPath, 'template')));
  }
  return errs;
}

/** Upstream's getIntOrPercentValue: a percent's number, an int, or Atoi of a string. */
export function intOrPercentValue(v: JsonValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  const digits = isValidPercent(v).length === 0 ? v.slice(0, -1) : v;
  return /^[+-]?\d+$/.test(digits) ? Number(digits) : 0;
}

/** Upstream's ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: JsonValue | undefined, path: string): FieldError[] {
  if (typeof v === 'string')
    return isValidPercent(v).map((m) => invalid(path, goIntOrString(v), m));
  return validateNonnegativeField(typeof v === 'number' ? v : 0, path);
}

/** Upstream's IsNotMoreThan100Percent. */
export function validateNotMoreThan100Percent(
  v: JsonValue | undefined,
  path: string,
): FieldError[] {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return [];
  return intOrPercentValue(v) <= 100
    ? []
    : [invalid(path, goIntOrString(v), 'must not be greater than 100%')];
}

/** A workload's restart policy and activeDeadlineSeconds rules (`kind` as in the message). */
export function validateTemplateRestart(
  spec: JsonObject,
  templatePath: string,
  kind: string,
): FieldError[] {
  const podSpec = obj(obj(spec, 'template'), 'spec');
  const errs: FieldError[] = [];
  const policy = str(podSpec, 'restartPolicy');
  if (policy !== 'Always') {
    errs.push(notSupported(childPath(templatePath, 'spec', 'restartPolicy'), policy, ['Always']));
  }
  if (!isUnset(podSpec?.['activeDeadlineSeconds'])) {
    errs.push(
      forbidden(
        childPath(templatePath, 'spec', 'activeDeadlineSeconds'),
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}
