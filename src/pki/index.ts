/**
 * @module pki — the certificate layer: CAs and leaf certificates, CSRs (TLS bootstrap), chain
 * verification, kubeadm's CA pin, bootstrap tokens and their Secret, the cluster-info JWS, the
 * certificate key that encrypts shared control-plane files, and service-account keys. A leaf
 * module: node built-ins, @peculiar/x509, jose. Every output PEM works as Node `tls` options.
 */
export * from './errors.ts';
export { decodePem, decodePemBlocks, encodePem } from './pem.ts';
export type { PemBlock } from './pem.ts';
export {
  DEFAULT_ENCRYPTION_ALGORITHM,
  exportPrivateKeyPem,
  exportPublicKeyDer,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  importPublicKeyDer,
} from './key-pair.ts';
export type { CryptoKey, EncryptionAlgorithm, ImportedPublicKey, KeyPair } from './key-pair.ts';
export { CLIENT_USAGES, SERVING_USAGES, isKeyUsage } from './key-usage.ts';
export type { KeyUsage } from './key-usage.ts';
export { isValidDnsName, normalizeIp, splitSans } from './subject-alt-names.ts';
export type { SubjectAltNames } from './subject-alt-names.ts';
export type { Subject } from './subject.ts';
export {
  BACKDATE_MS,
  CA_VALIDITY_MS,
  CertificateAuthority,
  LEAF_VALIDITY_MS,
} from './certificate-authority.ts';
export type {
  ClientOptions,
  CreateCertificateAuthorityOptions,
  IssueOptions,
  IssuedCertificate,
  LeafOptions,
  ServingOptions,
} from './certificate-authority.ts';
export { parseCertificate, parseCertificates } from './certificate-info.ts';
export type { CertificateInfo } from './certificate-info.ts';
export { verifyCertificate } from './verify-certificate.ts';
export type { CertificateInput, VerifyCertificateOptions } from './verify-certificate.ts';
export {
  certificateTtlMs,
  createCertificateRequest,
  parseCertificateRequest,
  signCertificateRequest,
} from './csr.ts';
export type {
  CertificateRequestInfo,
  CreateCertificateRequestOptions,
  CreatedCertificateRequest,
  SignCertificateRequestOptions,
} from './csr.ts';
export {
  caCertHash,
  caCertHashes,
  parseCaCertHash,
  spkiHash,
  verifyCaCertHash,
} from './ca-hash.ts';
export {
  BOOTSTRAP_TOKEN_ID_PATTERN,
  BOOTSTRAP_TOKEN_PATTERN,
  BootstrapToken,
  isValidBootstrapToken,
  isValidBootstrapTokenId,
} from './bootstrap-token.ts';
export * from './bootstrap-token-secret.ts';
export * from './cluster-info-signature.ts';
export * from './certificate-key.ts';
export * from './service-account-key.ts';
