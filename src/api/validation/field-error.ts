/**
 * Field-level validation errors shaped and printed exactly as upstream's `field.Error`
 * (k8s.io/apimachinery/pkg/util/validation/field/errors.go, v1.33): `Error()` is
 * `<field>: <ErrorBody()>`, a 422 Status carries one cause per error ({reason: type,
 * message: ErrorBody(), field}), and the Status message is built as `errors.NewInvalid` does.
 * Values are printed with Go's verbs: strings `%q`, numbers and booleans `%v`, nil `null`.
 */
import { goQuote, goStringSlice } from './go-format.ts';

/** Upstream's field.ErrorType values (also metav1.CauseType). */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

/** A value already rendered in Go syntax (`%#v`), for structs and slices. */
export interface GoLiteral {
  readonly goSyntax: string;
}

/** A bad value as Go would hold it; `null` is Go's nil. */
export type FieldValue = string | number | boolean | null | GoLiteral;

export interface FieldError {
  readonly type: FieldErrorType;
  /** The field path, e.g. `metadata.name`, `spec.containers[0].image`, `metadata.labels`. */
  readonly field: string;
  readonly value: FieldValue;
  readonly detail: string;
}

/** One cause of a 422 Status (metav1.StatusCause); empty members are omitted as upstream. */
export interface FieldErrorCause {
  readonly reason: FieldErrorType;
  readonly message?: string;
  readonly field?: string;
}

/** A GroupKind, printed as upstream's GroupKind.String(): `Pod`, `Deployment.apps`. */
export interface QualifiedKind {
  readonly group: string;
  readonly kind: string;
}

const TYPE_TEXT: Readonly<Record<FieldErrorType, string>> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Types whose ErrorBody never prints the value. */
const VALUELESS: ReadonlySet<FieldErrorType> = new Set<FieldErrorType>([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'InternalError',
]);

/** Marks a value that ErrorBody must not print (upstream's omitValue). */
const OMIT: GoLiteral = { goSyntax: '<omitted>' };

export function invalid(field: string, value: FieldValue, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, value: '', detail };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, value: '', detail };
}

export function duplicate(field: string, value: FieldValue): FieldError {
  return { type: 'FieldValueDuplicate', field, value, detail: '' };
}

export function notFound(field: string, value: FieldValue): FieldError {
  return { type: 'FieldValueNotFound', field, value, detail: '' };
}

/** Upstream's TooLong: the value is never printed; a negative maximum gives no number. */
export function tooLong(field: string, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} bytes` : 'value is too long';
  return { type: 'FieldValueTooLong', field, value: '<value omitted>', detail };
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} items` : 'has too many items';
  return { type: 'FieldValueTooMany', field, value: actual >= 0 ? actual : OMIT, detail };
}

/** Upstream's NotSupported: `supported values: "a", "b"`. */
export function notSupported(
  field: string,
  value: FieldValue,
  validValues: readonly string[],
): FieldError {
  const detail =
    validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, value, detail };
}

export function internalError(field: string, message: string): FieldError {
  return { type: 'InternalError', field, value: null, detail: message };
}

/** A `[]string` value, printed as `%#v` prints it. `null` is a nil slice. */
export function stringSliceValue(values: readonly string[] | null): GoLiteral {
  return { goSyntax: goStringSlice(values) };
}

function formatValue(value: FieldValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.goSyntax;
}

/** Upstream's ErrorBody(): the message without the field, e.g. `Invalid value: "A": ...`. */
export function fieldErrorBody(e: FieldError): string {
  const s =
    VALUELESS.has(e.type) || e.value === OMIT
      ? TYPE_TEXT[e.type]
      : `${TYPE_TEXT[e.type]}: ${formatValue(e.value)}`;
  return e.detail.length > 0 ? `${s}: ${e.detail}` : s;
}

/** Upstream's Error(): `metadata.name: Invalid value: "A_b": a lowercase RFC 1123 ...`. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/**
 * Upstream's `ErrorList.ToAggregate().Error()`: duplicates (same message) dropped, one error
 * printed alone, several as `[e1, e2]`. Undefined for an empty list (a nil aggregate).
 */
export function aggregateMessage(errors: readonly FieldError[]): string | undefined {
  const messages = [...new Set(errors.map(formatFieldError))];
  if (messages.length === 0) return undefined;
  if (messages.length === 1) return messages[0];
  return `[${messages.join(', ')}]`;
}

/** GroupKind.String(): the kind, then `.group` unless the group is the core group. */
export function qualifiedKindString(gk: QualifiedKind): string {
  return gk.group === '' ? gk.kind : `${gk.kind}.${gk.group}`;
}

/**
 * The message of `errors.NewInvalid(gk, name, errs)`:
 * `Pod "A_b" is invalid: metadata.name: Invalid value: ...` (several errors in brackets).
 */
export function invalidMessage(
  gk: QualifiedKind,
  name: string,
  errors: readonly FieldError[],
): string {
  const head = `${qualifiedKindString(gk)} ${goQuote(name)} is invalid`;
  const agg = aggregateMessage(errors);
  return agg === undefined ? head : `${head}: ${agg}`;
}

/** The `details` of `errors.NewInvalid` (empty members omitted, as upstream's omitempty). */
export interface InvalidDetails {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly causes?: readonly FieldErrorCause[];
}

export function invalidDetails(
  gk: QualifiedKind,
  name: string,
  errors: readonly FieldError[],
): InvalidDetails {
  return {
    ...(gk.group === '' ? {} : { group: gk.group }),
    ...(gk.kind === '' ? {} : { kind: gk.kind }),
    ...(name === '' ? {} : { name }),
    ...(errors.length === 0 ? {} : { causes: statusCauses(errors) }),
  };
}

/** The `details.causes` of `errors.NewInvalid`: one per error, in order, not deduplicated. */
export function statusCauses(errors: readonly FieldError[]): FieldErrorCause[] {
  return errors.map((e) => {
    const message = fieldErrorBody(e);
    return {
      reason: e.type,
      ...(message === '' ? {} : { message }),
      ...(e.field === '' ? {} : { field: e.field }),
    };
  });
}
