/**
 * Typed selector errors with stable codes. Every one of them is a client error: the API server
 * answers 400 BadRequest with `message` unchanged, which is upstream's wording (the list handler
 * does `errors.NewBadRequest(err.Error())` for both parse and field-label errors).
 */
import type { FieldError } from '../validation/field-error.ts';

export type SelectorErrorCode =
  | 'SELECTOR_PARSE_ERROR'
  | 'SELECTOR_TOO_LONG'
  | 'SELECTOR_INVALID_REQUIREMENT'
  | 'SELECTOR_FIELD_NOT_SUPPORTED';

export abstract class SelectorError extends Error {
  abstract readonly code: SelectorErrorCode;
}

/** The selector string does not follow the grammar, or a key/value in it is invalid. */
export class SelectorParseError extends SelectorError {
  readonly code = 'SELECTOR_PARSE_ERROR';
  readonly selector: string;
  constructor(selector: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SelectorParseError';
    this.selector = selector;
  }
}

/**
 * A k8ts bound, not an upstream rule: the selector is longer, or has more requirements, than
 * the parser accepts (see SelectorLimits). Bounds keep one request's parse and per-object
 * match cost small.
 */
export class SelectorTooLongError extends SelectorError {
  readonly code = 'SELECTOR_TOO_LONG';
  constructor(message: string) {
    super(message);
    this.name = 'SelectorTooLongError';
  }
}

/**
 * A requirement breaks upstream's NewRequirement rules (key, operator, values); `causes` are
 * the field errors and the message is their aggregate, as upstream's error string.
 */
export class InvalidRequirementError extends SelectorError {
  readonly code = 'SELECTOR_INVALID_REQUIREMENT';
  readonly causes: readonly FieldError[];
  constructor(message: string, causes: readonly FieldError[]) {
    super(message);
    this.name = 'InvalidRequirementError';
    this.causes = causes;
  }
}

/** A field selector names a field the kind does not support (upstream's conversion funcs). */
export class FieldLabelNotSupportedError extends SelectorError {
  readonly code = 'SELECTOR_FIELD_NOT_SUPPORTED';
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'FieldLabelNotSupportedError';
    this.field = field;
  }
}

/** Bounds on selector input, k8ts-specific (upstream has none besides the URL size). */
export interface SelectorLimits {
  /** Longest selector string accepted, in UTF-16 code units. Default 65536 (64 Ki). */
  readonly maxLength?: number;
  /** Most requirements (label) or terms (field) accepted. Default 1024. */
  readonly maxRequirements?: number;
}

export const DEFAULT_MAX_SELECTOR_LENGTH = 64 * 1024;
export const DEFAULT_MAX_SELECTOR_REQUIREMENTS = 1024;

/** Throws SelectorTooLongError when `selector` is longer than the limit. */
export function checkSelectorLength(kind: string, selector: string, limits: SelectorLimits): void {
  const max = limits.maxLength ?? DEFAULT_MAX_SELECTOR_LENGTH;
  if (selector.length > max) {
    throw new SelectorTooLongError(
      `${kind} selector is too long: ${selector.length} characters, at most ${max} are allowed`,
    );
  }
}

/** Throws SelectorTooLongError when there are more requirements than the limit. */
export function checkRequirementCount(kind: string, count: number, limits: SelectorLimits): void {
  const max = limits.maxRequirements ?? DEFAULT_MAX_SELECTOR_REQUIREMENTS;
  if (count > max) {
    throw new SelectorTooLongError(
      `${kind} selector has too many requirements: ${count}, at most ${max} are allowed`,
    );
  }
}
