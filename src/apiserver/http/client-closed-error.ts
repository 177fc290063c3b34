/**
 * The client went away before its request body arrived whole (connection or HTTP/2 stream
 * closed, reset, or aborted). Routine, not a server failure: nothing is applied, nothing is
 * answered (there is no one to answer), and no stack trace is logged.
 */

/** Recorded in metrics for such requests: nginx's "client closed request" (no HTTP meaning). */
export const CLIENT_CLOSED_REQUEST = 499;

export class ClientClosedError extends Error {
  readonly code = 'CLIENT_CLOSED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClientClosedError';
  }
}
