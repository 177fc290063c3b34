/**
 * Asymmetric key pairs as WebCrypto keys. Generates ECDSA P-256 by default (fast; kubeadm's
 * default is RSA-2048, and `encryptionAlgorithm` names follow kubeadm's), exports private keys as
 * PKCS#8 "PRIVATE KEY" PEM and public keys as SPKI "PUBLIC KEY" PEM, which Node's `tls`, OpenSSL
 * and Go all read. Imports PKCS#8, PKCS#1 ("RSA PRIVATE KEY") and SEC1 ("EC PRIVATE KEY"), so keys
 * written by kubeadm load too. Only ECDSA P-256/P-384 and RSA 2048/3072/4096 are supported.
 */
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { PkiInvalidKeyError } from './errors.ts';
import { decodePemBlocks, encodePem } from './pem.ts';

export type CryptoKey = webcrypto.CryptoKey;

/** kubeadm's `ClusterConfiguration.encryptionAlgorithm` values. */
export type EncryptionAlgorithm =
  'ECDSA-P256' | 'ECDSA-P384' | 'RSA-2048' | 'RSA-3072' | 'RSA-4096';

/** ECDSA P-256: key generation takes ~1 ms where RSA-2048 takes ~100 ms. */
export const DEFAULT_ENCRYPTION_ALGORITHM: EncryptionAlgorithm = 'ECDSA-P256';

export interface KeyPair {
  readonly algorithm: EncryptionAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export interface ImportedPublicKey {
  readonly algorithm: EncryptionAlgorithm;
  readonly publicKey: CryptoKey;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

type ImportParams =
  { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' } | { name: 'RSASSA-PKCS1-v1_5'; hash: 'SHA-256' };

/** WebCrypto import/generate parameters for `algorithm`. */
function importParams(algorithm: EncryptionAlgorithm): ImportParams {
  switch (algorithm) {
    case 'ECDSA-P256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ECDSA-P384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

/**
 * The X.509 signature algorithm a key of `algorithm` signs with, as Go's crypto/x509 picks it:
 * ECDSA-SHA256 for P-256, ECDSA-SHA384 for P-384, SHA256-RSA (PKCS#1 v1.5) for RSA.
 */
export function signingAlgorithm(
  algorithm: EncryptionAlgorithm,
): { name: 'ECDSA'; hash: 'SHA-256' | 'SHA-384' } | { name: 'RSASSA-PKCS1-v1_5'; hash: 'SHA-256' } {
  switch (algorithm) {
    case 'ECDSA-P256':
      return { name: 'ECDSA', hash: 'SHA-256' };
    case 'ECDSA-P384':
      return { name: 'ECDSA', hash: 'SHA-384' };
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

/** A fresh, extractable key pair. */
export async function generateKeyPair(
  algorithm: EncryptionAlgorithm = DEFAULT_ENCRYPTION_ALGORITHM,
): Promise<KeyPair> {
  const params = importParams(algorithm);
  const genParams =
    params.name === 'ECDSA'
      ? params
      : {
          ...params,
          modulusLength: Number(algorithm.slice('RSA-'.length)),
          publicExponent: new Uint8Array([1, 0, 1]),
        };
  const { privateKey, publicKey } = await webcrypto.subtle.generateKey(genParams, true, [
    'sign',
    'verify',
  ]);
  return { algorithm, privateKey, publicKey };
}

/** The algorithm of a Node KeyObject, or PkiInvalidKeyError if k8ts does not support it. */
export function algorithmOfKeyObject(key: KeyObject): EncryptionAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve === 'prime256v1') return 'ECDSA-P256';
    if (details?.namedCurve === 'secp384r1') return 'ECDSA-P384';
    throw new PkiInvalidKeyError(`unsupported EC curve ${String(details?.namedCurve)}`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details?.modulusLength;
    if (bits === 2048 || bits === 3072 || bits === 4096) return `RSA-${bits}`;
    throw new PkiInvalidKeyError(`unsupported RSA modulus length ${String(bits)}`);
  }
  throw new PkiInvalidKeyError(`unsupported key type ${String(key.asymmetricKeyType)}`);
}

/** PKCS#8 "PRIVATE KEY" PEM of an extractable private key. Treat the result as a secret. */
export async function exportPrivateKeyPem(privateKey: CryptoKey): Promise<string> {
  return encodePem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', privateKey));
}

/** DER SubjectPublicKeyInfo of a public key. */
export async function exportPublicKeyDer(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.exportKey('spki', publicKey));
}

/** SPKI "PUBLIC KEY" PEM (what kubeadm writes to sa.pub). */
export async function exportPublicKeyPem(publicKey: CryptoKey): Promise<string> {
  return encodePem('PUBLIC KEY', await exportPublicKeyDer(publicKey));
}

const PRIVATE_KEY_LABELS = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
} as const;

function isPrivateKeyLabel(label: string): label is keyof typeof PRIVATE_KEY_LABELS {
  return Object.hasOwn(PRIVATE_KEY_LABELS, label);
}

/** Parse a private key PEM (PKCS#8, PKCS#1 or SEC1) into a key pair. */
export async function importPrivateKeyPem(pem: string | Uint8Array): Promise<KeyPair> {
  const block = decodePemBlocks(pem, 'PRIVATE KEY').find((b) => isPrivateKeyLabel(b.label));
  if (block === undefined || !isPrivateKeyLabel(block.label)) {
    throw new PkiInvalidKeyError('no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block');
  }
  let keyObject: KeyObject;
  try {
    const type = PRIVATE_KEY_LABELS[block.label];
    keyObject = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type });
  } catch {
    // Deliberately no `cause`: nothing derived from secret key bytes goes into errors.
    throw new PkiInvalidKeyError(`could not parse the ${block.label} block`);
  }
  const algorithm = algorithmOfKeyObject(keyObject);
  const params = importParams(algorithm);
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', pkcs8, params, true, ['sign']),
    webcrypto.subtle.importKey('spki', spki, params, true, ['verify']),
  ]);
  return { algorithm, privateKey, publicKey };
}

/** Import a DER SubjectPublicKeyInfo (from a certificate, CSR or sa.pub). */
export async function importPublicKeyDer(spki: Uint8Array): Promise<ImportedPublicKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw new PkiInvalidKeyError('could not parse SubjectPublicKeyInfo');
  }
  const algorithm = algorithmOfKeyObject(keyObject);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, importParams(algorithm), true, [
    'verify',
  ]);
  return { algorithm, publicKey, spki };
}

/** True if both keys are the same public key (compares DER SPKI). */
export async function samePublicKey(a: CryptoKey, b: CryptoKey): Promise<boolean> {
  const [da, db] = await Promise.all([exportPublicKeyDer(a), exportPublicKeyDer(b)]);
  return Buffer.from(da).equals(Buffer.from(db));
}
