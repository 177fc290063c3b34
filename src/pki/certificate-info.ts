/**
 * Parse X.509 certificates into plain facts: subject/issuer CN and O, SANs, validity window,
 * CA flag, usages, key identifiers. Accepts PEM (text or bytes) or raw DER (what
 * `tls.TLSSocket#getPeerCertificate().raw` gives). Parsing checks structure only — it never
 * says a certificate is trusted; that is verifyCertificate's job.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { PkiInvalidCertificateError } from './errors.ts';
import { decodePem, encodePem } from './pem.ts';
import { readSanExtension } from './subject-alt-names.ts';
import { readSubject } from './subject.ts';
import type { Subject } from './subject.ts';
import { decodeKeyUsages } from './key-usage.ts';

export interface CertificateInfo {
  readonly subject: Required<Subject>;
  readonly issuer: Required<Subject>;
  /** RFC 4514-style strings, for display only. */
  readonly subjectDn: string;
  readonly issuerDn: string;
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCA: boolean;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emailAddresses: readonly string[];
  readonly uris: readonly string[];
  /** certificates.k8s.io usage names from keyUsage + extKeyUsage ("digital signature", ...). */
  readonly usages: readonly string[];
  /** True if the certificate has an extKeyUsage extension (without one, any usage is allowed). */
  readonly hasExtKeyUsage: boolean;
  /** Lower-case hex, if the extensions are present. */
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeySpki: Uint8Array;
  readonly der: Uint8Array;
  readonly pem: string;
}

function looksLikePem(input: Uint8Array): boolean {
  return Buffer.from(input.subarray(0, 64)).toString('latin1').includes('-----BEGIN');
}

/** DER of every certificate in `input` (PEM bundle, or one DER certificate). */
function certificateDers(input: string | Uint8Array): Uint8Array[] {
  if (typeof input === 'string' || looksLikePem(input)) return decodePem(input, 'CERTIFICATE');
  return [input];
}

/** @internal Parsed @peculiar/x509 objects, for the other pki modules. */
export function loadX509Certificates(input: string | Uint8Array): x509.X509Certificate[] {
  return certificateDers(input).map((der) => {
    try {
      return new x509.X509Certificate(Buffer.from(der));
    } catch (err: unknown) {
      throw new PkiInvalidCertificateError('could not parse X.509 DER', { cause: err });
    }
  });
}

/** @internal The first certificate in `input`. */
export function loadX509Certificate(input: string | Uint8Array): x509.X509Certificate {
  const [first] = loadX509Certificates(input);
  if (first === undefined) throw new PkiInvalidCertificateError('no certificate');
  return first;
}

/** @internal Facts about an already-parsed certificate. */
export function describeX509(cert: x509.X509Certificate): CertificateInfo {
  try {
    const basic = cert.getExtension(x509.BasicConstraintsExtension);
    const keyUsage = cert.getExtension(x509.KeyUsagesExtension);
    const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
    const ekuOids = (eku?.usages ?? []).map(String);
    const der = new Uint8Array(cert.rawData);
    return {
      subject: readSubject(cert.subjectName),
      issuer: readSubject(cert.issuerName),
      subjectDn: cert.subject,
      issuerDn: cert.issuer,
      serialNumber: cert.serialNumber.toLowerCase(),
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      isCA: basic?.ca ?? false,
      ...readSanExtension(cert.getExtension(x509.SubjectAlternativeNameExtension)),
      usages: decodeKeyUsages(keyUsage?.usages ?? 0, ekuOids),
      hasExtKeyUsage: eku !== null,
      subjectKeyId: ski?.keyId.toLowerCase(),
      authorityKeyId: aki?.keyId?.toLowerCase(),
      publicKeySpki: new Uint8Array(cert.publicKey.rawData),
      der,
      pem: encodePem('CERTIFICATE', der),
    };
  } catch (err: unknown) {
    throw new PkiInvalidCertificateError('could not read certificate extensions', { cause: err });
  }
}

/** Facts about the first certificate in `input` (PEM text/bytes, or DER). */
export function parseCertificate(input: string | Uint8Array): CertificateInfo {
  return describeX509(loadX509Certificate(input));
}

/** Facts about every certificate in a PEM bundle (e.g. a ca.crt holding several CAs). */
export function parseCertificates(input: string | Uint8Array): CertificateInfo[] {
  return loadX509Certificates(input).map(describeX509);
}
