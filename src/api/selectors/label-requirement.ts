/**
 * One label selector requirement (`key op values`), built, matched and printed as upstream's
 * labels.Requirement (k8s.io/apimachinery/pkg/labels/selector.go, v1.33): NewRequirement's
 * checks and error wording, Matches' semantics (NotIn/!= match a missing key; Gt/Lt compare
 * int64s) and String()'s canonical form.
 */
import type { FieldError } from '../validation/field-error.ts';
import { invalid, notSupported, stringSliceValue } from '../validation/field-error.ts';
import { childPath, indexPath, keyPath } from '../validation/field-path.ts';
import { compareGoStrings } from '../validation/go-format.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';

/** Upstream's selection.Operator values. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** The binary operators in upstream's order (used in its "expected: ..." messages). */
export const BINARY_OPERATORS: readonly LabelOperator[] = [
  'in',
  'notin',
  '=',
  '==',
  '!=',
  'gt',
  'lt',
];
const VALID_OPERATORS: readonly string[] = [...BINARY_OPERATORS, 'exists', '!'];

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** As given (a parsed selector's are sorted and unique); printed sorted. */
  readonly values: readonly string[];
}

/** A set of labels; a missing key and a key with value `''` differ. */
export type Labels = Readonly<Record<string, string>>;

function isOperator(op: string): op is LabelOperator {
  return VALID_OPERATORS.includes(op);
}

/** Go's strconv.ParseInt(s, 10, 64); undefined where Go returns an error. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/** Upstream's validateLabelKey: one error, the messages joined with `; `. */
export function validateLabelKey(key: string, path: string): FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length === 0 ? undefined : invalid(path, key, errs.join('; '));
}

/**
 * Upstream's NewRequirement: the requirement and every rule it breaks; use the requirement only
 * when `errors` is empty (it is undefined for an unknown operator). `values` null is a nil
 * slice (printed `[]string(nil)`); `path` prefixes the error fields (default: none).
 */
export function newRequirement(
  key: string,
  operator: string,
  values: readonly string[] | null,
  path = '',
): { readonly requirement: LabelRequirement | undefined; readonly errors: FieldError[] } {
  const errs: FieldError[] = [];
  const keyErr = validateLabelKey(key, childPath(path, 'key'));
  if (keyErr !== undefined) errs.push(keyErr);
  const vals = values ?? [];
  const valuesPath = childPath(path, 'values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) {
        errs.push(
          invalid(
            valuesPath,
            stringSliceValue(values),
            "for 'in', 'notin' operators, values set can't be empty",
          ),
        );
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) {
        errs.push(
          invalid(
            valuesPath,
            stringSliceValue(values),
            'exact-match compatibility requires one single value',
          ),
        );
      }
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) {
        errs.push(
          invalid(
            valuesPath,
            stringSliceValue(values),
            'values set must be empty for exists and does not exist',
          ),
        );
      }
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) {
        errs.push(
          invalid(
            valuesPath,
            stringSliceValue(values),
            "for 'Gt', 'Lt' operators, exactly one value is required",
          ),
        );
      }
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(
            invalid(
              indexPath(valuesPath, i),
              v,
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
        }
      });
      break;
    default:
      errs.push(notSupported(childPath(path, 'operator'), operator, VALID_OPERATORS));
  }
  vals.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length > 0)
      errs.push(invalid(keyPath(indexPath(valuesPath, i), key), v, msgs.join('; ')));
  });
  const requirement = isOperator(operator) ? { key, operator, values: [...vals] } : undefined;
  return { requirement, errors: errs };
}

function lookup(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

/** Upstream's Requirement.Matches. */
export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const value = lookup(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case 'gt':
    case 'lt': {
      if (value === undefined || r.values.length !== 1) return false;
      const have = parseInt64(value);
      const want = parseInt64(r.values[0] ?? '');
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

const OPERATOR_TEXT: Readonly<Record<LabelOperator, string>> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

/** Upstream's Requirement.String(): `x in (a,b)`, `!x`, `x!=y`; values sorted on output. */
export function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values =
    r.values.length === 1 ? (r.values[0] ?? '') : [...r.values].sort(compareGoStrings).join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${OPERATOR_TEXT[r.operator]}${set ? `(${values})` : values}`;
}
