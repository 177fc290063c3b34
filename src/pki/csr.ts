/**
 * PKCS#10 CSRs for TLS bootstrap: the node makes a key and a CSR, the cluster signs it. Parsing
 * always checks the self-signature (proof of key possession). Signing follows the upstream CSR
 * signer: subject and SANs copied, CSR extensions dropped, caller's usages, ttl = expirationSeconds
 * within [10 min, max], NotBefore = now - 5 min, NotAfter = now + ttl (- 5 min if ttl >= 8 h).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { BACKDATE_MS, LEAF_VALIDITY_MS } from './certificate-authority.ts';
import type { CertificateAuthority } from './certificate-authority.ts';
import { PkiError, PkiInvalidArgumentError, PkiInvalidCsrError } from './errors.ts';
import {
  DEFAULT_ENCRYPTION_ALGORITHM,
  exportPrivateKeyPem,
  generateKeyPair,
  importPublicKeyDer,
  signingAlgorithm,
} from './key-pair.ts';
import type { EncryptionAlgorithm, KeyPair } from './key-pair.ts';
import { decodeKeyUsages, encodeKeyUsages, keyUsageExtension } from './key-usage.ts';
import type { KeyUsage } from './key-usage.ts';
import { decodeFirstPem, encodePem } from './pem.ts';
import { buildSanExtension, readSanExtension } from './subject-alt-names.ts';
import type { SubjectAltNames } from './subject-alt-names.ts';
import { readSubject, subjectToName } from './subject.ts';
import type { Subject } from './subject.ts';

export interface CreateCertificateRequestOptions extends Subject, Partial<SubjectAltNames> {
  /** Key to request a certificate for. Default: a new key of `encryptionAlgorithm`. */
  readonly keyPair?: KeyPair;
  /** Default ECDSA-P256 (what the kubelet generates). */
  readonly encryptionAlgorithm?: EncryptionAlgorithm;
  /**
   * Usages to put in the CSR's extensionRequest. Default: none — Kubernetes carries usages in
   * the CertificateSigningRequest object's spec.usages, not in the PKCS#10.
   */
  readonly requestedUsages?: readonly KeyUsage[];
}

/** `keyPem` is a secret (PKCS#8): it stays on the requesting node. */
export interface CreatedCertificateRequest {
  readonly csrPem: string;
  readonly keyPem: string;
}

export interface CertificateRequestInfo extends Required<SubjectAltNames> {
  readonly subject: Required<Subject>;
  readonly subjectDn: string;
  /** Usage names found in the extensionRequest (keyUsage + extKeyUsage), if any. */
  readonly requestedUsages: readonly string[];
  readonly publicKeyAlgorithm: EncryptionAlgorithm;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeySpki: Uint8Array;
  readonly publicKeyPem: string;
  readonly pem: string;
}

export interface SignCertificateRequestOptions {
  /** spec.usages of the CertificateSigningRequest. */
  readonly usages: readonly KeyUsage[];
  /** spec.expirationSeconds. Default: unset, i.e. maxDurationMs. */
  readonly expirationSeconds?: number;
  /** The signer's --cluster-signing-duration. Default LEAF_VALIDITY_MS (1 year). */
  readonly maxDurationMs?: number;
  /** Injected clock; default `new Date()`. */
  readonly now?: Date;
}

/** Upstream's lower bound on a requested duration: twice the backdate. */
const MIN_DURATION_MS = 2 * BACKDATE_MS;
/** Below this TTL the signer does not shorten NotAfter by the backdate (upstream `Short`). */
const SHORT_TTL_MS = 8 * 60 * 60 * 1000;

/** A new CSR (and a new key unless `keyPair` is given). */
export async function createCertificateRequest(
  options: CreateCertificateRequestOptions,
): Promise<CreatedCertificateRequest> {
  const keys =
    options.keyPair ??
    (await generateKeyPair(options.encryptionAlgorithm ?? DEFAULT_ENCRYPTION_ALGORITHM));
  const extensions: x509.Extension[] = [];
  const san = buildSanExtension(options);
  if (san !== undefined) extensions.push(san);
  if (options.requestedUsages !== undefined && options.requestedUsages.length > 0) {
    const { keyUsageFlags, extKeyUsageOids } = encodeKeyUsages(options.requestedUsages);
    if (keyUsageFlags !== 0) extensions.push(keyUsageExtension(keyUsageFlags));
    if (extKeyUsageOids.length > 0) {
      extensions.push(new x509.ExtendedKeyUsageExtension([...extKeyUsageOids]));
    }
  }
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectToName(options),
    keys,
    signingAlgorithm: signingAlgorithm(keys.algorithm),
    extensions,
  });
  return {
    csrPem: encodePem('CERTIFICATE REQUEST', csr.rawData),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
  };
}

