/**
 * Typed PKI errors with stable codes. Messages never contain secrets: no token secrets,
 * private keys, certificate keys or plaintext — only public facts (labels, token IDs, subjects,
 * dates). Callers switch on `code`, never on the message.
 */

export type PkiErrorCode =
  | 'PKI_INVALID_PEM'
  | 'PKI_INVALID_CERTIFICATE'
  | 'PKI_INVALID_KEY'
  | 'PKI_KEY_MISMATCH'
  | 'PKI_INVALID_CSR'
  | 'PKI_INVALID_ARGUMENT'
  | 'PKI_SIGNER_EXPIRED'
  | 'PKI_CERTIFICATE_EXPIRED'
  | 'PKI_CERTIFICATE_NOT_YET_VALID'
  | 'PKI_CERTIFICATE_UNTRUSTED'
  | 'PKI_INVALID_CA_HASH'
  | 'PKI_CA_HASH_MISMATCH'
  | 'PKI_INVALID_BOOTSTRAP_TOKEN'
  | 'PKI_INVALID_BOOTSTRAP_TOKEN_SECRET'
  | 'PKI_JWS_SIGNATURE_MISSING'
  | 'PKI_JWS_SIGNATURE_INVALID'
  | 'PKI_INVALID_CERTIFICATE_KEY'
  | 'PKI_DECRYPTION_FAILED';

export abstract class PkiError extends Error {
  abstract readonly code: PkiErrorCode;
}

/** Input was not PEM of the expected label (or held no block at all). */
export class PkiInvalidPemError extends PkiError {
  readonly code = 'PKI_INVALID_PEM';
  readonly expectedLabel: string;
  constructor(expectedLabel: string, detail: string) {
    super(`invalid PEM (expected ${expectedLabel}): ${detail}`);
    this.name = 'PkiInvalidPemError';
    this.expectedLabel = expectedLabel;
  }
}

/** The bytes of a certificate could not be parsed as X.509. */
export class PkiInvalidCertificateError extends PkiError {
  readonly code = 'PKI_INVALID_CERTIFICATE';
  constructor(detail: string, options?: ErrorOptions) {
    super(`invalid certificate: ${detail}`, options);
    this.name = 'PkiInvalidCertificateError';
  }
}

/** A key could not be parsed, or is of a type k8ts does not support. Never echoes key bytes. */
export class PkiInvalidKeyError extends PkiError {
  readonly code = 'PKI_INVALID_KEY';
  constructor(detail: string) {
    super(`invalid key: ${detail}`);
    this.name = 'PkiInvalidKeyError';
  }
}

/** A certificate and a private key that were loaded together do not belong together. */
export class PkiKeyMismatchError extends PkiError {
  readonly code = 'PKI_KEY_MISMATCH';
  constructor(subject: string) {
    super(`private key does not match the public key of certificate ${subject}`);
    this.name = 'PkiKeyMismatchError';
  }
}

/** A CSR could not be parsed, or its self-signature does not verify. */
export class PkiInvalidCsrError extends PkiError {
  readonly code = 'PKI_INVALID_CSR';
  constructor(detail: string, options?: ErrorOptions) {
    super(`invalid certificate signing request: ${detail}`, options);
    this.name = 'PkiInvalidCsrError';
  }
}

/** A caller-supplied option is malformed (empty CN, bad SAN, unknown usage, bad duration). */
export class PkiInvalidArgumentError extends PkiError {
  readonly code = 'PKI_INVALID_ARGUMENT';
  constructor(detail: string) {
    super(detail);
    this.name = 'PkiInvalidArgumentError';
  }
}

/** The CA's own certificate has expired (or is not yet valid), so it refuses to sign. */
export class PkiSignerExpiredError extends PkiError {
  readonly code = 'PKI_SIGNER_EXPIRED';
  readonly notAfter: Date;
  constructor(message: string, notAfter: Date) {
    super(message);
    this.name = 'PkiSignerExpiredError';
    this.notAfter = notAfter;
  }
}

export class PkiCertificateExpiredError extends PkiError {
  readonly code = 'PKI_CERTIFICATE_EXPIRED';
  readonly notAfter: Date;
  constructor(subject: string, notAfter: Date, now: Date) {
    super(
      `certificate ${subject} has expired: NotAfter ${notAfter.toISOString()}, now ${now.toISOString()}`,
    );
    this.name = 'PkiCertificateExpiredError';
    this.notAfter = notAfter;
  }
}

