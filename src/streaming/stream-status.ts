/**
 * The Status a remote-command session ends with, as client-go's v4 error decoder and the
 * translator read it: the runtime's JSON Status from the error stream (Success, or Failure with
 * reason NonZeroExitCode and an ExitCode cause), and a backend that refused to upgrade turned
 * into a Status the client can print ("unable to upgrade connection: ...").
 */

export interface StreamStatus {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly metadata: Record<string, never>;
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: unknown;
}

export const SUCCESS_STATUS: StreamStatus = { metadata: {}, status: 'Success' };

function internal(message: string): StreamStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    code: 500,
    details: { causes: [{ message }] },
  };
}

function parseStatus(bytes: Buffer): StreamStatus | undefined {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const status = (v as Record<string, unknown>)['status'];
    if (status !== 'Success' && status !== 'Failure') return undefined;
    return { ...(v as Omit<StreamStatus, 'metadata'>), metadata: {} };
  } catch {
    return undefined;
  }
}

/** What the error stream carried: a v4 Status, plain text (older protocols), or nothing. */
export function statusFromErrorStream(bytes: Buffer): StreamStatus {
  if (bytes.length === 0) return SUCCESS_STATUS;
  return (
    parseStatus(bytes) ?? internal(`error executing remote command: ${bytes.toString('utf8')}`)
  );
}

/** A backend that answered the upgrade with a plain response. */
export function statusFromBackendResponse(statusCode: number, body: Buffer): StreamStatus {
  const parsed = parseStatus(body);
  if (parsed !== undefined && parsed.status === 'Failure') return parsed;
  const text = body.toString('utf8').trim();
  return internal(`unable to upgrade connection: ${text === '' ? String(statusCode) : text}`);
}
