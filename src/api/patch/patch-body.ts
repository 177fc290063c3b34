/**
 * Decoding a PATCH request body into a JSON value, as kube-apiserver's validateAndTranscodePatch
 * does for the JSON patch types: anything that is not valid JSON is a 400 "invalid JSON patch".
 * Guarantees: a leading BOM is rejected like Go does, nesting is bounded, numbers are finite.
 */
import type { JsonValue } from '../json.ts';
import { PatchMalformedError } from './errors.ts';
import { DEFAULT_MAX_DEPTH, cloneBounded } from './json-values.ts';

export interface ParsePatchBodyOptions {
  /** Deepest nesting accepted; default DEFAULT_MAX_DEPTH (256). */
  readonly maxDepth?: number;
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function parsePatchBody(
  body: string | Uint8Array,
  options: ParsePatchBodyOptions = {},
): JsonValue {
  const text = typeof body === 'string' ? body : decoder.decode(body);
  let parsed: unknown;
  try {
    // V8's JSON.parse is iterative, so a hostile nesting depth cannot overflow the stack here.
    parsed = JSON.parse(text);
  } catch (err: unknown) {
    throw new PatchMalformedError('invalid JSON patch', { cause: err });
  }
  // The copy is cheap next to the patch itself and gives one validated, bounded value.
  return cloneBounded(parsed, options.maxDepth ?? DEFAULT_MAX_DEPTH, 'patch');
}
