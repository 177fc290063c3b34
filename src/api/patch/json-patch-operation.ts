/**
 * One json-patch operation as evanphx/json-patch v4 reads it (Operation.Kind/Path/From/value):
 * a missing or non-string `op` is the kind "unknown", a null `path`/`from` is missing, and an
 * absent `value` differs from a null one only for `test`. Failures carry upstream's texts.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { JsonPatchOperationError } from './errors.ts';
import { getOwn, jsonKind } from './json-values.ts';

/** pkg/errors' rendering of jsonpatch.ErrMissing, which ends most of upstream's messages. */
export const MISSING = 'missing value';

/** Upstream's Operation.Kind/Path/From/value, including how it treats null and absent fields. */
export class Operation {
  readonly op: JsonObject;
  readonly index: number;
  constructor(op: JsonObject, index: number) {
    this.op = op;
    this.index = index;
  }
  kind(): string {
    const v = getOwn(this.op, 'op');
    return typeof v === 'string' ? v : 'unknown';
  }
  /** The path, or the text of upstream's decode error. */
  pointer(field: 'path' | 'from'): { ok: true; value: string } | { ok: false; error: string } {
    const v = getOwn(this.op, field);
    if (v === undefined || v === null) {
      const what =
        field === 'path' ? 'operation missing path field' : 'operation, missing from field';
      return { ok: false, error: `${what}: ${MISSING}` };
    }
    if (typeof v !== 'string') {
      return {
        ok: false,
        error: `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`,
      };
    }
    return { ok: true, value: v };
  }
  /** The value; `undefined` when the field is absent (upstream's nil node), null when null. */
  value(): JsonValue | undefined {
    return getOwn(this.op, 'value');
  }
  fail(message: string): JsonPatchOperationError {
    return new JsonPatchOperationError(message, this.index);
  }
}
