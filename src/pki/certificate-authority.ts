/**
 * A self-signed CA (10 y, kubeadm's lifetime) that signs serving, client and CSR certificates
 * (1 y default) with a random 127-bit serial, SKI + AKI, and NotBefore backdated 5 min (kubeadm's
 * CertificateBackdate) for peers with slightly slow clocks. A leaf never outlives its CA; an
 * expired CA refuses to sign. The key is a #private field, out only through exportKeyPem().
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { describeX509, loadX509Certificate } from './certificate-info.ts';
import type { CertificateInfo } from './certificate-info.ts';
import {
  PkiInvalidArgumentError,
  PkiInvalidCertificateError,
  PkiKeyMismatchError,
  PkiSignerExpiredError,
} from './errors.ts';
import {
  DEFAULT_ENCRYPTION_ALGORITHM,
  exportPrivateKeyPem,
  exportPublicKeyDer,
  generateKeyPair,
  importPrivateKeyPem,
  signingAlgorithm,
} from './key-pair.ts';
import type { CryptoKey, EncryptionAlgorithm, KeyPair } from './key-pair.ts';
import { CLIENT_USAGES, SERVING_USAGES, encodeKeyUsages, keyUsageExtension } from './key-usage.ts';
import type { KeyUsage } from './key-usage.ts';
import { encodePem } from './pem.ts';
import { buildSanExtension, isValidDnsName } from './subject-alt-names.ts';
import type { SubjectAltNames } from './subject-alt-names.ts';
import { subjectToName } from './subject.ts';
import type { Subject } from './subject.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** kubeadm's CACertificateValidityPeriod (10 * 365 days). */
export const CA_VALIDITY_MS = 10 * 365 * DAY_MS;
/** kubeadm's CertificateValidityPeriod (365 days), also the CSR signer's default duration. */
export const LEAF_VALIDITY_MS = 365 * DAY_MS;
/** kubeadm's CertificateBackdate and the CSR signer's Backdate: tolerates clock skew. */
export const BACKDATE_MS = 5 * 60 * 1000;

export interface CreateCertificateAuthorityOptions {
  /** Default `kubernetes` (the cluster CA; kubeadm's others are `etcd-ca`, `front-proxy-ca`). */
  readonly commonName?: string;
  /** Default: none. */
  readonly organizations?: readonly string[];
  /** Default CA_VALIDITY_MS (10 years). */
  readonly validityMs?: number;
  /** Default ECDSA-P256. */
  readonly encryptionAlgorithm?: EncryptionAlgorithm;
  /** Injected clock; default `new Date()`. */
  readonly now?: Date;
}

export interface LeafOptions extends Partial<SubjectAltNames> {
  /** CN = user, O = groups; or the raw DER of a subject (the CSR signer copies it verbatim). */
  readonly subject: Subject | { readonly der: Uint8Array };
  /** certificates.k8s.io usage names, e.g. SERVING_USAGES. At least one is required. */
  readonly usages: readonly KeyUsage[];
  /** Default LEAF_VALIDITY_MS (1 year), counted from `now`. Ignored if `notAfter` is set. */
  readonly validityMs?: number;
  /** Injected clock; default `new Date()`. */
  readonly now?: Date;
  /** Default now - BACKDATE_MS, but never before the CA's own NotBefore. */
  readonly notBefore?: Date;
  /** Default now + validityMs; always clamped to the CA's NotAfter. */
  readonly notAfter?: Date;
  /**
   * Reject DNS SANs that are not RFC 1123 names. Default true. The CSR signer passes false: like
   * upstream it copies what was requested, and judging names is the approver's job.
   */
  readonly validateSans?: boolean;
}

export interface IssueOptions extends LeafOptions {
  /** Key type of the new leaf key. Default ECDSA-P256. */
  readonly encryptionAlgorithm?: EncryptionAlgorithm;
}

/** A new certificate and its private key, both PEM. `keyPem` is a secret (PKCS#8). */
export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
}