/** The CSR's requested extension of class `type`, if present. */
function findExtension<T extends x509.Extension>(
  csr: x509.Pkcs10CertificateRequest,
  type: abstract new (...args: never[]) => T,
): T | null {
  for (const extension of csr.extensions) if (extension instanceof type) return extension;
  return null;
}

async function loadCsr(pem: string | Uint8Array): Promise<x509.Pkcs10CertificateRequest> {
  const der = decodeFirstPem(pem, 'CERTIFICATE REQUEST');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(Buffer.from(der));
  } catch (err: unknown) {
    throw new PkiInvalidCsrError('unable to parse certificate request', { cause: err });
  }
  const valid = await csr.verify().catch(() => false);
  if (!valid) throw new PkiInvalidCsrError('unable to verify certificate request signature');
  return csr;
}

/** Parse a CSR PEM and verify its signature; throws PkiInvalidCsrError otherwise. */
export async function parseCertificateRequest(
  pem: string | Uint8Array,
): Promise<CertificateRequestInfo> {
  const csr = await loadCsr(pem);
  try {
    const spki = new Uint8Array(csr.publicKey.rawData);
    const { algorithm } = await importPublicKeyDer(spki);
    const keyUsage = findExtension(csr, x509.KeyUsagesExtension);
    const eku = findExtension(csr, x509.ExtendedKeyUsageExtension);
    return {
      subject: readSubject(csr.subjectName),
      subjectDn: csr.subject,
      ...readSanExtension(findExtension(csr, x509.SubjectAlternativeNameExtension)),
      requestedUsages: decodeKeyUsages(keyUsage?.usages ?? 0, (eku?.usages ?? []).map(String)),
      publicKeyAlgorithm: algorithm,
      publicKeySpki: spki,
      publicKeyPem: encodePem('PUBLIC KEY', spki),
      pem: encodePem('CERTIFICATE REQUEST', csr.rawData),
    };
  } catch (err: unknown) {
    if (err instanceof PkiError) throw err;
    throw new PkiInvalidCsrError('unable to read certificate request', { cause: err });
  }
}

/** The certificate TTL the upstream signer grants for `expirationSeconds`. */
export function certificateTtlMs(
  expirationSeconds: number | undefined,
  maxDurationMs: number = LEAF_VALIDITY_MS,
): number {
  if (expirationSeconds === undefined) return maxDurationMs;
  if (!Number.isInteger(expirationSeconds)) {
    throw new PkiInvalidArgumentError('expirationSeconds must be an integer');
  }
  const requested = expirationSeconds * 1000;
  if (requested > maxDurationMs) return maxDurationMs;
  if (requested < MIN_DURATION_MS) return MIN_DURATION_MS;
  return requested;
}

/** Verify `csrPem` and sign it with `ca` into a certificate PEM. */
export async function signCertificateRequest(
  ca: CertificateAuthority,
  csrPem: string | Uint8Array,
  options: SignCertificateRequestOptions,
): Promise<string> {
  const csr = await loadCsr(csrPem);
  const now = options.now ?? new Date();
  const ttlMs = certificateTtlMs(options.expirationSeconds, options.maxDurationMs);
  const notAfterMs = now.getTime() + (ttlMs < SHORT_TTL_MS ? ttlMs : ttlMs - BACKDATE_MS);
  return ca.signPublicKey(new Uint8Array(csr.publicKey.rawData), {
    subject: { der: new Uint8Array(csr.subjectName.toArrayBuffer()) },
    ...readSanExtension(findExtension(csr, x509.SubjectAlternativeNameExtension)),
    validateSans: false,
    usages: options.usages,
    now,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfterMs),
  });
}
