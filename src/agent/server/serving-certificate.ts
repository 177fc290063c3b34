/**
 * The agent endpoint's serving certificate, found as the kubelet finds it: `--tls-cert-file` and
 * `--tls-private-key-file` when given (both or neither), else a self-signed pair in the cert dir
 * (`kubelet.crt` holding the leaf and its own CA `<host>-ca@<unix time>`, `kubelet.key` mode
 * 0600), created on first start and reused afterwards. The API server does not verify it unless
 * it is given a CA for agents (`--kubelet-certificate-authority`), as upstream.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateAuthority } from '../../pki/index.ts';

export interface ServingCertificateOptions {
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /** Where the self-signed pair lives (kubelet's --cert-dir, /var/lib/kubelet/pki). */
  readonly certDir: string;
  readonly hostname: string;
  readonly nodeIp: string;
  readonly now?: Date;
}

export class ServingCertificateError extends Error {
  readonly code = 'AGENT_SERVING_CERTIFICATE';
  constructor(message: string) {
    super(message);
    this.name = 'ServingCertificateError';
  }
}

export async function loadServingCertificate(
  o: ServingCertificateOptions,
): Promise<{ readonly cert: string; readonly key: string }> {
  if ((o.certFile === undefined) !== (o.keyFile === undefined))
    throw new ServingCertificateError(
      'set both --tls-cert-file and --tls-private-key-file, or neither (a self-signed pair is used)',
    );
  if (o.certFile !== undefined && o.keyFile !== undefined)
    return { cert: readFileSync(o.certFile, 'utf8'), key: readFileSync(o.keyFile, 'utf8') };
  const certPath = join(o.certDir, 'kubelet.crt');
  const keyPath = join(o.certDir, 'kubelet.key');
  if (existsSync(certPath) && existsSync(keyPath))
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  const now = o.now ?? new Date();
  const stamp = String(Math.floor(now.getTime() / 1000));
  const ca = await CertificateAuthority.create({ commonName: `${o.hostname}-ca@${stamp}`, now });
  const leaf = await ca.issueServing({
    commonName: `${o.hostname}@${stamp}`,
    dnsNames: [o.hostname],
    ipAddresses: [o.nodeIp],
    now,
  });
  mkdirSync(o.certDir, { recursive: true, mode: 0o700 });
  const cert = `${leaf.certificatePem.trimEnd()}\n${ca.certificatePem.trimEnd()}\n`;
  writeFileSync(keyPath, leaf.keyPem, { mode: 0o600 });
  writeFileSync(certPath, cert, { mode: 0o644 });
  return { cert, key: leaf.keyPem };
}
