/**
 * The `fieldValidation` query parameter of create, update and patch (upstream's
 * handlers/{create,update,patch}.go): `Strict` turns unknown and duplicate fields into a 400,
 * `Warn` (the default when absent) into `Warning` headers, `Ignore` skips the checks. Another
 * value is a 422 on `<Verb>Options.meta.k8s.io`. Unknown fields are then dropped from the object
 * whatever the directive, as Go's decoding drops them. Protobuf bodies are never checked
 * (upstream's protobuf decoder is not strict).
 */
import type { JsonObject } from '../../api/json.ts';
import { stringField } from '../../api/json.ts';
import { badRequest, invalid } from '../../api/status.ts';
import { goQuote } from '../../api/validation/go-format.ts';
import { notSupported } from '../../api/validation/field-error.ts';
import { mediaType } from '../http/decode-body.ts';
import { findDuplicateKeys } from './duplicate-keys.ts';
import type { StrictProblem } from './duplicate-keys.ts';
import { shippedFieldSchemas } from './field-schema.ts';
import type { FieldSchemas, GroupVersionKind } from './field-schema.ts';
import { findUnknownFields, pruneUnknownFields } from './unknown-fields.ts';

export type FieldValidationDirective = 'Ignore' | 'Warn' | 'Strict';

/** The options type whose validation reports a bad `fieldValidation` value. */
export type FieldValidationOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** Upstream's allowed values, sorted as sets.String.List() prints them. */
const ALLOWED = ['', 'Ignore', 'Strict', 'Warn'] as const;

/** The request's directive; absent or empty is `Warn` (upstream's fieldValidation()). */
export function fieldValidationDirective(
  query: URLSearchParams,
  options: FieldValidationOptionsKind,
): FieldValidationDirective {
  const value = query.get('fieldValidation') ?? '';
  switch (value) {
    case '':
    case 'Warn':
      return 'Warn';
    case 'Ignore':
    case 'Strict':
      return value;
    default:
      throw invalid({ group: 'meta.k8s.io', kind: options }, '', [
        notSupported('fieldValidation', value, ALLOWED),
      ]);
  }
}

/** Upstream's text of one problem: `unknown field "spec.foo"`, `duplicate field "x"`. */
export function strictProblemText(problem: StrictProblem): string {
  return `${problem.kind} ${goQuote(problem.path)}`;
}

/** runtime.NewStrictDecodingError(...).Error(): `strict decoding error: <e1>, <e2>`. */
export function strictDecodingMessage(problems: readonly string[]): string {
  return `strict decoding error: ${problems.join(', ')}`;
}

/** The unknown fields of a decoded object of kind `gvk` (none when no schema describes it). */
export async function unknownFieldProblems(
  gvk: GroupVersionKind,
  obj: JsonObject,
  documentOf: { readonly group: string; readonly version: string } = gvk,
  schemas: FieldSchemas = shippedFieldSchemas,
): Promise<string[]> {
  const node = await schemas.forKind(gvk, documentOf);
  if (node === undefined) return [];
  return findUnknownFields(node, obj).map((path) =>
    strictProblemText({ kind: 'unknown field', path }),
  );
}

export interface FieldValidationInput {
  /** The type the body decodes into: the resource's kind, or autoscaling/v1 Scale. */
  readonly target: GroupVersionKind;
  /** The group-version whose OpenAPI document describes `target`; default: target's own. */
  readonly documentOf?: { readonly group: string; readonly version: string };
  /** The raw request body, and its Content-Type. */
  readonly body: Buffer;
  readonly contentType: string | undefined;
  /** The body as decoded. */
  readonly object: JsonObject;
  readonly query: URLSearchParams;
  readonly options: FieldValidationOptionsKind;
}

export interface FieldValidationResult {
  readonly directive: FieldValidationDirective;
  /** For `Warn`: one `Warning` header text per problem. */
  readonly warnings: readonly string[];
}

/** The strict problems of a create or update body, in upstream's order. */
async function bodyProblems(input: FieldValidationInput, schemas: FieldSchemas): Promise<string[]> {
  const type = mediaType(input.contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return [];
  const node = await schemas.forKind(input.target, input.documentOf);
  if (type === '' || type === 'application/json') {
    // One pass over the text finds duplicates (lost by JSON.parse) and unknown fields together.
    return findDuplicateKeys(input.body, node).map(strictProblemText);
  }
  // YAML: duplicate keys were already refused by the YAML parser.
  if (node === undefined) return [];
  return findUnknownFields(node, input.object).map((path) =>
    strictProblemText({ kind: 'unknown field', path }),
  );
}

/**
 * upstream's transformDecodeError for a strict error: the body's kind and version (defaulted
 * from the target), then the target's kind.
 */
function strictBadRequestMessage(input: FieldValidationInput, problems: readonly string[]): string {
  const apiVersion = stringField(input.object, 'apiVersion') ?? '';
  const bodyKind = stringField(input.object, 'kind') ?? '';
  const kind = bodyKind === '' ? input.target.kind : bodyKind;
  const version =
    apiVersion === '' ? input.target.version : apiVersion.slice(apiVersion.indexOf('/') + 1);
  return `${kind} in version ${goQuote(version)} cannot be handled as a ${input.target.kind}: ${strictDecodingMessage(problems)}`;
}

/**
 * Applies the request's `fieldValidation` to a create or update body: throws the 400 for
 * `Strict`, returns the warnings for `Warn` (the caller adds them to the response), and drops
 * unknown fields from `input.object` (in place) unless it throws.
 */
export async function checkFieldValidation(
  input: FieldValidationInput,
  schemas: FieldSchemas = shippedFieldSchemas,
): Promise<FieldValidationResult> {
  const directive = fieldValidationDirective(input.query, input.options);
  const problems = directive === 'Ignore' ? [] : await bodyProblems(input, schemas);
  if (problems.length > 0 && directive === 'Strict') {
    throw badRequest(strictBadRequestMessage(input, problems));
  }
  if (mediaType(input.contentType) !== 'application/vnd.kubernetes.protobuf') {
    const node = await schemas.forKind(input.target, input.documentOf);
    if (node !== undefined) pruneUnknownFields(node, input.object);
  }
  return { directive, warnings: problems };
}
