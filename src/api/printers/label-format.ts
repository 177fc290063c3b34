/**
 * Label maps and selectors rendered as upstream prints them: `labels.FormatLabels` ("a=b,c=d",
 * sorted, "<none>" when empty) and `metav1.FormatLabelSelector` / `LabelSelectorAsSelector(..)
 * .String()` (requirements sorted by key, `in`/`notin` values sorted, invalid selectors flagged).
 */
import type { JsonObject } from '../json.ts';
import { compareStrings, objectsAt, optionalStringAt, stringMapAt, stringsAt } from './fields.ts';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `validation.IsQualifiedName`, as a yes/no. */
function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return false;
  } else {
    return false;
  }
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** `validation.IsValidLabelValue`, as a yes/no. */
function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** `labels.Set(m).String()`: "k=v" pairs sorted as whole strings, comma-joined. */
export function labelSetString(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort(compareStrings)
    .join(',');
}

/** `labels.FormatLabels`: the set string, or "<none>" when empty. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const s = labelSetString(labels);
  return s === '' ? '<none>' : s;
}

interface Requirement {
  readonly key: string;
  readonly text: string;
}

function requirement(key: string, operator: string, values: readonly string[]): Requirement {
  const sorted = values.length === 1 ? values : [...values].sort(compareStrings);
  switch (operator) {
    case 'In':
      return { key, text: `${key} in (${sorted.join(',')})` };
    case 'NotIn':
      return { key, text: `${key} notin (${sorted.join(',')})` };
    case 'Exists':
      return { key, text: key };
    default:
      return { key, text: `!${key}` };
  }
}

/** Whether `labels.NewRequirement` would accept the operator/values pair. */
function validRequirement(key: string, operator: string, values: readonly string[]): boolean {
  if (!isQualifiedName(key) || !values.every(isValidLabelValue)) return false;
  switch (operator) {
    case 'In':
    case 'NotIn':
      return values.length > 0;
    case 'Exists':
    case 'DoesNotExist':
      return values.length === 0;
    default:
      return false;
  }
}

/**
 * `metav1.LabelSelectorAsSelector(sel).String()`: "" for a nil or empty selector, undefined when
 * upstream would return an error (bad operator, key or value).
 */
export function labelSelectorString(selector: JsonObject | undefined): string | undefined {
  if (selector === undefined) return '';
  const matchLabels = stringMapAt(selector, 'matchLabels');
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    if (!isQualifiedName(k) || !isValidLabelValue(v)) return undefined;
    reqs.push({ key: k, text: `${k}=${v}` });
  }
  for (const expr of objectsAt(selector, 'matchExpressions')) {
    const key = optionalStringAt(expr, 'key') ?? '';
    const operator = optionalStringAt(expr, 'operator') ?? '';
    const values = stringsAt(expr, 'values');
    if (!validRequirement(key, operator, values)) return undefined;
    reqs.push(requirement(key, operator, values));
  }
  // Upstream sorts by key only; for equal keys, matchLabels stay ahead of expressions (stable).
  reqs.sort((a, b) => compareStrings(a.key, b.key));
  return reqs.map((r) => r.text).join(',');
}

/** `metav1.FormatLabelSelector`: "<error>" when invalid, "<none>" when it selects everything. */
export function formatLabelSelector(selector: JsonObject | undefined): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}
