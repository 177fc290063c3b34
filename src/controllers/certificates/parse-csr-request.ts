/**
 * Reading a CSR's PKCS#10 request (capihelper.ParseCSR): PEM, self-signature verified. A CSR
 * that does not parse is an error, retried with backoff as upstream does.
 */
import { parseCertificateRequest } from '../../pki/index.ts';
import type { CertificateRequestInfo } from '../../pki/index.ts';
import type { CertificateSigningRequest } from './csr-conditions.ts';
import { csrName, csrRequestPem } from './csr-conditions.ts';
import { CsrUnparseableError } from './errors.ts';

export async function parseCsrRequest(
  csr: CertificateSigningRequest,
): Promise<CertificateRequestInfo> {
  try {
    return await parseCertificateRequest(csrRequestPem(csr));
  } catch (err: unknown) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CsrUnparseableError(`unable to parse csr "${csrName(csr)}": ${reason}`, {
      cause: err,
    });
  }
}
