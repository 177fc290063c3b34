/**
 * The `certificates.k8s.io/v1` KeyUsage strings and their X.509 encoding, as the upstream CSR
 * signer maps them (pkg/controller/certificates/authority/policies.go): "signing" and "digital
 * signature" both mean digitalSignature; "s/mime" and "email protection" share one EKU. Unknown
 * strings are rejected with PkiInvalidArgumentError, never silently dropped.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { PkiInvalidArgumentError } from './errors.ts';

const KEY_USAGE_FLAGS = {
  signing: x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
} as const;

const EXT_KEY_USAGE_OIDS = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
} as const;

export type KeyUsage = keyof typeof KEY_USAGE_FLAGS | keyof typeof EXT_KEY_USAGE_OIDS;

const FLAG_BY_USAGE: ReadonlyMap<string, number> = new Map(Object.entries(KEY_USAGE_FLAGS));
const OID_BY_USAGE: ReadonlyMap<string, string> = new Map(Object.entries(EXT_KEY_USAGE_OIDS));

/** What kubeadm puts on serving certificates (KeyEncipherment | DigitalSignature, ServerAuth). */
export const SERVING_USAGES: readonly KeyUsage[] = [
  'digital signature',
  'key encipherment',
  'server auth',
];
/** What kubeadm puts on client certificates. */
export const CLIENT_USAGES: readonly KeyUsage[] = [
  'digital signature',
  'key encipherment',
  'client auth',
];

export function isKeyUsage(value: string): value is KeyUsage {
  return FLAG_BY_USAGE.has(value) || OID_BY_USAGE.has(value);
}

export interface EncodedUsages {
  /** Bit set of x509 KeyUsageFlags; 0 means "no keyUsage extension". */
  readonly keyUsageFlags: number;
  /** Sorted, de-duplicated EKU OIDs. */
  readonly extKeyUsageOids: readonly string[];
}

/** Translate usage strings to X.509 bits and OIDs; throws on an unknown string. */
export function encodeKeyUsages(usages: readonly string[]): EncodedUsages {
  let keyUsageFlags = 0;
  const oids = new Set<string>();
  const unknown: string[] = [];
  for (const usage of usages) {
    const flag = FLAG_BY_USAGE.get(usage);
    const oid = OID_BY_USAGE.get(usage);
    if (flag !== undefined) keyUsageFlags |= flag;
    else if (oid !== undefined) oids.add(oid);
    else unknown.push(usage);
  }
  if (unknown.length > 0) {
    throw new PkiInvalidArgumentError(`unrecognized usage values: ${JSON.stringify(unknown)}`);
  }
  return { keyUsageFlags, extKeyUsageOids: [...oids].sort() };
}

/**
 * Usage strings for X.509 bits and OIDs, using the canonical name where two strings share an
 * encoding ("digital signature", "email protection"). Unknown EKU OIDs are returned as the OID.
 */
export function decodeKeyUsages(
  keyUsageFlags: number,
  extKeyUsageOids: readonly string[],
): string[] {
  const out: string[] = [];
  for (const [name, flag] of FLAG_BY_USAGE) {
    if (name !== 'signing' && (keyUsageFlags & flag) !== 0) out.push(name);
  }
  for (const oid of extKeyUsageOids) {
    const entry = [...OID_BY_USAGE].find(([name, value]) => value === oid && name !== 's/mime');
    out.push(entry === undefined ? oid : entry[0]);
  }
  return out;
}

/** A critical keyUsage extension for OR-ed x509.KeyUsageFlags bits. */
export function keyUsageExtension(flags: number): x509.KeyUsagesExtension {
  // KeyUsageFlags is a bit-flag enum: a combination of flags is a plain number by design.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
  return new x509.KeyUsagesExtension(flags, true);
}
