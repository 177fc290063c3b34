/**
 * gRPC status errors as grpc-go prints them, for upstream's messages that quote one:
 * `rpc error: code = NotFound desc = unknown service` (status.Error's text, with codes.Code's
 * String(): CamelCase names, `Code(<n>)` for a number without a name).
 */

/** grpc-go's codes.Code.String(), by code number. */
const GO_CODE_NAMES: readonly string[] = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

export function goGrpcCodeName(code: number): string {
  return GO_CODE_NAMES[code] ?? `Code(${String(code)})`;
}

/** A grpc-go status error's Error(): `rpc error: code = <name> desc = <details>`. */
export function goStatusErrorText(code: number, details: string): string {
  return `rpc error: code = ${goGrpcCodeName(code)} desc = ${details}`;
}
