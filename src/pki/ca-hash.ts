/**
 * kubeadm's CA public-key pin, `--discovery-token-ca-cert-hash sha256:<hex>`: the SHA-256 of the
 * CA certificate's DER SubjectPublicKeyInfo (cmd/kubeadm/app/util/pubkeypin). Hashes are
 * produced in lower case; pins are accepted in any case (format name and hex), compared in
 * constant time, and malformed pins are rejected with PkiInvalidCaHashError before any compare.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { loadX509Certificates } from './certificate-info.ts';
import { PkiCaHashMismatchError, PkiInvalidCaHashError } from './errors.ts';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** `sha256:<hex>` of one DER SubjectPublicKeyInfo. */
export function spkiHash(spki: Uint8Array): string {
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** The pin of the first certificate in `caCertPem` (what `kubeadm init` prints). */
export function caCertHash(caCertPem: string | Uint8Array): string {
  const hashes = caCertHashes(caCertPem);
  const [first] = hashes;
  if (first === undefined) throw new PkiInvalidCaHashError('no CA certificate');
  return first;
}

/** The pins of every certificate in a CA bundle. */
export function caCertHashes(caCertPem: string | Uint8Array): string[] {
  return loadX509Certificates(caCertPem).map((cert) =>
    spkiHash(new Uint8Array(cert.publicKey.rawData)),
  );
}

/**
 * The 32 digest bytes of a pin; throws PkiInvalidCaHashError on anything but
 * `sha256:` + 64 hex characters (kubeadm's Set.Allow rules).
 */
export function parseCaCertHash(pin: string): Buffer {
  const parts = pin.split(':');
  if (parts.length !== 2) {
    throw new PkiInvalidCaHashError(
      'invalid hash, expected "format:hex-value". Known format(s) are: sha256',
    );
  }
  const [format = '', value = ''] = parts;
  if (format.toLowerCase() !== 'sha256') {
    throw new PkiInvalidCaHashError(
      `unknown hash format ${JSON.stringify(format)}. Known format(s) are: sha256`,
    );
  }
  if (!HEX_SHA256.test(value)) {
    throw new PkiInvalidCaHashError(
      `expected a 32 byte SHA-256 hash as 64 hex characters, found ${String(value.length)} characters`,
    );
  }
  return Buffer.from(value, 'hex');
}

/**
 * Check that at least one certificate of `caCertPem` matches at least one pin (kubeadm's
 * CheckAny). All pins are validated first. Throws PkiCaHashMismatchError listing the actual
 * hashes when none matches.
 */
export function verifyCaCertHash(
  caCertPem: string | Uint8Array,
  pins: string | readonly string[],
): void {
  const wanted = (typeof pins === 'string' ? [pins] : pins).map(parseCaCertHash);
  if (wanted.length === 0) throw new PkiInvalidCaHashError('no CA certificate hash given');
  const actual = caCertHashes(caCertPem);
  for (const hash of actual) {
    const digest = Buffer.from(hash.slice('sha256:'.length), 'hex');
    // Compare against every pin without early exit so timing does not reveal which matched.
    let matched = false;
    for (const pin of wanted) matched = timingSafeEqual(digest, pin) || matched;
    if (matched) return;
  }
  throw new PkiCaHashMismatchError(actual);
}
