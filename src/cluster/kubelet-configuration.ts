/**
 * The cluster-wide KubeletConfiguration kubeadm keeps in `kube-system/kubelet-config` and
 * writes to `/var/lib/kubelet/config.yaml` on every node, reduced to the fields k8ts's agent
 * honours or reports: the cgroup driver, cluster DNS and domain, the static-pod (process spec)
 * folder, the client CA. Pure: build and read back.
 */
import { parse, stringify } from 'yaml';
import { numberToIpv4, parseIpv4Cidr } from '../util/ipv4-cidr.ts';
import { isCgroupDriver } from './node-registration.ts';
import type { CgroupDriver } from './node-registration.ts';

/** kubeadm's KubeletBaseConfigurationConfigMapKey. */
export const KUBELET_CONFIG_KEY = 'kubelet';

export interface KubeletConfigurationInput {
  readonly serviceCidr: string;
  readonly dnsDomain: string;
  readonly cgroupDriver: CgroupDriver | undefined;
}

/** kubeadm's GetDNSIP: the tenth address of the service subnet (10.96.0.10). */
export function clusterDnsIp(serviceCidr: string): string {
  const parsed = parseIpv4Cidr(serviceCidr);
  if (parsed === undefined) throw new Error(`not an IPv4 CIDR: ${serviceCidr}`);
  return numberToIpv4(parsed.network + 10);
}

export function kubeletConfigurationYaml(input: KubeletConfigurationInput): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    authentication: {
      anonymous: { enabled: false },
      webhook: { cacheTTL: '0s', enabled: true },
      x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
    },
    authorization: { mode: 'Webhook' },
    ...(input.cgroupDriver === undefined ? {} : { cgroupDriver: input.cgroupDriver }),
    clusterDNS: [clusterDnsIp(input.serviceCidr)],
    clusterDomain: input.dnsDomain,
    kind: 'KubeletConfiguration',
    rotateCertificates: true,
    staticPodPath: '/etc/kubernetes/manifests',
  });
}

/** The cgroup driver a stored KubeletConfiguration names, if any (bad YAML: none). */
export function kubeletConfigCgroupDriver(yaml: string): CgroupDriver | undefined {
  let doc: unknown;
  try {
    doc = parse(yaml);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const driver = (doc as Record<string, unknown>)['cgroupDriver'];
  return typeof driver === 'string' && isCgroupDriver(driver) ? driver : undefined;
}
