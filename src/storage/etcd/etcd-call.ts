/**
 * Runs one etcd request under EtcdStore's rules: bounded by `requestTimeoutMs` in total (gRPC
 * deadline plus a local timer, so nothing can hang), retried on another member only when the
 * failure proves the request was not applied (or when it is a read), and every failure turned
 * into a typed error. etcd's own refusals (compacted, future revision, too large) come out as
 * EtcdRejection for the caller to map, since only it knows the key and revision involved.
 */
import {
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCInternalError,
  GRPCInvalidArgumentError,
  GRPCUnavailableError,
  GRPCUnknownError,
} from 'etcd3';
import { StoreClosedError, StoreInvalidArgumentError, StoreUnavailableError } from '../errors.ts';

/** Reads (and idempotent requests) may be retried after any transport failure; writes may not. */
export type RequestKind = 'read' | 'write';

export type RejectionReason = 'compacted' | 'future-revision' | 'too-large' | 'lease-not-found';

/** etcd refused the request for a reason the caller turns into a StoreError. */
export class EtcdRejection extends Error {
  readonly reason: RejectionReason;
  constructor(reason: RejectionReason, options: { cause: unknown }) {
    super(`etcd rejected the request: ${reason}`, options);
    this.name = 'EtcdRejection';
    this.reason = reason;
  }
}

export interface CallContext {
  readonly requestTimeoutMs: number;
  readonly isClosed: () => boolean;
}

/** The gRPC call options every attempt must pass on (the absolute deadline). */
export interface CallOptions {
  readonly deadline: Date;
}

type Failure =
  | { readonly kind: 'rejected'; readonly reason: RejectionReason }
  | { readonly kind: 'invalid' }
  /** The request never reached a member that could apply it: safe to re-send. */
  | { readonly kind: 'not-applied' }
  /** The request may or may not have been applied. */
  | { readonly kind: 'unknown-outcome' }
  /** Retrying cannot help (permission denied, a client bug). */
  | { readonly kind: 'fatal' };

const MAX_ATTEMPTS = 100;
const FIRST_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 250;
/** The local timer fires this long after the gRPC deadline, which normally ends the call first. */
const TIMER_GRACE_MS = 50;

/**
 * `selfTimed`: the call settles by the deadline it is given on its own (the lean KV client), so
 * no extra local timer is armed per attempt. Default: false.
 */
export async function runCall<T>(
  ctx: CallContext,
  kind: RequestKind,
  what: string,
  call: (options: CallOptions) => Promise<T>,
  selfTimed = false,
): Promise<T> {
  if (ctx.isClosed()) throw new StoreClosedError();
  const deadline = Date.now() + ctx.requestTimeoutMs;
  let backoffMs = FIRST_BACKOFF_MS;
  let lastError: unknown;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) break;
    try {
      const attempt = call({ deadline: new Date(deadline) });
      return await (selfTimed ? attempt : withTimer(attempt, remainingMs + TIMER_GRACE_MS));
    } catch (err: unknown) {
      if (ctx.isClosed()) throw new StoreClosedError();
      lastError = err;
      const failure = classify(err);
      switch (failure.kind) {
        case 'rejected':
          throw new EtcdRejection(failure.reason, { cause: err });
        case 'invalid':
          throw new StoreInvalidArgumentError(`etcd rejected ${what}: ${errorMessage(err)}`);
        case 'fatal':
          throw new StoreUnavailableError(`etcd ${what} failed: ${errorMessage(err)}`, {
            cause: err,
          });
        case 'unknown-outcome':
          if (kind === 'write') {
            throw new StoreUnavailableError(
              `etcd ${what} failed, it may or may not have been applied: ${errorMessage(err)}`,
              { cause: err },
            );
          }
          break;
        case 'not-applied':
          break;
      }
    }
    const sleepMs = Math.min(backoffMs, deadline - Date.now());
    if (sleepMs > 0) await sleep(sleepMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
  throw new StoreUnavailableError(
    `etcd ${what} did not succeed within ${String(ctx.requestTimeoutMs)} ms: ${errorMessage(lastError)}`,
    { cause: lastError },
  );
}

/** Sorts an error from the etcd3 client by what it says about the request. */
export function classify(err: unknown): Failure {
  const message = errorMessage(err);
  if (message.includes('required revision has been compacted')) {
    return { kind: 'rejected', reason: 'compacted' };
  }
  if (message.includes('required revision is a future revision')) {
    return { kind: 'rejected', reason: 'future-revision' };
  }
  if (message.includes('request is too large') || message.includes('larger than max')) {
    return { kind: 'rejected', reason: 'too-large' };
  }
  if (message.includes('requested lease not found')) {
    return { kind: 'rejected', reason: 'lease-not-found' };
  }
  if (NOT_APPLIED.some((m) => message.includes(m))) return { kind: 'not-applied' };
  if (FATAL.some((m) => message.includes(m))) return { kind: 'fatal' };
  if (err instanceof GRPCInvalidArgumentError) return { kind: 'invalid' };
  if (
    err instanceof StoreUnavailableError ||
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCDeadlineExceededError ||
    err instanceof GRPCCancelledError ||
    err instanceof GRPCInternalError ||
    err instanceof GRPCUnknownError ||
    message.includes('etcdserver:')
  ) {
    return { kind: 'unknown-outcome' };
  }
  return { kind: 'fatal' };
}

/**
 * Failures that prove the request was never applied: no connection to the member, or etcd
 * refused it before proposing it to raft.
 */
const NOT_APPLIED = [
  'No connection established',
  'ECONNREFUSED',
  'etcdserver: no leader',
  'etcdserver: too many requests',
  'etcdserver: not capable',
];

/** etcd refusals that no retry can fix (auth is not configured by EtcdStore). */
const FATAL = ['permission denied', 'invalid auth token', 'authentication failed'];

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `promise`, or a StoreUnavailableError once `timeoutMs` passed. */
export async function withTimer<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StoreUnavailableError(`etcd did not answer within ${String(timeoutMs)} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
