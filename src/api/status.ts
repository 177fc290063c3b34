/**
 * API errors and the Kubernetes `Status` objects they become: one class with upstream's reason,
 * HTTP code and details, and one constructor per reason with upstream's message wording
 * (k8s.io/apimachinery/pkg/api/errors), so kubectl prints e.g.
 * `Error from server (NotFound): configmaps "cm2" not found`.
 */
import type { JsonObject } from './json.ts';
import { invalidDetails, invalidMessage } from './validation/field-error.ts';
import type { FieldError } from './validation/field-error.ts';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** A qualified resource as upstream names it in messages: `pods`, `deployments.apps`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** Status details omit an empty group, as upstream's `omitempty` does. */
function groupOf(gr: GroupResource): { group?: string } {
  return gr.group === '' ? {} : { group: gr.group };
}

function qualified(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;
  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) {
      status['details'] = JSON.parse(JSON.stringify(this.details)) as JsonObject;
    }
    return status;
  }
}

export function successStatus(details?: StatusDetails): JsonObject {
  const status: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (details !== undefined) status['details'] = JSON.parse(JSON.stringify(details)) as JsonObject;
  return status;
}

export const badRequest = (message: string, causes?: readonly StatusCause[]): ApiError =>
  new ApiError(400, 'BadRequest', message, causes === undefined ? undefined : { causes });

export const unauthorized = (message = 'Unauthorized'): ApiError =>
  new ApiError(401, 'Unauthorized', message);

export const forbidden = (gr: GroupResource, name: string, why: string): ApiError =>
  new ApiError(
    403,
    'Forbidden',
    name === ''
      ? `${qualified(gr)} is forbidden: ${why}`
      : `${qualified(gr)} "${name}" is forbidden: ${why}`,
    { ...(name === '' ? {} : { name }), ...groupOf(gr), kind: gr.resource },
  );

export const notFound = (gr: GroupResource, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, {
    name,
    ...groupOf(gr),
    kind: gr.resource,
  });

/** A path that names no resource (upstream answers 404 with "the server could not find..."). */
export const pathNotFound = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (gr: GroupResource, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, {
    name,
    ...groupOf(gr),
    kind: gr.resource,
  });

export const conflict = (gr: GroupResource, name: string, why: string): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    { name, ...groupOf(gr), kind: gr.resource },
  );

/** The optimistic-concurrency conflict, worded as upstream's OptimisticLockErrorMsg. */
export const staleResourceVersion = (gr: GroupResource, name: string): ApiError =>
  conflict(
    gr,
    name,
    'the object has been modified; please apply your changes to the latest version and try again',
  );

export const gone = (message: string): ApiError => new ApiError(410, 'Gone', message);

/** 410 Expired: the resourceVersion asked for was compacted (watch and list). */
export const expired = (message: string): ApiError => new ApiError(410, 'Expired', message);

/** 422 Invalid, worded as upstream's errors.NewInvalid (`Deployment.apps "x" is invalid: ...`). */
export const invalid = (
  gk: { readonly group: string; readonly kind: string },
  name: string,
  errors: readonly FieldError[],
): ApiError =>
  new ApiError(422, 'Invalid', invalidMessage(gk, name, errors), invalidDetails(gk, name, errors));

export const methodNotAllowed = (verb: string, gr?: GroupResource): ApiError =>
  new ApiError(
    405,
    'MethodNotAllowed',
    gr === undefined
      ? `the server does not allow this method on the requested resource`
      : `${verb} is not supported on resources of kind "${qualified(gr)}"`,
  );

export const notAcceptable = (accept: string): ApiError =>
  new ApiError(
    406,
    'NotAcceptable',
    `the server was unable to respond with a content type that the client supports (${accept})`,
  );

export const unsupportedMediaType = (contentType: string): ApiError =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`,
  );

export const requestEntityTooLarge = (limitBytes: number): ApiError =>
  new ApiError(
    413,
    'RequestEntityTooLarge',
    `the server has received too large of a request: limit is ${String(limitBytes)} bytes`,
  );

export const tooManyRequests = (message: string, retryAfterSeconds: number): ApiError =>
  new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds });

export const internalError = (message: string, cause?: unknown): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {}, { cause });

export const serviceUnavailable = (message: string): ApiError =>
  new ApiError(503, 'ServiceUnavailable', message);

export const timeout = (message: string, retryAfterSeconds: number): ApiError =>
  new ApiError(504, 'Timeout', message, { retryAfterSeconds });
