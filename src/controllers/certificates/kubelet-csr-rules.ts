/**
 * The subject, SAN and usage rules of the kubelet's certificates, as upstream's
 * pkg/apis/certificates/helpers.go (ValidateKubeletClientCSR, ValidateKubeletServingCSR) and the
 * signer's validAPIServerClientUsages. Each check answers undefined when the request passes, or
 * upstream's error text. Usages are compared as sets, so order and repeats do not matter.
 */
import type { CertificateRequestInfo } from '../../pki/index.ts';

/** What the rules read from a parsed PKCS#10 request. */
export type CsrContents = Pick<
  CertificateRequestInfo,
  'subject' | 'dnsNames' | 'ipAddresses' | 'emailAddresses' | 'uris'
>;

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];
const KUBELET_CLIENT_USAGES_NO_RSA = ['digital signature', 'client auth'];
const KUBELET_SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const KUBELET_SERVING_USAGES_NO_RSA = ['digital signature', 'server auth'];

function sameSet(usages: readonly string[], required: readonly string[]): boolean {
  const set = new Set(usages);
  return set.size === required.length && required.every((u) => set.has(u));
}

/** Go's `%v` of a sorted string set: `[a b c]`. */
function goList(values: readonly string[]): string {
  return `[${[...values].sort().join(' ')}]`;
}

function isSystemNodesOnly(req: CsrContents): boolean {
  const orgs = req.subject.organizations;
  return orgs.length === 1 && orgs[0] === NODES_GROUP;
}

/** ValidateKubeletClientCSR: O=system:nodes only, CN system:node:*, no SANs, client usages. */
export function validateKubeletClientCsr(
  req: CsrContents,
  usages: readonly string[],
): string | undefined {
  if (!isSystemNodesOnly(req)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length > 0) return 'IP subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!req.subject.commonName.startsWith(NODE_USER_PREFIX)) {
    return 'subject common name does not begin with system:node:';
  }
  if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA)) {
    return `usages did not match ${goList(KUBELET_CLIENT_USAGES)}`;
  }
  return undefined;
}

/** ValidateKubeletServingCSR: O=system:nodes only, DNS/IP SANs only, server usages, CN node. */
export function validateKubeletServingCsr(
  req: CsrContents,
  usages: readonly string[],
): string | undefined {
  if (!isSystemNodesOnly(req)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) {
    return 'DNS or IP subjectAltName is required';
  }
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA)) {
    return `usages did not match ${goList(KUBELET_SERVING_USAGES)}`;
  }
  if (!req.subject.commonName.startsWith(NODE_USER_PREFIX)) {
    return 'subject common name does not begin with system:node:';
  }
  return undefined;
}

/** validAPIServerClientUsages: client auth required; digital signature, key encipherment allowed. */
export function validateApiServerClientUsages(usages: readonly string[]): string | undefined {
  let hasClientAuth = false;
  for (const usage of usages) {
    switch (usage) {
      case 'digital signature':
      case 'key encipherment':
        break;
      case 'client auth':
        hasClientAuth = true;
        break;
      default:
        return `invalid usage for client certificate: ${usage}`;
    }
  }
  return hasClientAuth ? undefined : 'missing required usage for client certificate: client auth';
}
