/**
 * What the certificate controllers read from a CertificateSigningRequest, as upstream's
 * pkg/controller/certificates/certificate_controller_utils.go: whether it is approved, denied or
 * failed, its PEM request and its usages. Pure functions over the API object; nothing here
 * writes to the cluster.
 */
import type {
  CertificateSigningRequest,
  CertificateSigningRequestCondition,
} from 'kubernetes-types/certificates/v1.d.ts';

export type { CertificateSigningRequest, CertificateSigningRequestCondition };

/** certificates.k8s.io/v1 signer names served by the built-in signer (capi.*SignerName). */
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

/** GetCertApprovalCondition: any Approved / Denied condition counts, whatever its status. */
export function approvalState(csr: CertificateSigningRequest): {
  readonly isApproved: boolean;
  readonly isDenied: boolean;
} {
  const conditions = csr.status?.conditions ?? [];
  return {
    isApproved: conditions.some((c) => c.type === 'Approved'),
    isDenied: conditions.some((c) => c.type === 'Denied'),
  };
}

/** IsCertificateRequestApproved: approved and not denied. */
export function isCsrApproved(csr: CertificateSigningRequest): boolean {
  const { isApproved, isDenied } = approvalState(csr);
  return isApproved && !isDenied;
}

/** HasTrueCondition: a condition of `type` whose status is True (or unset). */
export function hasTrueCondition(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some(
    (c) => c.type === type && (c.status === '' || c.status === 'True'),
  );
}

/** True once status.certificate holds an issued certificate. */
export function hasCertificate(csr: CertificateSigningRequest): boolean {
  return (csr.status?.certificate ?? '') !== '';
}

/** spec.request (base64 of the PEM in JSON, as Go's []byte) as PEM text. */
export function csrRequestPem(csr: CertificateSigningRequest): string {
  return Buffer.from(csr.spec.request, 'base64').toString('utf8');
}

/** The CSR's name, for messages (`''` if unnamed). */
export function csrName(csr: CertificateSigningRequest): string {
  return csr.metadata?.name ?? '';
}
