/**
 * Typed patch errors. Each carries a stable `code` and the HTTP meaning kube-apiserver gives the
 * same failure (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go): 400 BadRequest for a
 * body that is not a patch, 413 for too many json-patch operations, 422 Invalid for a patch that
 * cannot apply, and 500 with an empty reason for the strategic-merge errors upstream leaves
 * unclassified. `statusMessage` is the text upstream puts in the Status it answers with.
 */

/** Kubernetes Status reasons a patch error maps to; `Unknown` is upstream's empty reason (""). */
export type PatchErrorReason = 'BadRequest' | 'RequestEntityTooLarge' | 'Invalid' | 'Unknown';

export type PatchErrorCode =
  | 'PATCH_MALFORMED'
  | 'PATCH_TOO_DEEP'
  | 'PATCH_TOO_MANY_OPERATIONS'
  | 'PATCH_OPERATION_FAILED'
  | 'PATCH_TEST_FAILED'
  | 'PATCH_COPY_TOO_LARGE'
  | 'PATCH_SMP_BAD_FORMAT'
  | 'PATCH_SMP_INVALID'
  | 'PATCH_SMP_FAILED';

const HTTP_STATUS: Readonly<Record<PatchErrorReason, 400 | 413 | 422 | 500>> = {
  BadRequest: 400,
  RequestEntityTooLarge: 413,
  Invalid: 422,
  Unknown: 500,
};

/**
 * upstream answers 422 through NewGenericServerResponse, which drops the detail and says this;
 * kubectl prints "The request is invalid: the server rejected our request due to an error in our
 * request".
 */
export const GENERIC_INVALID_MESSAGE =
  'the server rejected our request due to an error in our request';

export abstract class PatchError extends Error {
  abstract readonly code: PatchErrorCode;
  abstract readonly reason: PatchErrorReason;

  /** The HTTP status kube-apiserver answers this failure with. */
  get httpStatus(): 400 | 413 | 422 | 500 {
    return HTTP_STATUS[this.reason];
  }

  /** The `message` of the Status upstream sends; `this.message` is the engine's own detail. */
  get statusMessage(): string {
    switch (this.reason) {
      case 'Invalid':
        return GENERIC_INVALID_MESSAGE;
      case 'RequestEntityTooLarge':
        return `Request entity too large: ${this.message}`;
      case 'BadRequest':
      case 'Unknown':
        return this.message;
    }
  }
}

/** The body is not JSON, or not the shape the patch type needs (a list of operations, a map). */
export class PatchMalformedError extends PatchError {
  readonly code = 'PATCH_MALFORMED';
  readonly reason = 'BadRequest';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PatchMalformedError';
  }
}

/**
 * Nesting deeper than the engine's bound. For the patch body this is a 400 (Go's decoder rejects
 * bodies nested over 10000 levels the same way); for a patched result it is a 422, as upstream
 * fails to decode the object it produced.
 */
export class PatchTooDeepError extends PatchError {
  readonly code = 'PATCH_TOO_DEEP';
  readonly reason: 'BadRequest' | 'Invalid';
  readonly maxDepth: number;
  constructor(what: 'patch' | 'object' | 'result', maxDepth: number) {
    super(`${what} is nested more than ${String(maxDepth)} levels deep`);
    this.name = 'PatchTooDeepError';
    this.reason = what === 'result' ? 'Invalid' : 'BadRequest';
    this.maxDepth = maxDepth;
  }
}

export class PatchTooManyOperationsError extends PatchError {
  readonly code = 'PATCH_TOO_MANY_OPERATIONS';
  readonly reason = 'RequestEntityTooLarge';
  readonly limit: number;
  readonly count: number;
  constructor(limit: number, count: number) {
    super(
      `The allowed maximum operations in a JSON patch is ${String(limit)}, got ${String(count)}`,
    );
    this.name = 'PatchTooManyOperationsError';
    this.limit = limit;
    this.count = count;
  }
}

/** A json-patch operation that cannot apply: missing path, bad index, unknown op. */
export class JsonPatchOperationError extends PatchError {
  readonly code = 'PATCH_OPERATION_FAILED';
  readonly reason = 'Invalid';
  /** Index of the failing operation in the patch. */
  readonly operationIndex: number;
  constructor(message: string, operationIndex: number) {
    super(message);
    this.name = 'JsonPatchOperationError';
    this.operationIndex = operationIndex;
  }
}

export class JsonPatchTestFailedError extends PatchError {
  readonly code = 'PATCH_TEST_FAILED';
  readonly reason = 'Invalid';
  readonly operationIndex: number;
  readonly path: string;
  constructor(path: string, operationIndex: number) {
    super(`testing value ${path} failed: test failed`);
    this.name = 'JsonPatchTestFailedError';
    this.operationIndex = operationIndex;
    this.path = path;
  }
}

/** The `copy` operations of one patch together copied more bytes than allowed. */
export class JsonPatchCopyTooLargeError extends PatchError {
  readonly code = 'PATCH_COPY_TOO_LARGE';
  readonly reason = 'Invalid';
  readonly limitBytes: number;
  readonly accumulatedBytes: number;
  constructor(limitBytes: number, accumulatedBytes: number) {
    super(
      `Unable to complete the copy, the accumulated size increase of copy is ${String(
        accumulatedBytes,
      )}, exceeding the limit ${String(limitBytes)}`,
    );
    this.name = 'JsonPatchCopyTooLargeError';
    this.limitBytes = limitBytes;
    this.accumulatedBytes = accumulatedBytes;
  }
}

/**
 * A strategic merge patch that cannot apply. `kind` follows upstream's
 * interpretStrategicMergePatchError: the mergepatch format sentinels are 400, lists of lists are
 * 422, everything else (missing merge key, mismatched element types, ...) reaches the client as a
 * 500 with an empty reason.
 */
export class StrategicMergePatchError extends PatchError {
  readonly code: 'PATCH_SMP_BAD_FORMAT' | 'PATCH_SMP_INVALID' | 'PATCH_SMP_FAILED';
  readonly reason: 'BadRequest' | 'Invalid' | 'Unknown';
  constructor(kind: 'bad-format' | 'invalid' | 'failed', message: string) {
    super(message);
    this.name = 'StrategicMergePatchError';
    switch (kind) {
      case 'bad-format':
        this.code = 'PATCH_SMP_BAD_FORMAT';
        this.reason = 'BadRequest';
        break;
      case 'invalid':
        this.code = 'PATCH_SMP_INVALID';
        this.reason = 'Invalid';
        break;
      case 'failed':
        this.code = 'PATCH_SMP_FAILED';
        this.reason = 'Unknown';
        break;
    }
  }
}

export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}
