/**
 * Errors of the certificate controllers. `CsrIgnorableError` is upstream's IgnorableError: the
 * CSR is retried with backoff (a later RBAC change may allow it) but nothing is logged, since
 * a CSR nobody may approve is normal, not a fault.
 */
export class CsrIgnorableError extends Error {
  readonly code = 'K8TS_CSR_IGNORABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CsrIgnorableError';
  }
}

/** A CSR whose spec.request is not a PEM PKCS#10 with a valid self-signature. */
export class CsrUnparseableError extends Error {
  readonly code = 'K8TS_CSR_UNPARSEABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CsrUnparseableError';
  }
}
