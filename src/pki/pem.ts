/**
 * Strict PEM (RFC 7468) encoding and decoding. Decoding returns the DER of every block with the
 * wanted label and skips other labels (as client-go's ParseCertsPEM does); it throws
 * PkiInvalidPemError when no such block exists or a block's body is not base64. Encoding writes
 * 64-column base64 with a trailing newline, which Node's `tls` and OpenSSL accept.
 */
import { PkiInvalidPemError } from './errors.ts';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

function toText(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
}

/** Every PEM block in `input`, in order. Throws if there is none or one is malformed. */
export function decodePemBlocks(input: string | Uint8Array, expected = 'PEM data'): PemBlock[] {
  const text = toText(input);
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, label = '', body = '', endLabel = ''] = match;
    if (label !== endLabel) {
      throw new PkiInvalidPemError(expected, `BEGIN ${label} closed by END ${endLabel}`);
    }
    if (!BASE64_BODY.test(body)) {
      // Encrypted PEM (Proc-Type headers) lands here too: k8ts never reads encrypted keys.
      throw new PkiInvalidPemError(expected, `block ${label} is not plain base64`);
    }
    const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    if (der.length === 0) throw new PkiInvalidPemError(expected, `block ${label} is empty`);
    blocks.push({ label, der: new Uint8Array(der) });
  }
  if (blocks.length === 0) throw new PkiInvalidPemError(expected, 'no PEM block found');
  return blocks;
}

/** DER of every block labelled `label` (others skipped). Throws if there is none. */
export function decodePem(input: string | Uint8Array, label: string): Uint8Array[] {
  const found = decodePemBlocks(input, label)
    .filter((b) => b.label === label)
    .map((b) => b.der);
  if (found.length === 0) throw new PkiInvalidPemError(label, `no ${label} block found`);
  return found;
}

/** DER of the first block labelled `label`. */
export function decodeFirstPem(input: string | Uint8Array, label: string): Uint8Array {
  const [first] = decodePem(input, label);
  if (first === undefined) throw new PkiInvalidPemError(label, `no ${label} block found`);
  return first;
}

/** PEM text for `der` under `label`, 64 columns, newline-terminated. */
export function encodePem(label: string, der: Uint8Array | ArrayBuffer): string {
  const base64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString(
    'base64',
  );
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
