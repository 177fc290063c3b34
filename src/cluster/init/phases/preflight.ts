/**
 * `[preflight]`: kubeadm's checks that apply to k8ts — running as root, the API server and etcd
 * ports free on the advertise address, the etcd binary present, files and folders init would
 * write not there yet, swap (a warning). Each failure names the check as kubeadm does
 * (`[ERROR Port-6443]`) and `--ignore-preflight-errors=<name>|all` turns it into a warning.
 * Container runtime (CRI) checks belong to the node agent and are not run here.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ETCD_BINARY } from '../control-plane-manifests.ts';
import type { InitConfig } from '../init-config.ts';
import { InitPhaseError } from '../init-phase.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export interface CheckResult {
  /** kubeadm's check name, e.g. `Port-6443`, `IsPrivilegedUser`. */
  readonly name: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, host, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** kubeadm's name for a path check: `/etc/kubernetes/manifests` -> `-etc-kubernetes-manifests`. */
function pathCheckName(kind: 'FileAvailable' | 'DirAvailable', rootfsRelative: string): string {
  return `${kind}-${rootfsRelative.replaceAll('/', '-')}`;
}

export async function runPreflightChecks(
  config: InitConfig,
  etcdBinary = ETCD_BINARY,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (process.getuid?.() !== 0) {
    results.push({
      name: 'IsPrivilegedUser',
      severity: 'error',
      message: 'user is not running as root',
    });
  }
  const ports = [config.bindPort];
  if (config.datastore === 'etcd') ports.push(config.etcdClientPort, config.etcdPeerPort);
  for (const port of ports) {
    if (!(await portFree(config.advertiseAddress, port))) {
      results.push({
        name: `Port-${String(port)}`,
        severity: 'error',
        message: `Port ${String(port)} is in use`,
      });
    }
  }
  if (config.datastore === 'etcd' && !existsSync(etcdBinary)) {
    results.push({
      name: 'FileExisting-etcd',
      severity: 'error',
      message: `etcd not found at ${etcdBinary} (install etcd-server, or use --datastore sqlite)`,
    });
  }
  for (const m of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    const rel = `/etc/kubernetes/manifests/${m}.json`;
    if (existsSync(join(config.paths.manifestsDir, `${m}.json`))) {
      results.push({
        name: pathCheckName('FileAvailable', rel),
        severity: 'error',
        message: `${join(config.rootfs, rel)} already exists`,
      });
    }
  }
  if (config.datastore === 'etcd') {
    let entries: string[] = [];
    try {
      entries = readdirSync(config.paths.etcdDataDir);
    } catch {
      entries = [];
    }
    if (entries.length > 0) {
      results.push({
        name: pathCheckName('DirAvailable', '/var/lib/etcd'),
        severity: 'error',
        message: `${config.paths.etcdDataDir} is not empty`,
      });
    }
  }
  try {
    const swaps = readFileSync('/proc/swaps', 'utf8').trim().split('\n');
    if (swaps.length > 1) {
      results.push({
        name: 'Swap',
        severity: 'warning',
        message: 'swap is supported for cgroup v2 only; k8ts does not limit pods by swap',
      });
    }
  } catch {
    // no /proc/swaps: nothing to say
  }
  return results;
}

/** Applies --ignore-preflight-errors: ignored errors become warnings. */
export function applyIgnored(
  results: readonly CheckResult[],
  ignored: readonly string[],
): CheckResult[] {
  const all = ignored.includes('all');
  return results.map((r) =>
    r.severity === 'error' && (all || ignored.includes(r.name.toLowerCase()))
      ? { ...r, severity: 'warning' }
      : r,
  );
}

export async function runPreflightPhase({ config, out }: InitContext): Promise<void> {
  out('[preflight] Running pre-flight checks');
  out(
    '[preflight] Skipping container runtime (CRI) checks: the node agent runs them when it starts',
  );
  const results = applyIgnored(await runPreflightChecks(config), config.ignorePreflightErrors);
  for (const r of results) {
    if (r.severity === 'warning') out(`\t[WARNING ${r.name}]: ${r.message}`);
  }
  const errors = results.filter((r) => r.severity === 'error');
  if (errors.length > 0) {
    throw new InitPhaseError(
      'preflight',
      [
        '[preflight] Some fatal errors occurred:',
        ...errors.map((e) => `\t[ERROR ${e.name}]: ${e.message}`),
        '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`',
      ].join('\n'),
    );
  }
}

export const preflightPhase: InitPhase = {
  name: 'preflight',
  description: 'Run pre-flight checks',
  run: runPreflightPhase,
};