export type ServingOptions = Omit<IssueOptions, 'usages' | 'subject'> & Subject;
export type ClientOptions = Omit<IssueOptions, 'usages' | 'subject' | 'dnsNames' | 'ipAddresses'> &
  Subject;

/** 16 random bytes, first byte in 0x40..0x7f: positive, minimal DER INTEGER. */
function randomSerialHex(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

function checkDuration(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new PkiInvalidArgumentError(`${name} must be a positive number of milliseconds`);
  }
  return ms;
}

export class CertificateAuthority {
  /** The CA certificate, PEM: what goes into ca.crt and kubeconfig certificate-authority-data. */
  readonly certificatePem: string;
  readonly info: CertificateInfo;
  readonly encryptionAlgorithm: EncryptionAlgorithm;
  readonly #keyPair: KeyPair;
  readonly #cert: x509.X509Certificate;

  private constructor(cert: x509.X509Certificate, keyPair: KeyPair) {
    this.#cert = cert;
    this.#keyPair = keyPair;
    this.info = describeX509(cert);
    this.certificatePem = this.info.pem;
    this.encryptionAlgorithm = keyPair.algorithm;
  }

  /** A new self-signed CA: basicConstraints CA (critical), keyCertSign|cRLSign|digitalSignature. */
  static async create(
    options: CreateCertificateAuthorityOptions = {},
  ): Promise<CertificateAuthority> {
    const now = options.now ?? new Date();
    const commonName = options.commonName ?? 'kubernetes';
    const keys = await generateKeyPair(options.encryptionAlgorithm ?? DEFAULT_ENCRYPTION_ALGORITHM);
    const validityMs = checkDuration('validityMs', options.validityMs ?? CA_VALIDITY_MS);
    const flags =
      x509.KeyUsageFlags.keyCertSign |
      x509.KeyUsageFlags.cRLSign |
      x509.KeyUsageFlags.digitalSignature;
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(true, undefined, true),
      keyUsageExtension(flags),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ];
    // client-go's NewSelfSignedCACert also lists the CN as a DNS SAN; keep kubeadm's shape.
    const san = isValidDnsName(commonName)
      ? buildSanExtension({ dnsNames: [commonName] })
      : undefined;
    if (san !== undefined) extensions.push(san);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerialHex(),
      name: subjectToName({ commonName, organizations: options.organizations ?? [] }),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + validityMs),
      keys,
      signingAlgorithm: signingAlgorithm(keys.algorithm),
      extensions,
    });
    return new CertificateAuthority(cert, keys);
  }

  /** Load ca.crt + ca.key (PKCS#8, PKCS#1 or SEC1). Throws if not a CA or the key differs. */
  static async load(
    certificatePem: string | Uint8Array,
    keyPem: string | Uint8Array,
  ): Promise<CertificateAuthority> {
    const cert = loadX509Certificate(certificatePem);
    if (cert.getExtension(x509.BasicConstraintsExtension)?.ca !== true) {
      throw new PkiInvalidCertificateError(`${cert.subject} is not a CA certificate`);
    }
    const keys = await importPrivateKeyPem(keyPem);
    const keySpki = Buffer.from(await exportPublicKeyDer(keys.publicKey));
    if (!keySpki.equals(Buffer.from(cert.publicKey.rawData))) {
      throw new PkiKeyMismatchError(cert.subject);
    }
    return new CertificateAuthority(cert, keys);
  }

  /** PKCS#8 PEM of the CA key (ca.key). A secret: write it 0600, never log it. */
  async exportKeyPem(): Promise<string> {
    return exportPrivateKeyPem(this.#keyPair.privateKey);
  }

  /** Sign `publicKey` (a CryptoKey or DER SPKI) into a certificate PEM. */
  async signPublicKey(publicKey: CryptoKey | Uint8Array, options: LeafOptions): Promise<string> {
    if (options.usages.length === 0) {
      throw new PkiInvalidArgumentError('must specify at least one usage');
    }
    const { notBefore, notAfter } = this.#window(options);
    const spki = publicKey instanceof Uint8Array ? publicKey : await exportPublicKeyDer(publicKey);
    const { keyUsageFlags, extKeyUsageOids } = encodeKeyUsages(options.usages);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
    ];
    if (keyUsageFlags !== 0) extensions.push(keyUsageExtension(keyUsageFlags));
    if (extKeyUsageOids.length > 0) {
      extensions.push(new x509.ExtendedKeyUsageExtension([...extKeyUsageOids], false));
    }
    const san = buildSanExtension(options, options.validateSans ?? true);
    if (san !== undefined) extensions.push(san);
    extensions.push(await x509.SubjectKeyIdentifierExtension.create(Buffer.from(spki)));
    const caKeyId =
      this.info.subjectKeyId ??
      Buffer.from(await this.#cert.publicKey.getKeyIdentifier()).toString('hex');
    extensions.push(new x509.AuthorityKeyIdentifierExtension(caKeyId));
    const subject =
      'der' in options.subject
        ? new x509.Name(Buffer.from(options.subject.der))
        : subjectToName(options.subject);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerialHex(),
      subject,
      issuer: this.#cert.subjectName,
      notBefore,
      notAfter,
      publicKey: Buffer.from(spki),
      signingKey: this.#keyPair.privateKey,
      signingAlgorithm: signingAlgorithm(this.#keyPair.algorithm),
      extensions,
    });
    return encodePem('CERTIFICATE', cert.rawData);
  }

  /** A new key pair and a certificate for it. */
  async issue(options: IssueOptions): Promise<IssuedCertificate> {
    const keys = await generateKeyPair(options.encryptionAlgorithm ?? DEFAULT_ENCRYPTION_ALGORITHM);
    const certificatePem = await this.signPublicKey(keys.publicKey, options);
    return { certificatePem, keyPem: await exportPrivateKeyPem(keys.privateKey) };
  }

  /** A serving certificate (serverAuth) for the given DNS names and IPs. */
  async issueServing(options: ServingOptions): Promise<IssuedCertificate> {
    const { commonName, organizations, ...rest } = options;
    return this.issue({
      ...rest,
      subject: { commonName, organizations: organizations ?? [] },
      usages: SERVING_USAGES,
    });
  }

  /** A client certificate (clientAuth): CN is the user name, O the groups. */
  async issueClient(options: ClientOptions): Promise<IssuedCertificate> {
    const { commonName, organizations, ...rest } = options;
    return this.issue({
      ...rest,
      subject: { commonName, organizations: organizations ?? [] },
      usages: CLIENT_USAGES,
    });
  }

  /** NotBefore/NotAfter for a leaf, with the CA's own window enforced (as the CSR signer does). */
  #window(options: LeafOptions): { notBefore: Date; notAfter: Date } {
    const now = options.now ?? new Date();
    const caNotBefore = this.#cert.notBefore;
    const caNotAfter = this.#cert.notAfter;
    let notBefore = options.notBefore ?? new Date(now.getTime() - BACKDATE_MS);
    if (notBefore < caNotBefore) notBefore = caNotBefore;
    const validityMs = checkDuration('validityMs', options.validityMs ?? LEAF_VALIDITY_MS);
    let notAfter = options.notAfter ?? new Date(now.getTime() + validityMs);
    if (notAfter >= caNotAfter) notAfter = caNotAfter;
    if (notBefore >= caNotAfter) {
      throw new PkiSignerExpiredError(
        `the signer has expired: NotAfter=${caNotAfter.toISOString()}`,
        caNotAfter,
      );
    }
    if (now >= caNotAfter) {
      throw new PkiSignerExpiredError(
        `refusing to sign a certificate that expired in the past: NotAfter=${caNotAfter.toISOString()}`,
        caNotAfter,
      );
    }
    if (notAfter <= notBefore) {
      throw new PkiInvalidArgumentError('certificate NotAfter must be later than NotBefore');
    }
    return { notBefore, notAfter };
  }
}
