/**
 * kubeadm's `--certificate-key` and the `kubeadm-certs` Secret it protects
 * (cmd/kubeadm/app/phases/copycerts, cmd/kubeadm/app/util/crypto): the key is 32 random bytes,
 * hex; each file is sealed with AES-256-GCM as `nonce(12) || ciphertext || tag(16)` (Go's
 * gcm.Seal(nonce, nonce, data, nil)), so blobs interoperate with kubeadm. A wrong key or any
 * tampering fails authentication and throws PkiDecryptionError — never returns garbage.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { PkiDecryptionError, PkiInvalidCertificateKeyError } from './errors.ts';

/** kubeadm's CertificateKeySize. */
export const CERTIFICATE_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** Name of the Secret in kube-system holding the encrypted control-plane files. */
export const KUBEADM_CERTS_SECRET = 'kubeadm-certs';

/**
 * Files (relative to the pki dir) kubeadm shares between control planes with a stacked etcd.
 * Their Secret data keys replace '/' by '-' (certOrKeyNameToSecretName).
 */
export const SHARED_CONTROL_PLANE_FILES: readonly string[] = [
  'ca.crt',
  'ca.key',
  'front-proxy-ca.crt',
  'front-proxy-ca.key',
  'sa.pub',
  'sa.key',
  'etcd/ca.crt',
  'etcd/ca.key',
];

/** A fresh certificate key: 64 lower-case hex characters. A secret: never log it. */
export function generateCertificateKey(): string {
  return randomBytes(CERTIFICATE_KEY_BYTES).toString('hex');
}

/** The 32 key bytes; throws PkiInvalidCertificateKeyError (without echoing the key). */
export function parseCertificateKey(certificateKey: string): Uint8Array {
  if (!HEX_KEY.test(certificateKey)) {
    throw new PkiInvalidCertificateKeyError(
      `expected ${String(CERTIFICATE_KEY_BYTES * 2)} hex characters (${String(CERTIFICATE_KEY_BYTES)} bytes), got ${String(certificateKey.length)} characters`,
    );
  }
  return new Uint8Array(Buffer.from(certificateKey, 'hex'));
}

async function aesKey(certificateKey: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', parseCertificateKey(certificateKey), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'utf8')) : data;
}

/** Seal `plaintext`: nonce || ciphertext || tag (kubeadm's EncryptBytes). */
export async function encryptWithCertificateKey(
  plaintext: string | Uint8Array,
  certificateKey: string,
): Promise<Buffer> {
  const key = await aesKey(certificateKey);
  const nonce = randomBytes(NONCE_BYTES);
  const sealed = await webcrypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce },
    key,
    toBytes(plaintext),
  );
  return Buffer.concat([nonce, Buffer.from(sealed)]);
}

/** Open a blob from encryptWithCertificateKey (or kubeadm). Throws PkiDecryptionError. */
export async function decryptWithCertificateKey(
  sealed: Uint8Array,
  certificateKey: string,
): Promise<Buffer> {
  const key = await aesKey(certificateKey);
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new PkiDecryptionError('size of data is less than the nonce and tag');
  }
  try {
    const opened = await webcrypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, NONCE_BYTES) },
      key,
      sealed.subarray(NONCE_BYTES),
    );
    return Buffer.from(opened);
  } catch {
    throw new PkiDecryptionError(
      'message authentication failed (wrong certificate key or tampered data)',
    );
  }
}

/** Secret data key for a pki-relative file name: `etcd/ca.crt` -> `etcd-ca.crt`. */
export function kubeadmCertsSecretKey(fileName: string): string {
  return fileName.replaceAll('/', '-');
}

/**
 * `kubeadm-certs` Secret data (raw bytes; base64 them for the API) for `files`, keyed by
 * pki-relative name. A missing or empty file is stored as empty, as kubeadm does.
 */
export async function encryptCertificateFiles(
  files: Readonly<Record<string, string | Uint8Array | undefined>>,
  certificateKey: string,
): Promise<Record<string, Buffer>> {
  parseCertificateKey(certificateKey);
  const out: Record<string, Buffer> = {};
  for (const [name, content] of Object.entries(files)) {
    out[kubeadmCertsSecretKey(name)] =
      content === undefined || content.length === 0
        ? Buffer.alloc(0)
        : await encryptWithCertificateKey(content, certificateKey);
  }
  return out;
}

/**
 * Decrypt every entry of `kubeadm-certs` data. All or nothing: if any entry fails, throws
 * PkiDecryptionError and returns no partial result (kubeadm's getDataFromSecret).
 */
export async function decryptCertificateFiles(
  data: Readonly<Record<string, Uint8Array>>,
  certificateKey: string,
): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const [key, sealed] of Object.entries(data)) {
    out[key] =
      sealed.length === 0
        ? Buffer.alloc(0)
        : await decryptWithCertificateKey(sealed, certificateKey);
  }
  return out;
}
