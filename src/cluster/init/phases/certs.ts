/**
 * `[certs]`: kubeadm's certificate tree under `<rootfs>/etc/kubernetes/pki` — the cluster CA,
 * the API server's serving certificate and its kubelet and etcd client certificates, the
 * service-account key pair, and the etcd CA with server, peer and health-check certificates.
 * An existing pair is reused (kubeadm's "Using existing ..."), so the phase can be re-run.
 * Private keys are written 0600 and never printed. No front-proxy CA (k8ts has no aggregation).
 * Every key is ECDSA P-256: kubeadm's `encryptionAlgorithm: ECDSA-P256` (its default is
 * RSA-2048; P-256 keys are made in a fraction of the time and verify as fast).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { CertificateAuthority, generateServiceAccountKey } from '../../../pki/index.ts';
import type { KeyUsage } from '../../../pki/index.ts';
import { certPair } from '../../cluster-paths.ts';
import type { ClusterPaths } from '../../cluster-paths.ts';
import { endpointHost } from '../init-config.ts';
import type { InitConfig } from '../init-config.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';
import { isIP } from 'node:net';

export interface AltNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

function uniq(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

/** kubeadm's GetAPIServerAltNames, plus the loopback addresses k8ts clients use. */
export function apiServerAltNames(config: InitConfig, host = hostname()): AltNames {
  const dns = [
    config.nodeName,
    host.toLowerCase(),
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${config.dnsDomain}`,
    'localhost',
  ];
  const ips = [config.serviceIp, config.advertiseAddress, '127.0.0.1'];
  for (const host of [
    endpointHost(config.controlPlaneEndpoint),
    ...config.apiServerCertExtraSans,
  ]) {
    if (isIP(host) === 0) dns.push(host.toLowerCase());
    else ips.push(host);
  }
  return { dnsNames: uniq(dns), ipAddresses: uniq(ips) };
}

/** kubeadm's GetEtcdAltNames (server and peer): node name, localhost, its IPs and loopback. */
export function etcdAltNames(config: InitConfig, host = hostname()): AltNames {
  return {
    dnsNames: uniq([config.nodeName, host.toLowerCase(), 'localhost']),
    ipAddresses: uniq([config.advertiseAddress, '127.0.0.1', '::1']),
  };
}

interface LeafSpec {
  /** kubeadm's base file name under pki/. */
  readonly file: string;
  readonly ca: 'ca' | 'etcd/ca';
  readonly commonName: string;
  readonly organizations: readonly string[];
  readonly usages: readonly KeyUsage[];
  readonly altNames?: AltNames;
}

const SERVER: readonly KeyUsage[] = ['digital signature', 'key encipherment', 'server auth'];
const CLIENT: readonly KeyUsage[] = ['digital signature', 'key encipherment', 'client auth'];
const BOTH: readonly KeyUsage[] = [
  'digital signature',
  'key encipherment',
  'server auth',
  'client auth',
];

/** Every leaf certificate init creates, in kubeadm's order. etcd ones only with etcd. */
export function leafSpecs(config: InitConfig): LeafSpec[] {
  const specs: LeafSpec[] = [
    {
      file: 'apiserver',
      ca: 'ca',
      commonName: 'kube-apiserver',
      organizations: [],
      usages: SERVER,
      altNames: apiServerAltNames(config),
    },
    {
      file: 'apiserver-kubelet-client',
      ca: 'ca',
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['kubeadm:cluster-admins'],
      usages: CLIENT,
    },
  ];
  if (config.datastore === 'etcd') {
    const etcdNames = etcdAltNames(config);
    specs.push(
      {
        file: 'etcd/server',
        ca: 'etcd/ca',
        commonName: config.nodeName,
        organizations: [],
        usages: BOTH,
        altNames: etcdNames,
      },
      {
        file: 'etcd/peer',
        ca: 'etcd/ca',
        commonName: config.nodeName,
        organizations: [],
        usages: BOTH,
        altNames: etcdNames,
      },
      {
        file: 'etcd/healthcheck-client',
        ca: 'etcd/ca',
        commonName: 'kube-etcd-healthcheck-client',
        organizations: [],
        usages: CLIENT,
      },
      {
        file: 'apiserver-etcd-client',
        ca: 'etcd/ca',
        commonName: 'kube-apiserver-etcd-client',
        organizations: [],
        usages: CLIENT,
      },
    );
  }
  return specs;
}

function writeSecretFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, content, { mode: 0o600 });
}

function writePublicFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, content, { mode: 0o644 });
}

async function loadOrCreateCa(
  paths: ClusterPaths,
  name: 'ca' | 'etcd/ca',
  commonName: string,
  out: (line: string) => void,
): Promise<CertificateAuthority> {
  const files = certPair(paths, name);
  if (existsSync(files.cert) && existsSync(files.key)) {
    out(`[certs] Using existing ${name} certificate authority`);
    return CertificateAuthority.load(readFileSync(files.cert), readFileSync(files.key));
  }
  out(`[certs] Generating "${name}" certificate and key`);
  const ca = await CertificateAuthority.create({ commonName });
  writePublicFile(files.cert, ca.certificatePem);
  writeSecretFile(files.key, await ca.exportKeyPem());
  return ca;
}

/** Loads the cluster CA (for kubeconfigs and the join hash). */
export async function loadClusterCa(paths: ClusterPaths): Promise<CertificateAuthority> {
  const files = certPair(paths, 'ca');
  return CertificateAuthority.load(readFileSync(files.cert), readFileSync(files.key));
}

export async function runCertsPhase({ config, out }: InitContext): Promise<void> {
  const { paths } = config;
  out(`[certs] Using certificateDir folder "${paths.pkiDir}"`);
  const cas: Partial<Record<'ca' | 'etcd/ca', CertificateAuthority>> = {
    ca: await loadOrCreateCa(paths, 'ca', 'kubernetes', out),
  };
  if (config.datastore === 'etcd') {
    cas['etcd/ca'] = await loadOrCreateCa(paths, 'etcd/ca', 'etcd-ca', out);
  }
  for (const spec of leafSpecs(config)) {
    const files = certPair(paths, spec.file);
    if (existsSync(files.cert) && existsSync(files.key)) {
      out(`[certs] Using existing ${spec.file} certificate and key on disk`);
      continue;
    }
    const ca = cas[spec.ca];
    if (ca === undefined) throw new Error(`no ${spec.ca} for ${spec.file}`);
    out(`[certs] Generating "${spec.file}" certificate and key`);
    const issued = await ca.issue({
      subject: { commonName: spec.commonName, organizations: spec.organizations },
      usages: spec.usages,
      dnsNames: spec.altNames?.dnsNames ?? [],
      ipAddresses: spec.altNames?.ipAddresses ?? [],
    });
    if (spec.altNames !== undefined) {
      out(
        `[certs] ${spec.file} serving cert is signed for DNS names [${spec.altNames.dnsNames.join(' ')}] and IPs [${spec.altNames.ipAddresses.join(' ')}]`,
      );
    }
    writePublicFile(files.cert, issued.certificatePem);
    writeSecretFile(files.key, issued.keyPem);
  }
  const saKey = join(paths.pkiDir, 'sa.key');
  const saPub = join(paths.pkiDir, 'sa.pub');
  if (existsSync(saKey) && existsSync(saPub)) {
    out('[certs] Using the existing "sa" key');
  } else {
    out('[certs] Generating "sa" key and public key');
    // kubeadm makes the sa key with the cluster's encryptionAlgorithm, ECDSA-P256 here.
    const sa = await generateServiceAccountKey('ECDSA-P256');
    writeSecretFile(saKey, sa.privateKeyPem);
    writePublicFile(saPub, sa.publicKeyPem);
  }
}

export const certsPhase: InitPhase = {
  name: 'certs',
  description: 'Certificate generation',
  run: runCertsPhase,
};
