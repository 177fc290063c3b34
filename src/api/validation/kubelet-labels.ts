/**
 * The labels a node may set on itself (k8s.io/kubelet's kubeletapis.IsKubeletLabel, v1.33): a
 * fixed set of well-known keys plus anything under `kubelet.kubernetes.io` and
 * `node.kubernetes.io`. kubelet refuses other `kubernetes.io`/`k8s.io` labels in --node-labels,
 * and the NodeRestriction admission refuses them from a node's credentials. Pure.
 */

/** kubeletapis.KubeletLabels. */
export const KUBELET_LABELS: ReadonlySet<string> = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'kubernetes.io/os',
  'kubernetes.io/arch',
]);

/** kubeletapis.KubeletLabelNamespaces. */
export const KUBELET_LABEL_NAMESPACES: readonly string[] = [
  'kubelet.kubernetes.io',
  'node.kubernetes.io',
];

/** The prefix of a label key (`kubernetes.io` of `kubernetes.io/os`), '' when it has none. */
export function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

/** `ns` is `domain` or a subdomain of it. */
export function inLabelDomain(ns: string, domain: string): boolean {
  return ns === domain || ns.endsWith(`.${domain}`);
}

/** A `kubernetes.io` or `k8s.io` (sub)domain: reserved for Kubernetes. */
export function isKubernetesLabelNamespace(ns: string): boolean {
  return inLabelDomain(ns, 'kubernetes.io') || inLabelDomain(ns, 'k8s.io');
}

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((d) => inLabelDomain(ns, d));
}
