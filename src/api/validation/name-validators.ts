/**
 * Per-kind `metadata.name` rules: upstream's ValidateNameFunc values (api/validation/generic.go)
 * and which kind uses which (pkg/apis/<group>/validation, v1.33). `prefix` is true when the name
 * is a generateName, to which a random suffix will be appended: a trailing dash is then allowed.
 * Kinds not in the table get the DNS subdomain rule, upstream's rule for most kinds.
 */
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPathSegmentName,
  isValidPathSegmentPrefix,
} from './names.ts';

/** Returns the messages for an invalid name, empty when valid. */
export type ValidateNameFunc = (name: string, prefix: boolean) => string[];

/**
 * Upstream's maskTrailingDash, bug for bug: it drops the last *two* characters and appends `a`,
 * so `ab-` is checked as `aa`; harmless since only validity (not the masked text) is reported.
 */
export function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: ValidateNameFunc = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

export const nameIsDNSLabel: ValidateNameFunc = (name, prefix) =>
  isDNS1123Label(prefix ? maskTrailingDash(name) : name);

export const nameIsDNS1035Label: ValidateNameFunc = (name, prefix) =>
  isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Namespace names (and `metadata.namespace` of every namespaced object) are DNS labels. */
export const validateNamespaceName: ValidateNameFunc = nameIsDNSLabel;

/**
 * Upstream's path.ValidatePathSegmentName: RBAC names, and the generic check the registry runs
 * on every object after the kind's own validation (rest.BeforeCreate).
 */
export const validatePathSegmentName: ValidateNameFunc = (name, prefix) =>
  prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);

/** CertificateSigningRequest: "We don't care what you call your certificate requests." */
export const nameIsUnconstrained: ValidateNameFunc = () => [];

const BY_KIND: Readonly<Record<string, ValidateNameFunc>> = {
  '/Namespace': nameIsDNSLabel,
  '/Service': nameIsDNS1035Label,
  // Since 1.27 (k/k #114172): the name becomes each pod's hostname.
  'apps/StatefulSet': nameIsDNSLabel,
  'rbac.authorization.k8s.io/Role': validatePathSegmentName,
  'rbac.authorization.k8s.io/ClusterRole': validatePathSegmentName,
  'rbac.authorization.k8s.io/RoleBinding': validatePathSegmentName,
  'rbac.authorization.k8s.io/ClusterRoleBinding': validatePathSegmentName,
  'certificates.k8s.io/CertificateSigningRequest': nameIsUnconstrained,
};

/**
 * The name rule of a built-in kind (group `''` is core). Everything else, including Pods,
 * ConfigMaps, Secrets, Nodes, Deployments, ReplicaSets, DaemonSets, Jobs, Leases and Events,
 * uses DNS subdomain names. CRD objects and CRDs themselves have their own rules (not here).
 */
export function nameValidatorFor(group: string, kind: string): ValidateNameFunc {
  return BY_KIND[`${group}/${kind}`] ?? nameIsDNSSubdomain;
}
