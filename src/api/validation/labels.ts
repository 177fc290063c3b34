/**
 * Validation of labels and of metav1.LabelSelector objects, as upstream's
 * apis/meta/v1/validation (v1.33): one error per message, all reported at the map's path
 * (`metadata.labels`, not `metadata.labels[app]`). Go iterates maps in random order; here errors
 * follow the object's key order.
 */
import { childPath, indexPath } from './field-path.ts';
import type { FieldError } from './field-error.ts';
import { forbidden, invalid, required } from './field-error.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

/** metav1.LabelSelectorRequirement as it arrives in JSON. */
export interface LabelSelectorRequirementObject {
  readonly key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`; anything else is rejected. */
  readonly operator: string;
  readonly values?: readonly string[] | null;
}

/** metav1.LabelSelector as it arrives in JSON. */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly LabelSelectorRequirementObject[] | null;
}

export interface LabelSelectorValidationOptions {
  /** Accept values that are not valid label values (old persisted data). Default false. */
  readonly allowInvalidLabelValueInSelector?: boolean;
  /** Accept operators other than the four known ones. Default false. */
  readonly allowUnknownOperatorInRequirement?: boolean;
}

/** Upstream's ValidateLabelName: one error per message of IsQualifiedName. */
export function validateLabelName(labelName: string, path: string): FieldError[] {
  return isQualifiedName(labelName).map((msg) => invalid(path, labelName, msg));
}

/** Upstream's ValidateLabels: keys are qualified names, values label values. */
export function validateLabels(
  labels: Readonly<Record<string, string>> | null | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const msg of isValidLabelValue(v)) errs.push(invalid(path, v, msg));
  }
  return errs;
}

/** Upstream's ValidateLabelSelectorRequirement. */
export function validateLabelSelectorRequirement(
  req: LabelSelectorRequirementObject,
  opts: LabelSelectorValidationOptions,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        errs.push(
          required(
            childPath(path, 'values'),
            "must be specified when `operator` is 'In' or 'NotIn'",
          ),
        );
      }
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        errs.push(
          forbidden(
            childPath(path, 'values'),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      break;
    default:
      if (opts.allowUnknownOperatorInRequirement !== true) {
        errs.push(
          invalid(childPath(path, 'operator'), req.operator, 'not a valid selector operator'),
        );
      }
  }
  errs.push(...validateLabelName(req.key, childPath(path, 'key')));
  if (opts.allowInvalidLabelValueInSelector !== true) {
    values.forEach((value, i) => {
      for (const msg of isValidLabelValue(value)) {
        errs.push(invalid(indexPath(childPath(path, 'values'), i), value, msg));
      }
    });
  }
  return errs;
}

/** Upstream's ValidateLabelSelector; a null selector is valid (it selects nothing). */
export function validateLabelSelector(
  selector: LabelSelectorObject | null | undefined,
  opts: LabelSelectorValidationOptions,
  path: string,
): FieldError[] {
  if (selector === null || selector === undefined) return [];
  const errs = validateLabels(selector.matchLabels, childPath(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(
      ...validateLabelSelectorRequirement(
        expr,
        opts,
        indexPath(childPath(path, 'matchExpressions'), i),
      ),
    );
  });
  return errs;
}
