/**
 * Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`): unknown and duplicate
 * fields checked against the kinds' OpenAPI v3 schemas, with upstream's messages. The create and
 * update handlers call checkFieldValidation; patch builds on the parts.
 */
export {
  checkFieldValidation,
  fieldValidationDirective,
  strictDecodingMessage,
  strictProblemText,
  unknownFieldProblems,
} from './field-validation.ts';
export type {
  FieldValidationDirective,
  FieldValidationInput,
  FieldValidationOptionsKind,
  FieldValidationResult,
} from './field-validation.ts';
export { findDuplicateKeys } from './duplicate-keys.ts';
export type { StrictProblem, StrictProblemKind } from './duplicate-keys.ts';
export { FieldSchemas, shippedFieldSchemas } from './field-schema.ts';
export type { FieldNode, GroupVersionKind } from './field-schema.ts';
export { findUnknownFields, MAX_STRICT_ERRORS, pruneUnknownFields } from './unknown-fields.ts';
