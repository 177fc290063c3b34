/**
 * Typed store errors with stable codes. Every backend throws exactly these, so the API server
 * maps them to Kubernetes Status reasons in one place (NotFound, AlreadyExists, Conflict,
 * Expired/Gone, ServiceUnavailable, RequestEntityTooLarge) whatever the backend.
 */
import type { KeyValue } from './store.ts';

export type StoreErrorCode =
  | 'STORE_NOT_FOUND'
  | 'STORE_ALREADY_EXISTS'
  | 'STORE_CONFLICT'
  | 'STORE_GONE'
  | 'STORE_UNAVAILABLE'
  | 'STORE_TOO_LARGE'
  | 'STORE_INVALID_ARGUMENT'
  | 'STORE_CLOSED';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
}

export class StoreNotFoundError extends StoreError {
  readonly code = 'STORE_NOT_FOUND';
  readonly key: string;
  constructor(key: string) {
    super(`key not found: ${key}`);
    this.name = 'StoreNotFoundError';
    this.key = key;
  }
}

export class StoreAlreadyExistsError extends StoreError {
  readonly code = 'STORE_ALREADY_EXISTS';
  readonly key: string;
  constructor(key: string) {
    super(`key already exists: ${key}`);
    this.name = 'StoreAlreadyExistsError';
    this.key = key;
  }
}

/** The key's modRevision was not the expected one; `current` is what is there now. */
export class StoreConflictError extends StoreError {
  readonly code = 'STORE_CONFLICT';
  readonly key: string;
  readonly expectedModRevision: number;
  readonly current: KeyValue | undefined;
  constructor(key: string, expectedModRevision: number, current: KeyValue | undefined) {
    super(
      `conflict on ${key}: expected modRevision ${String(expectedModRevision)}, found ${
        current === undefined ? 'no key' : String(current.modRevision)
      }`,
    );
    this.name = 'StoreConflictError';
    this.key = key;
    this.expectedModRevision = expectedModRevision;
    this.current = current;
  }
}

/** The requested revision is older than the compacted one (Kubernetes: 410 Expired). */
export class StoreGoneError extends StoreError {
  readonly code = 'STORE_GONE';
  readonly requestedRevision: number;
  readonly compactedRevision: number;
  constructor(requestedRevision: number, compactedRevision: number) {
    super(
      `revision ${String(requestedRevision)} has been compacted (oldest available: ${String(
        compactedRevision,
      )})`,
    );
    this.name = 'StoreGoneError';
    this.requestedRevision = requestedRevision;
    this.compactedRevision = compactedRevision;
  }
}

/** The backend cannot be reached or did not answer in time. Safe to retry reads. */
export class StoreUnavailableError extends StoreError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export class StoreTooLargeError extends StoreError {
  readonly code = 'STORE_TOO_LARGE';
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(key: string, sizeBytes: number, limitBytes: number) {
    super(
      `value for ${key} is ${String(sizeBytes)} bytes, over the store's limit of ${String(limitBytes)}`,
    );
    this.name = 'StoreTooLargeError';
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** A malformed argument: an empty key, a bad continue token, a negative revision. */
export class StoreInvalidArgumentError extends StoreError {
  readonly code = 'STORE_INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
    this.name = 'StoreInvalidArgumentError';
  }
}

export class StoreClosedError extends StoreError {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('store is closed');
    this.name = 'StoreClosedError';
  }
}

export function isStoreError(err: unknown): err is StoreError {
  return err instanceof StoreError;
}
