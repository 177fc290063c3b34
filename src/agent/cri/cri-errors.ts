/**
 * Errors of CRI calls, each with a stable `code`: `CriUnavailableError` (the runtime's socket
 * does not answer: containerd down or restarting), `CriDeadlineError` (the call's deadline
 * passed), `CriNotFoundError` (the sandbox, container or image is gone) and `CriCallError`
 * (anything else the runtime answered, with its gRPC status code and message). An aborted call
 * rejects with the signal's reason instead.
 */

export abstract class CriError extends Error {
  abstract readonly code: string;
  /** The RPC, e.g. `RuntimeService/RunPodSandbox`. */
  readonly method: string;
  /** The gRPC status code (14 UNAVAILABLE, 4 DEADLINE_EXCEEDED, 5 NOT_FOUND, ...). */
  readonly grpcCode: number;
  constructor(method: string, grpcCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.method = method;
    this.grpcCode = grpcCode;
  }
}

export class CriUnavailableError extends CriError {
  readonly code = 'CRI_UNAVAILABLE';
  constructor(method: string, endpoint: string, detail: string, options?: ErrorOptions) {
    super(
      method,
      14,
      `${method}: container runtime at ${endpoint} is unavailable: ${detail}`,
      options,
    );
    this.name = 'CriUnavailableError';
  }
}

export class CriDeadlineError extends CriError {
  readonly code = 'CRI_DEADLINE_EXCEEDED';
  readonly timeoutMs: number;
  constructor(method: string, timeoutMs: number, options?: ErrorOptions) {
    super(method, 4, `${method}: no answer within ${String(timeoutMs)} ms`, options);
    this.name = 'CriDeadlineError';
    this.timeoutMs = timeoutMs;
  }
}

export class CriNotFoundError extends CriError {
  readonly code = 'CRI_NOT_FOUND';
  constructor(method: string, detail: string, options?: ErrorOptions) {
    super(method, 5, `${method}: ${detail}`, options);
    this.name = 'CriNotFoundError';
  }
}

export class CriCallError extends CriError {
  readonly code = 'CRI_CALL_FAILED';
  /** What the runtime said (gRPC status details), e.g. containerd's pull or runc error. */
  readonly details: string;
  constructor(method: string, grpcCode: number, details: string, options?: ErrorOptions) {
    super(method, grpcCode, `${method}: ${details}`, options);
    this.name = 'CriCallError';
    this.details = details;
  }
}

export function isCriNotFound(err: unknown): err is CriNotFoundError {
  return err instanceof CriNotFoundError;
}

export function isCriUnavailable(err: unknown): err is CriUnavailableError {
  return err instanceof CriUnavailableError;
}
