/**
 * What the csrsigning controller does with an approved CSR, by signer name (upstream's
 * pkg/controller/certificates/signer/signer.go getCSRVerificationFuncForSignerName): sign it,
 * mark it Failed (SignerValidationFailure) because it breaks the signer's rules, or leave it
 * alone because the signer is not one k8ts signs for. Pure.
 */
import {
  KUBELET_SERVING_SIGNER,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER,
} from './csr-conditions.ts';
import {
  validateApiServerClientUsages,
  validateKubeletClientCsr,
  validateKubeletServingCsr,
} from './kubelet-csr-rules.ts';
import type { CsrContents } from './kubelet-csr-rules.ts';

/**
 * * `sign` - the request meets the signer's rules
 * * `fail` - it does not; `message` is upstream's reason text
 * * `ignore` - another signer's request (upstream leaves those for other controllers)
 */
export type SignerVerdict =
  | { readonly kind: 'sign' }
  | { readonly kind: 'fail'; readonly message: string }
  | { readonly kind: 'ignore' };

/** The signers the built-in csrsigning controller serves. legacy-unknown is not served. */
export const SIGNED_SIGNER_NAMES: ReadonlySet<string> = new Set([
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBELET_SERVING_SIGNER,
]);

/** Upstream's Failed condition reason. */
export const SIGNER_VALIDATION_FAILURE_REASON = 'SignerValidationFailure';

export function signerVerdict(
  signerName: string,
  req: CsrContents,
  usages: readonly string[],
): SignerVerdict {
  let message: string | undefined;
  switch (signerName) {
    case KUBELET_SERVING_SIGNER:
      message = validateKubeletServingCsr(req, usages);
      break;
    case KUBE_APISERVER_CLIENT_KUBELET_SIGNER:
      message = validateKubeletClientCsr(req, usages);
      break;
    case KUBE_APISERVER_CLIENT_SIGNER:
      message = validateApiServerClientUsages(usages);
      break;
    default:
      return { kind: 'ignore' };
  }
  return message === undefined ? { kind: 'sign' } : { kind: 'fail', message };
}