export class PkiCertificateNotYetValidError extends PkiError {
  readonly code = 'PKI_CERTIFICATE_NOT_YET_VALID';
  readonly notBefore: Date;
  constructor(subject: string, notBefore: Date, now: Date) {
    super(
      `certificate ${subject} is not valid yet: NotBefore ${notBefore.toISOString()}, now ${now.toISOString()}`,
    );
    this.name = 'PkiCertificateNotYetValidError';
    this.notBefore = notBefore;
  }
}

/** Why a chain did not verify (besides validity dates, which have their own errors). */
export type UntrustedReason =
  'unknown-issuer' | 'bad-signature' | 'issuer-not-ca' | 'missing-usage' | 'no-roots';

export class PkiUntrustedCertificateError extends PkiError {
  readonly code = 'PKI_CERTIFICATE_UNTRUSTED';
  readonly reason: UntrustedReason;
  constructor(reason: UntrustedReason, message: string) {
    super(message);
    this.name = 'PkiUntrustedCertificateError';
    this.reason = reason;
  }
}

/** A `--discovery-token-ca-cert-hash` value is not `sha256:<64 hex>`. */
export class PkiInvalidCaHashError extends PkiError {
  readonly code = 'PKI_INVALID_CA_HASH';
  constructor(detail: string) {
    super(`invalid CA certificate hash: ${detail}`);
    this.name = 'PkiInvalidCaHashError';
  }
}

/** None of the CA certificates' public keys matches any pinned hash (kubeadm's wording). */
export class PkiCaHashMismatchError extends PkiError {
  readonly code = 'PKI_CA_HASH_MISMATCH';
  /** The hashes that were found, so an operator can compare them with the pin. Public data. */
  readonly actualHashes: readonly string[];
  constructor(actualHashes: readonly string[]) {
    super(`none of the public keys "${actualHashes.join(':')}" are pinned`);
    this.name = 'PkiCaHashMismatchError';
    this.actualHashes = actualHashes;
  }
}

/** A bootstrap token is not of the form `[a-z0-9]{6}.[a-z0-9]{16}`. The token is never echoed. */
export class PkiInvalidBootstrapTokenError extends PkiError {
  readonly code = 'PKI_INVALID_BOOTSTRAP_TOKEN';
  constructor(detail: string) {
    super(`invalid bootstrap token: ${detail}`);
    this.name = 'PkiInvalidBootstrapTokenError';
  }
}

/** A `bootstrap-token-<id>` Secret is malformed (missing keys, wrong name, bad expiration). */
export class PkiInvalidBootstrapTokenSecretError extends PkiError {
  readonly code = 'PKI_INVALID_BOOTSTRAP_TOKEN_SECRET';
  constructor(detail: string) {
    super(`invalid bootstrap token Secret: ${detail}`);
    this.name = 'PkiInvalidBootstrapTokenSecretError';
  }
}

/** cluster-info has no `jws-kubeconfig-<id>` (or no kubeconfig) for the token being used. */
export class PkiJwsSignatureMissingError extends PkiError {
  readonly code = 'PKI_JWS_SIGNATURE_MISSING';
  readonly tokenId: string;
  constructor(tokenId: string, message: string) {
    super(message);
    this.name = 'PkiJwsSignatureMissingError';
    this.tokenId = tokenId;
  }
}

/** The detached JWS over cluster-info does not match the token: the server is not trusted. */
export class PkiJwsSignatureInvalidError extends PkiError {
  readonly code = 'PKI_JWS_SIGNATURE_INVALID';
  readonly tokenId: string;
  constructor(tokenId: string) {
    super(
      "failed to verify JWS signature of received cluster info object, can't trust this API Server",
    );
    this.name = 'PkiJwsSignatureInvalidError';
    this.tokenId = tokenId;
  }
}

/** A `--certificate-key` is not 64 hex characters (32 bytes). The key is never echoed. */
export class PkiInvalidCertificateKeyError extends PkiError {
  readonly code = 'PKI_INVALID_CERTIFICATE_KEY';
  constructor(detail: string) {
    super(`invalid certificate key: ${detail}`);
    this.name = 'PkiInvalidCertificateKeyError';
  }
}

/** AES-GCM authentication failed: wrong certificate key, or tampered/truncated ciphertext. */
export class PkiDecryptionError extends PkiError {
  readonly code = 'PKI_DECRYPTION_FAILED';
  constructor(detail: string, options?: ErrorOptions) {
    super(`decryption failed: ${detail}`, options);
    this.name = 'PkiDecryptionError';
  }
}
