/**
 * The errors every client call can throw, each with a stable `code` (undici's style):
 * `ApiStatusError` carries the server's `Status` (code, reason, message, details) as
 * apimachinery's StatusError; `ClientTimeoutError` is the per-request deadline;
 * `ClientUnavailableError` means no API server answered (and says whether the request may
 * still have reached one); `ClientProtocolError` is a body that is not what the API promises.
 * An aborted call rejects with the signal's reason instead (an `AbortError` by default).
 */
import type { StatusDetails, StatusReason } from '../api/status.ts';

export abstract class ClientError extends Error {
  abstract readonly code: string;
}

/** The `Status` object a failed request answered with (kind Status, status Failure). */
export interface StatusObject {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: StatusDetails;
}

export class ApiStatusError extends ClientError {
  readonly code = 'CLIENT_API_STATUS';
  /** The HTTP status code (the Status body's `code`, or the response's when it has none). */
  readonly statusCode: number;
  /** Upstream's StatusReason; `Unknown` when the body named none. */
  readonly reason: StatusReason | 'Unknown';
  readonly details: StatusDetails | undefined;
  readonly status: StatusObject;
  constructor(status: StatusObject, httpStatus: number) {
    const statusCode =
      typeof status.code === 'number' && status.code > 0 ? status.code : httpStatus;
    super(status.message ?? `the server responded with HTTP ${String(statusCode)}`);
    this.name = 'ApiStatusError';
    this.statusCode = statusCode;
    this.reason = (status.reason as StatusReason | undefined) ?? reasonForCode(statusCode);
    this.details = status.details;
    this.status = status;
  }
}

export class ClientTimeoutError extends ClientError {
  readonly code = 'CLIENT_TIMEOUT';
  readonly timeoutMs: number;
  constructor(timeoutMs: number, what: string) {
    super(`${what} timed out after ${String(timeoutMs)} ms`);
    this.name = 'ClientTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export interface ServerFailure {
  readonly server: string;
  readonly error: unknown;
}

export class ClientUnavailableError extends ClientError {
  readonly code = 'CLIENT_UNAVAILABLE';
  /** What went wrong with each server tried, in order. */
  readonly failures: readonly ServerFailure[];
  /**
   * True when the request was sent and the connection failed before the answer arrived: the
   * server may have applied it. Only then is a create (POST) not retried on another server.
   */
  readonly requestMayHaveReachedServer: boolean;
  constructor(
    message: string,
    failures: readonly ServerFailure[],
    requestMayHaveReachedServer: boolean,
  ) {
    const last = failures.at(-1)?.error;
    super(message, { cause: last });
    this.name = 'ClientUnavailableError';
    this.failures = failures;
    this.requestMayHaveReachedServer = requestMayHaveReachedServer;
  }
}

export class ClientProtocolError extends ClientError {
  readonly code = 'CLIENT_PROTOCOL';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientProtocolError';
  }
}

const REASONS: Readonly<Record<number, StatusReason>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The reason apimachinery's NewGenericServerResponse gives a bare HTTP code. */
export function reasonForCode(code: number): StatusReason | 'Unknown' {
  return REASONS[code] ?? 'Unknown';
}

const isReason = (err: unknown, ...reasons: readonly string[]): boolean =>
  err instanceof ApiStatusError && reasons.includes(err.reason);

export const isNotFound = (err: unknown): boolean => isReason(err, 'NotFound');
export const isAlreadyExists = (err: unknown): boolean => isReason(err, 'AlreadyExists');
export const isConflict = (err: unknown): boolean => isReason(err, 'Conflict');
export const isInvalid = (err: unknown): boolean => isReason(err, 'Invalid');
export const isForbidden = (err: unknown): boolean => isReason(err, 'Forbidden');
export const isUnauthorized = (err: unknown): boolean => isReason(err, 'Unauthorized');
export const isTooManyRequests = (err: unknown): boolean => isReason(err, 'TooManyRequests');
export const isInternalError = (err: unknown): boolean => isReason(err, 'InternalError');

/** apimachinery's HasStatusCause: the Status details carry a cause of this type (`reason`). */
export const hasStatusCause = (err: unknown, cause: string): boolean =>
  err instanceof ApiStatusError && (err.details?.causes ?? []).some((c) => c.reason === cause);

/**
 * A create refused because its namespace is being deleted (v1.NamespaceTerminatingCause):
 * controllers drop such writes silently, as upstream, since every later one fails the same way.
 */
export const isNamespaceTerminating = (err: unknown): boolean =>
  hasStatusCause(err, 'NamespaceTerminating');

/** 410: the resourceVersion was compacted (Expired; Gone from servers before 1.18), as the reflector's isExpiredError. */
export const isExpired = (err: unknown): boolean => isReason(err, 'Expired', 'Gone');

/** The signal's reason as an Error (an AbortError DOMException when it is not one). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * `signal.aborted`, read through a call: TypeScript narrows a property read across `await`s,
 * but a signal can abort while a call is pending.
 */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** The server's Status as an ApiStatusError, or a generic one when the body is not a Status. */
export function errorFromResponse(httpStatus: number, body: Buffer): ApiStatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as StatusObject).kind === 'Status')
    return new ApiStatusError(parsed, httpStatus);
  const text = body.toString('utf8').trim().slice(0, 500);
  return new ApiStatusError(
    {
      message:
        text === ''
          ? `the server responded with HTTP ${String(httpStatus)}`
          : `the server responded with HTTP ${String(httpStatus)}: ${text}`,
    },
    httpStatus,
  );
}
