/**
 * kubeadm's pre-flight checks that apply to k8ts, shared by init and join: each yields results
 * named as kubeadm names them (`IsPrivilegedUser`, `Port-6443`, `FileAvailable--etc-kubernetes-
 * kubelet.conf`, `Swap`, ...), errors or warnings, and `--ignore-preflight-errors=<name>|all`
 * turns errors into warnings. Checks only read; none writes anything.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface CheckResult {
  /** kubeadm's check name, e.g. `Port-6443`, `IsPrivilegedUser`. */
  readonly name: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export class PreflightError extends Error {
  readonly code = 'PREFLIGHT_FAILED';
  readonly errors: readonly CheckResult[];
  constructor(errors: readonly CheckResult[]) {
    super(
      [
        '[preflight] Some fatal errors occurred:',
        ...errors.map((e) => `\t[ERROR ${e.name}]: ${e.message}`),
        '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`',
      ].join('\n'),
    );
    this.name = 'PreflightError';
    this.errors = errors;
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

export function checkPrivilegedUser(): CheckResult[] {
  return process.getuid?.() === 0
    ? []
    : [{ name: 'IsPrivilegedUser', severity: 'error', message: 'user is not running as root' }];
}

export async function checkPortsFree(
  host: string,
  ports: readonly number[],
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const port of ports) {
    if (!(await portFree(host, port)))
      out.push({
        name: `Port-${String(port)}`,
        severity: 'error',
        message: `Port ${String(port)} is in use on ${host}`,
      });
  }
  return out;
}

/** kubeadm's name for a path check: `/etc/kubernetes/kubelet.conf` -> `-etc-kubernetes-kubelet.conf`. */
export function pathCheckName(
  kind: 'FileAvailable' | 'DirAvailable',
  rootfsRelative: string,
): string {
  return `${kind}-${rootfsRelative.replaceAll('/', '-')}`;
}

/** Files that must not exist yet (kubeadm's FileAvailableCheck); paths are rootfs-relative. */
export function checkFilesAvailable(rootfs: string, files: readonly string[]): CheckResult[] {
  return files
    .filter((rel) => existsSync(join(rootfs, rel)))
    .map((rel) => ({
      name: pathCheckName('FileAvailable', rel),
      severity: 'error' as const,
      message: `${join(rootfs, rel)} already exists`,
    }));
}

/** A directory that must be empty or absent (kubeadm's DirAvailableCheck). */
export function checkDirAvailable(rootfs: string, rel: string): CheckResult[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(join(rootfs, rel));
  } catch {
    entries = [];
  }
  return entries.length === 0
    ? []
    : [
        {
          name: pathCheckName('DirAvailable', rel),
          severity: 'error',
          message: `${join(rootfs, rel)} is not empty`,
        },
      ];
}

export function checkFileExisting(name: string, path: string, hint: string): CheckResult[] {
  return existsSync(path)
    ? []
    : [
        {
          name: `FileExisting-${name}`,
          severity: 'error',
          message: `${name} not found at ${path} (${hint})`,
        },
      ];
}

export function checkSwap(swapsFile = '/proc/swaps'): CheckResult[] {
  try {
    const swaps = readFileSync(swapsFile, 'utf8').trim().split('\n');
    if (swaps.length > 1)
      return [
        {
          name: 'Swap',
          severity: 'warning',
          message: 'swap is on; k8ts does not limit pods by swap (turn it off with "swapoff -a")',
        },
      ];
  } catch {
    // no /proc/swaps: nothing to say
  }
  return [];
}

/** Applies --ignore-preflight-errors: ignored errors become warnings. */
export function applyIgnored(
  results: readonly CheckResult[],
  ignored: readonly string[],
): CheckResult[] {
  const lower = ignored.map((i) => i.toLowerCase());
  const all = lower.includes('all');
  return results.map((r) =>
    r.severity === 'error' && (all || lower.includes(r.name.toLowerCase()))
      ? { ...r, severity: 'warning' }
      : r,
  );
}

/** Prints warnings kubeadm's way and throws PreflightError when errors remain. */
export function reportPreflight(
  results: readonly CheckResult[],
  ignored: readonly string[],
  out: (line: string) => void,
): void {
  const applied = applyIgnored(results, ignored);
  for (const r of applied) {
    if (r.severity === 'warning') out(`\t[WARNING ${r.name}]: ${r.message}`);
  }
  const errors = applied.filter((r) => r.severity === 'error');
  if (errors.length > 0) throw new PreflightError(errors);
}
