/**
 * The certificates kubeadm manages on a control-plane node (`kubeadm certs check-expiration`
 * and `renew`), for k8ts's layout under `--rootfs`: the leaf certificates in pki/ and the client
 * certificates embedded in the kubeconfig files, each with its CA and kubeadm's renewal
 * message; and reading, renewing and writing them. Renewal keeps the subject, SANs and usages and
 * makes a new key, as kubeadm's RenewUsingLocalCA. Keys are written 0600 and never printed.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseKubeconfig } from '../../client/index.ts';
import { CertificateAuthority, parseCertificate } from '../../pki/index.ts';
import type { CertificateInfo, KeyUsage } from '../../pki/index.ts';
import { certPair, kubeconfigPath } from '../cluster-paths.ts';
import type { ClusterPaths, KubeconfigFile } from '../cluster-paths.ts';

export type CaName = 'ca' | 'etcd-ca';

export interface ManagedCertificate {
  /** kubeadm's name (`apiserver`, `admin.conf`, `etcd-server`, ...). */
  readonly name: string;
  readonly ca: CaName;
  /** kubeadm's "certificate ... renewed" wording. */
  readonly description: string;
  readonly source:
    | { readonly kind: 'file'; readonly base: string }
    | { readonly kind: 'kubeconfig'; readonly file: KubeconfigFile };
}

const conf = (name: KubeconfigFile, what: string): ManagedCertificate => ({
  name,
  ca: 'ca',
  description: `certificate embedded in the kubeconfig file for ${what}`,
  source: { kind: 'kubeconfig', file: name },
});
const file = (name: string, base: string, ca: CaName, description: string): ManagedCertificate => ({
  name,
  ca,
  description,
  source: { kind: 'file', base },
});

/** kubeadm's list, sorted by name as check-expiration prints it. */
export const MANAGED_CERTIFICATES: readonly ManagedCertificate[] = [
  conf('admin.conf', 'the admin to use and for kubeadm itself'),
  file('apiserver', 'apiserver', 'ca', 'certificate for serving the Kubernetes API'),
  file(
    'apiserver-etcd-client',
    'apiserver-etcd-client',
    'etcd-ca',
    'certificate the apiserver uses to access etcd',
  ),
  file(
    'apiserver-kubelet-client',
    'apiserver-kubelet-client',
    'ca',
    'certificate for the API server to connect to kubelet',
  ),
  conf('controller-manager.conf', 'the controller manager to use'),
  file(
    'etcd-healthcheck-client',
    'etcd/healthcheck-client',
    'etcd-ca',
    'certificate for liveness probes to healthcheck etcd',
  ),
  file(
    'etcd-peer',
    'etcd/peer',
    'etcd-ca',
    'certificate for etcd nodes to communicate with each other',
  ),
  file('etcd-server', 'etcd/server', 'etcd-ca', 'certificate for serving etcd'),
  conf('scheduler.conf', 'the scheduler manager to use'),
  conf('super-admin.conf', 'the super-admin'),
];

export const CA_FILES: Readonly<Record<CaName, string>> = { ca: 'ca', 'etcd-ca': 'etcd/ca' };

export class CertsError extends Error {
  readonly code = 'CERTS_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CertsError';
  }
}

/** The certificate's PEM, or undefined when its file (or kubeconfig) is missing. */
export function readManagedCertificate(
  paths: ClusterPaths,
  cert: ManagedCertificate,
): string | undefined {
  if (cert.source.kind === 'file') {
    const f = certPair(paths, cert.source.base).cert;
    return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  }
  const f = kubeconfigPath(paths, cert.source.file);
  if (!existsSync(f)) return undefined;
  return parseKubeconfig(readFileSync(f, 'utf8')).clientCertificatePem;
}

export function readCa(paths: ClusterPaths, ca: CaName): CertificateInfo | undefined {
  const f = certPair(paths, CA_FILES[ca]).cert;
  return existsSync(f) ? parseCertificate(readFileSync(f, 'utf8')) : undefined;
}

/** A CA whose key is not on this node is managed elsewhere (kubeadm's "externally managed"). */
export function isExternallyManaged(paths: ClusterPaths, ca: CaName): boolean {
  return !existsSync(certPair(paths, CA_FILES[ca]).key);
}

function writeAtomically(path: string, content: string, mode: number): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

/** Renews one certificate with its CA; throws CertsError when it or its CA key is missing. */
export async function renewManagedCertificate(
  paths: ClusterPaths,
  cert: ManagedCertificate,
  now = new Date(),
): Promise<void> {
  const pem = readManagedCertificate(paths, cert);
  if (pem === undefined) throw new CertsError(`${cert.name}: the certificate does not exist`);
  const caFiles = certPair(paths, CA_FILES[cert.ca]);
  if (!existsSync(caFiles.key))
    throw new CertsError(
      `${cert.name}: the ${cert.ca} key is not on this node (externally managed CA)`,
    );
  const ca = await CertificateAuthority.load(readFileSync(caFiles.cert), readFileSync(caFiles.key));
  const old = parseCertificate(pem);
  const issued = await ca.issue({
    subject: { commonName: old.subject.commonName, organizations: old.subject.organizations },
    usages: old.usages as KeyUsage[],
    dnsNames: old.dnsNames,
    ipAddresses: old.ipAddresses,
    now,
  });
  if (cert.source.kind === 'file') {
    const files = certPair(paths, cert.source.base);
    writeAtomically(files.key, issued.keyPem, 0o600);
    writeAtomically(files.cert, issued.certificatePem, 0o644);
    return;
  }
  // Only the current context's user changes; the rest of the file stays as it is.
  const path = kubeconfigPath(paths, cert.source.file);
  const doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const contexts = doc['contexts'] as { name?: string; context?: { user?: string } }[] | undefined;
  const userName = contexts?.find((c) => c.name === doc['current-context'])?.context?.user;
  const users = doc['users'] as { name?: string; user?: Record<string, unknown> }[] | undefined;
  const user = users?.find((u) => u.name === userName)?.user;
  if (user === undefined) throw new CertsError(`${cert.name}: the kubeconfig has no current user`);
  user['client-certificate-data'] = Buffer.from(issued.certificatePem).toString('base64');
  user['client-key-data'] = Buffer.from(issued.keyPem).toString('base64');
  writeAtomically(path, stringify(doc), 0o600);
}
