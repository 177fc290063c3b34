/**
 * `k8ts certs check-expiration`: kubeadm's two tables — every managed certificate with its
 * expiry, the time left (`ShortHumanDuration`, `<invalid>` once expired), its CA and whether
 * that CA is externally managed; then the CAs. A missing certificate is listed as `!MISSING!`;
 * etcd's are left out when this node has no etcd CA (SQLite or an external etcd). Pure apart
 * from reading the files.
 */
import { shortHumanDuration } from '../../api/printers/human-duration.ts';
import { parseCertificate } from '../../pki/index.ts';
import { formatTable } from '../../util/tab-writer.ts';
import type { ClusterPaths } from '../cluster-paths.ts';
import {
  MANAGED_CERTIFICATES,
  isExternallyManaged,
  readCa,
  readManagedCertificate,
} from './managed-certificates.ts';
import type { CaName } from './managed-certificates.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Go's "Jan 02, 2006 15:04 MST" in UTC, as kubeadm prints expiries. */
export function formatExpiry(date: Date): string {
  return `${MONTHS[date.getUTCMonth()] ?? ''} ${two(date.getUTCDate())}, ${String(date.getUTCFullYear())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}

export function checkExpiration(paths: ClusterPaths, now = new Date()): string {
  const hasEtcdCa = readCa(paths, 'etcd-ca') !== undefined;
  const rows: string[][] = [
    ['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED'],
  ];
  for (const cert of MANAGED_CERTIFICATES) {
    if (cert.ca === 'etcd-ca' && !hasEtcdCa) continue;
    const pem = readManagedCertificate(paths, cert);
    if (pem === undefined) {
      rows.push([`!MISSING! ${cert.name}`, '', '', '', '']);
      continue;
    }
    const info = parseCertificate(pem);
    rows.push([
      cert.name,
      formatExpiry(info.notAfter),
      shortHumanDuration(info.notAfter.getTime() - now.getTime()),
      cert.ca,
      isExternallyManaged(paths, cert.ca) ? 'yes' : 'no',
    ]);
  }
  const cas: string[][] = [
    ['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED'],
  ];
  for (const ca of ['ca', 'etcd-ca'] as const satisfies readonly CaName[]) {
    const info = readCa(paths, ca);
    if (info === undefined) {
      if (ca === 'ca') cas.push([`!MISSING! ${ca}`, '', '', '']);
      continue;
    }
    cas.push([
      ca,
      formatExpiry(info.notAfter),
      shortHumanDuration(info.notAfter.getTime() - now.getTime()),
      isExternallyManaged(paths, ca) ? 'yes' : 'no',
    ]);
  }
  return `${formatTable(rows, 10, 3)}\n${formatTable(cas, 10, 3)}`;
}
