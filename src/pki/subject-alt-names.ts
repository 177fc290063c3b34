/**
 * Subject Alternative Names: validation, normalisation and the X.509 extension. IP addresses
 * (v4 and v6) are stored in canonical text (RFC 5952 for v6: lower case, `::` compressed), so
 * SANs compare equal whatever spelling was given. DNS names must be RFC 1123 subdomains or
 * `*.`-wildcards, as kubeadm's appendSANsToAltNames accepts; anything else throws.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { isIPv4, isIPv6 } from 'node:net';
import { PkiInvalidArgumentError } from './errors.ts';

export interface SubjectAltNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emailAddresses?: readonly string[];
  readonly uris?: readonly string[];
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

/** RFC 1123 subdomain (kubeadm's IsDNS1123Subdomain) or a `*.` wildcard of one. */
export function isValidDnsName(name: string): boolean {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  return bare.length > 0 && name.length <= 253 && DNS1123_SUBDOMAIN.test(bare);
}

/** Canonical text of an IPv4/IPv6 address, or undefined if `ip` is not one (zones rejected). */
export function normalizeIp(ip: string): string | undefined {
  if (isIPv4(ip)) return ip.split('.').map(Number).join('.');
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  // WHATWG URL serialises IPv6 hosts per RFC 5952; the brackets are stripped.
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/**
 * Sort free-form SAN strings into IPs and DNS names (an IP if it parses as one), as kubeadm does
 * with `--apiserver-cert-extra-sans`. Throws on a string that is neither.
 */
export function splitSans(values: readonly string[]): SubjectAltNames {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const value of values) {
    if (normalizeIp(value) !== undefined) ipAddresses.push(value);
    else dnsNames.push(value);
  }
  return normalizeSans({ dnsNames, ipAddresses });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Canonical, de-duplicated SANs (first occurrence wins the order). IPs must parse; DNS names
 * are checked unless `validateDnsNames` is false (the CSR signer copies what was requested).
 */
export function normalizeSans(
  sans: Partial<SubjectAltNames>,
  validateDnsNames = true,
): Required<SubjectAltNames> {
  const ipAddresses = (sans.ipAddresses ?? []).map((ip) => {
    const normal = normalizeIp(ip);
    if (normal === undefined)
      throw new PkiInvalidArgumentError(`invalid IP SAN ${JSON.stringify(ip)}`);
    return normal;
  });
  for (const name of validateDnsNames ? (sans.dnsNames ?? []) : []) {
    if (!isValidDnsName(name)) {
      throw new PkiInvalidArgumentError(
        `invalid DNS SAN ${JSON.stringify(name)}: not an RFC 1123 subdomain or wildcard`,
      );
    }
  }
  return {
    dnsNames: unique(sans.dnsNames ?? []),
    ipAddresses: unique(ipAddresses),
    emailAddresses: unique(sans.emailAddresses ?? []),
    uris: unique(sans.uris ?? []),
  };
}

/** The SAN extension for `sans`, or undefined if there are none (Go omits it then too). */
export function buildSanExtension(
  sans: Partial<SubjectAltNames>,
  validateDnsNames = true,
): x509.SubjectAlternativeNameExtension | undefined {
  const n = normalizeSans(sans, validateDnsNames);
  const names: x509.JsonGeneralName[] = [
    ...n.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...n.emailAddresses.map((value) => ({ type: 'email' as const, value })),
    ...n.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ...n.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  return names.length === 0 ? undefined : new x509.SubjectAlternativeNameExtension(names);
}

/** The SANs in a parsed extension (IP addresses canonicalised; other name types ignored). */
export function readSanExtension(
  extension: x509.SubjectAlternativeNameExtension | null,
): Required<SubjectAltNames> {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const emailAddresses: string[] = [];
  const uris: string[] = [];
  for (const item of extension?.names.items ?? []) {
    switch (item.type) {
      case 'dns':
        dnsNames.push(item.value);
        break;
      case 'ip':
        ipAddresses.push(normalizeIp(item.value) ?? item.value);
        break;
      case 'email':
        emailAddresses.push(item.value);
        break;
      case 'url':
        uris.push(item.value);
        break;
      case 'dn':
      case 'guid':
      case 'upn':
      case 'id':
        break;
    }
  }
  return { dnsNames, ipAddresses, emailAddresses, uris };
}
