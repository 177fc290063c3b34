/**
 * The csrapproving controller (upstream's pkg/controller/certificates/approver/sarapprove.go):
 * auto-approves kubelet client CSRs — new node credentials requested by bootstrappers
 * (`certificatesigningrequests/nodeclient`) and renewals by the node itself
 * (`.../selfnodeclient`) — once a SubjectAccessReview for the CSR's requester allows it. It
 * never denies and never approves anything else; those wait for a human or another approver.
 * It trusts spec.username/groups, which the API server sets from the requester on create.
 */
import type { SubjectAccessReview } from 'kubernetes-types/authorization/v1.d.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { newCertificateController } from './certificate-controller.ts';
import {
  AUTO_APPROVED_REASON,
  recognizeCsr,
  subjectAccessReviewFor,
} from './csr-approval-policy.ts';
import type { ApprovalRecognizer } from './csr-approval-policy.ts';
import type { CertificateSigningRequest } from './csr-conditions.ts';
import { approvalState, csrName, hasCertificate } from './csr-conditions.ts';
import { CsrIgnorableError } from './errors.ts';
import { parseCsrRequest } from './parse-csr-request.ts';

export const CSR_APPROVING_CONTROLLER_NAME = 'csrapproving';

const SUBJECT_ACCESS_REVIEWS = {
  group: 'authorization.k8s.io',
  version: 'v1',
  plural: 'subjectaccessreviews',
} as const;

function approve(csr: CertificateSigningRequest, recognizer: ApprovalRecognizer): void {
  csr.status = {
    ...csr.status,
    conditions: [
      ...(csr.status?.conditions ?? []),
      {
        type: 'Approved',
        status: 'True',
        reason: AUTO_APPROVED_REASON,
        message: recognizer.successMessage,
      },
    ],
  };
}

export function newCsrApprovingController(ctx: ControllerContext): Controller {
  const isAllowed = async (
    csr: CertificateSigningRequest,
    recognizer: ApprovalRecognizer,
    signal: AbortSignal,
  ): Promise<boolean> => {
    const review = await ctx.client.create<SubjectAccessReview>(
      SUBJECT_ACCESS_REVIEWS,
      subjectAccessReviewFor(csr, recognizer.subresource),
      { signal },
    );
    return review.status?.allowed === true;
  };

  const handle = async (csr: CertificateSigningRequest, signal: AbortSignal): Promise<void> => {
    if (hasCertificate(csr)) return;
    const { isApproved, isDenied } = approvalState(csr);
    if (isApproved || isDenied) return;
    const req = await parseCsrRequest(csr);
    const tried: string[] = [];
    for (const recognizer of recognizeCsr(csr, req)) {
      tried.push(recognizer.subresource);
      if (!(await isAllowed(csr, recognizer, signal))) continue;
      approve(csr, recognizer);
      await ctx.client.update(
        { ...RESOURCES.csrs, name: csrName(csr), subresource: 'approval' },
        csr,
        { signal },
      );
      ctx.log('info', 'approved CSR', { csr: csrName(csr), permission: recognizer.subresource });
      return;
    }
    if (tried.length > 0) {
      throw new CsrIgnorableError(
        `recognized csr "${csrName(csr)}" as [${tried.join(' ')}] but subject access review was not approved`,
      );
    }
  };

  return newCertificateController(ctx, { name: CSR_APPROVING_CONTROLLER_NAME, handle });
}

/** The `csrapproving` entry of the built-in controller table. */
export const csrApprovingController: ControllerFactory = newCsrApprovingController;
