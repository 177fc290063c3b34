/**
 * Verify a certificate chain: leaf -> (optional intermediates) -> one of the given roots, checking
 * every signature, that each issuer is a CA allowed to sign certificates, that every certificate
 * is within its validity window at `now`, and optionally an extended key usage on the leaf (as
 * Go's x509.Verify does; a leaf with no extKeyUsage allows any). What the API server uses to
 * authenticate client certificates. It does not check revocation, name constraints or policies.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describeX509, loadX509Certificate, loadX509Certificates } from './certificate-info.ts';
import type { CertificateInfo } from './certificate-info.ts';
import {
  PkiCertificateExpiredError,
  PkiCertificateNotYetValidError,
  PkiUntrustedCertificateError,
} from './errors.ts';
import type { KeyUsage } from './key-usage.ts';

/** PEM text/bytes (possibly several certificates), or one DER certificate. */
export type CertificateInput = string | Uint8Array;

export interface VerifyCertificateOptions {
  /** Injected clock; default `new Date()`. */
  readonly now?: Date;
  /** E.g. 'client auth' for client-certificate authentication. Default: no usage check. */
  readonly requiredUsage?: KeyUsage;
  /** Extra untrusted certificates that may link the leaf to a root. Default: none. */
  readonly intermediates?: readonly CertificateInput[];
}

const MAX_CHAIN_DEPTH = 8;
const EKU_OIDS: Partial<Record<KeyUsage, string>> = {
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
};
const ANY_EKU = '2.5.29.37.0';

function checkValidity(cert: x509.X509Certificate, now: Date): void {
  if (now < cert.notBefore)
    throw new PkiCertificateNotYetValidError(cert.subject, cert.notBefore, now);
  if (now > cert.notAfter) throw new PkiCertificateExpiredError(cert.subject, cert.notAfter, now);
}

function sameName(a: x509.Name, b: x509.Name): boolean {
  return Buffer.from(a.toArrayBuffer()).equals(Buffer.from(b.toArrayBuffer()));
}

function sameCertificate(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

function canSign(issuer: x509.X509Certificate): boolean {
  if (issuer.getExtension(x509.BasicConstraintsExtension)?.ca !== true) return false;
  const keyUsage = issuer.getExtension(x509.KeyUsagesExtension);
  return keyUsage === null || (keyUsage.usages & x509.KeyUsageFlags.keyCertSign) !== 0;
}

function checkUsage(leaf: x509.X509Certificate, usage: KeyUsage): void {
  const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku === null) return;
  const oids = eku.usages.map(String);
  const wanted = EKU_OIDS[usage];
  if (oids.includes(ANY_EKU) || (wanted !== undefined && oids.includes(wanted))) return;
  throw new PkiUntrustedCertificateError(
    'missing-usage',
    `certificate ${leaf.subject} is not valid for ${usage}`,
  );
}

/**
 * Verify `leaf` (the first certificate of `leafInput`; any others count as intermediates)
 * against `roots`. Returns the leaf's facts; throws PkiCertificateExpiredError,
 * PkiCertificateNotYetValidError or PkiUntrustedCertificateError (with a `reason`).
 */
export async function verifyCertificate(
  leafInput: CertificateInput,
  roots: CertificateInput | readonly CertificateInput[],
  options: VerifyCertificateOptions = {},
): Promise<CertificateInfo> {
  const now = options.now ?? new Date();
  const [leaf, ...bundled] = loadX509Certificates(leafInput);
  if (leaf === undefined) throw new PkiUntrustedCertificateError('unknown-issuer', 'no leaf');
  const rootCerts = (Array.isArray(roots) ? roots : [roots]).flatMap((r: CertificateInput) =>
    loadX509Certificates(r),
  );
  if (rootCerts.length === 0) {
    throw new PkiUntrustedCertificateError('no-roots', 'no trusted root certificates given');
  }
  const intermediates = [
    ...bundled,
    ...(options.intermediates ?? []).map((i) => loadX509Certificate(i)),
  ];

  checkValidity(leaf, now);
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    if (rootCerts.some((root) => sameCertificate(root, current))) break;
    const issuer = await findIssuer(current, rootCerts, intermediates);
    checkValidity(issuer.cert, now);
    if (issuer.isRoot) break;
    current = issuer.cert;
    if (depth === MAX_CHAIN_DEPTH - 1) {
      throw new PkiUntrustedCertificateError('unknown-issuer', 'certificate chain is too long');
    }
  }
  if (options.requiredUsage !== undefined) checkUsage(leaf, options.requiredUsage);
  return describeX509(leaf);
}

/** The first candidate whose subject matches `cert`'s issuer and whose key signed `cert`. */
async function findIssuer(
  cert: x509.X509Certificate,
  roots: readonly x509.X509Certificate[],
  intermediates: readonly x509.X509Certificate[],
): Promise<{ cert: x509.X509Certificate; isRoot: boolean }> {
  const candidates = [
    ...roots.map((c) => ({ cert: c, isRoot: true })),
    ...intermediates.map((c) => ({ cert: c, isRoot: false })),
  ].filter((c) => sameName(c.cert.subjectName, cert.issuerName));
  if (candidates.length === 0) {
    throw new PkiUntrustedCertificateError(
      'unknown-issuer',
      `certificate ${cert.subject} is signed by unknown authority ${cert.issuer}`,
    );
  }
  let sawSignatureMatch = false;
  for (const candidate of candidates) {
    const ok = await cert
      .verify({ publicKey: candidate.cert.publicKey, signatureOnly: true })
      .catch(() => false);
    if (!ok) continue;
    sawSignatureMatch = true;
    if (canSign(candidate.cert)) return candidate;
  }
  throw sawSignatureMatch
    ? new PkiUntrustedCertificateError(
        'issuer-not-ca',
        `issuer ${cert.issuer} of ${cert.subject} is not a CA allowed to sign certificates`,
      )
    : new PkiUntrustedCertificateError(
        'bad-signature',
        `certificate ${cert.subject} has an invalid signature for issuer ${cert.issuer}`,
      );
}
