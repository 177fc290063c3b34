/**
 * Which permission would let the csrapproving controller approve a CSR (upstream's
 * pkg/controller/certificates/approver/sarapprove.go recognizers): a kubelet client CSR
 * (signer kube-apiserver-client-kubelet, subject and usages per ValidateKubeletClientCSR) needs
 * `create certificatesigningrequests/selfnodeclient` when the requester renews its own
 * identity (spec.username == CN), then `.../nodeclient` (bootstrappers). Anything else is never
 * recognized, so never approved. Pure: the SubjectAccessReview itself is the controller's job.
 */
import type { SubjectAccessReview } from 'kubernetes-types/authorization/v1.d.ts';
import type { CertificateSigningRequest } from './csr-conditions.ts';
import { KUBE_APISERVER_CLIENT_KUBELET_SIGNER } from './csr-conditions.ts';
import { validateKubeletClientCsr } from './kubelet-csr-rules.ts';
import type { CsrContents } from './kubelet-csr-rules.ts';

export type ApprovalSubresource = 'selfnodeclient' | 'nodeclient';

export interface ApprovalRecognizer {
  readonly subresource: ApprovalSubresource;
  /** The Approved condition's message once the review allows it. */
  readonly successMessage: string;
}

/** Upstream's Approved condition reason. */
export const AUTO_APPROVED_REASON = 'AutoApproved';

const SELF_NODE_CLIENT: ApprovalRecognizer = {
  subresource: 'selfnodeclient',
  successMessage: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
};
const NODE_CLIENT: ApprovalRecognizer = {
  subresource: 'nodeclient',
  successMessage: 'Auto approving kubelet client certificate after SubjectAccessReview.',
};

/** isNodeClientCert: the kubelet client signer and a valid kubelet client request. */
export function isNodeClientCsr(csr: CertificateSigningRequest, req: CsrContents): boolean {
  if (csr.spec.signerName !== KUBE_APISERVER_CLIENT_KUBELET_SIGNER) return false;
  return validateKubeletClientCsr(req, csr.spec.usages ?? []) === undefined;
}

/** The recognizers that match, in the order upstream tries them (self renewal first). */
export function recognizeCsr(
  csr: CertificateSigningRequest,
  req: CsrContents,
): readonly ApprovalRecognizer[] {
  if (!isNodeClientCsr(csr, req)) return [];
  const isSelf = (csr.spec.username ?? '') === req.subject.commonName;
  return isSelf ? [SELF_NODE_CLIENT, NODE_CLIENT] : [NODE_CLIENT];
}

/** The SubjectAccessReview asking whether the CSR's requester may `create` `subresource`. */
export function subjectAccessReviewFor(
  csr: CertificateSigningRequest,
  subresource: ApprovalSubresource,
): SubjectAccessReview {
  const { username, uid, groups, extra } = csr.spec;
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      ...(username === undefined ? {} : { user: username }),
      ...(uid === undefined ? {} : { uid }),
      ...(groups === undefined ? {} : { groups: [...groups] }),
      ...(extra === undefined ? {} : { extra: { ...extra } }),
      resourceAttributes: {
        group: 'certificates.k8s.io',
        resource: 'certificatesigningrequests',
        verb: 'create',
        subresource,
        version: '*',
      },
    },
  };
}
