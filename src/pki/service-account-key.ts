/**
 * The service-account signing key pair, sa.key / sa.pub. RSA-2048 by default, as kubeadm makes
 * it, because RS256 is the one JWT algorithm every Kubernetes token consumer accepts; ECDSA
 * P-256 (ES256) is available. sa.key is PKCS#8 PEM (Go's keyutil reads it), sa.pub SPKI PEM.
 * Key IDs (`kid`) are computed as the API server does: base64url(SHA-256(DER SPKI)).
 */
import { createHash } from 'node:crypto';
import { PkiInvalidKeyError } from './errors.ts';
import {
  exportPrivateKeyPem,
  exportPublicKeyDer,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  importPublicKeyDer,
} from './key-pair.ts';
import type { CryptoKey, EncryptionAlgorithm } from './key-pair.ts';
import { decodePem } from './pem.ts';

export type ServiceAccountKeyAlgorithm = 'RSA-2048' | 'ECDSA-P256';
/** The JWS `alg` a key signs tokens with. */
export type ServiceAccountJwsAlgorithm = 'RS256' | 'ES256' | 'ES384';

/** What kubeadm writes to sa.key (a secret, mode 0600) and sa.pub. */
export interface ServiceAccountKeyFiles {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export interface ServiceAccountSigningKey {
  readonly jwsAlgorithm: ServiceAccountJwsAlgorithm;
  readonly keyId: string;
  /** Usable with jose's SignJWT. */
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export interface ServiceAccountVerificationKey {
  readonly jwsAlgorithm: ServiceAccountJwsAlgorithm;
  readonly keyId: string;
  /** Usable with jose's jwtVerify. */
  readonly publicKey: CryptoKey;
}

/** JWS algorithm for a key; RSA keys sign RS256 whatever their size, as upstream. */
export function jwsAlgorithmFor(algorithm: EncryptionAlgorithm): ServiceAccountJwsAlgorithm {
  switch (algorithm) {
    case 'ECDSA-P256':
      return 'ES256';
    case 'ECDSA-P384':
      return 'ES384';
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return 'RS256';
  }
}

/** The API server's keyIDFromPublicKey: base64url (no padding) of SHA-256 over DER SPKI. */
export function serviceAccountKeyId(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('base64url');
}

/** A new sa.key / sa.pub pair. Default RSA-2048 (kubeadm's choice). */
export async function generateServiceAccountKey(
  algorithm: ServiceAccountKeyAlgorithm = 'RSA-2048',
): Promise<ServiceAccountKeyFiles> {
  const keys = await generateKeyPair(algorithm);
  return {
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey),
    publicKeyPem: await exportPublicKeyPem(keys.publicKey),
  };
}

/** Load sa.key (PKCS#8 or kubeadm's PKCS#1 "RSA PRIVATE KEY") for signing tokens. */
export async function loadServiceAccountSigningKey(
  privateKeyPem: string | Uint8Array,
): Promise<ServiceAccountSigningKey> {
  const keys = await importPrivateKeyPem(privateKeyPem);
  return {
    jwsAlgorithm: jwsAlgorithmFor(keys.algorithm),
    keyId: serviceAccountKeyId(await exportPublicKeyDer(keys.publicKey)),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
}

/** Load every "PUBLIC KEY" in sa.pub (it may list old keys during rotation) for verifying. */
export async function loadServiceAccountVerificationKeys(
  publicKeysPem: string | Uint8Array,
): Promise<ServiceAccountVerificationKey[]> {
  const ders = decodePem(publicKeysPem, 'PUBLIC KEY');
  if (ders.length === 0) throw new PkiInvalidKeyError('no PUBLIC KEY block');
  return Promise.all(
    ders.map(async (spki) => {
      const { algorithm, publicKey } = await importPublicKeyDer(spki);
      return {
        jwsAlgorithm: jwsAlgorithmFor(algorithm),
        keyId: serviceAccountKeyId(spki),
        publicKey,
      };
    }),
  );
}
