/**
 * `[preflight]` of init: running as root, the API server, etcd and agent ports free on the
 * advertise address, the etcd binary present, the files and folders init writes not there yet,
 * the container runtime reachable with a matching cgroup driver (runtime-checks.ts), swap (a
 * warning). A failed check is named as
 * kubeadm names it (`[ERROR Port-6443]`) and says what to do; nothing is written before it
 * passes.
 */
import { ETCD_BINARY } from '../control-plane-manifests.ts';
import type { InitConfig } from '../init-config.ts';
import {
  checkDirAvailable,
  checkFileExisting,
  checkFilesAvailable,
  checkPortsFree,
  checkPrivilegedUser,
  checkSwap,
  reportPreflight,
} from '../../preflight-checks.ts';
import type { CheckResult } from '../../preflight-checks.ts';
import { AGENT_PROCESS_NAME } from '../../node-registration.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

const MANIFESTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

export async function runPreflightChecks(
  config: InitConfig,
  etcdBinary = ETCD_BINARY,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [...checkPrivilegedUser()];
  const ports = [config.bindPort, config.node.kubeletPort];
  if (config.datastore === 'etcd') ports.push(config.etcdClientPort, config.etcdPeerPort);
  results.push(...(await checkPortsFree(config.advertiseAddress, ports)));
  if (config.datastore === 'etcd') {
    results.push(
      ...checkFileExisting('etcd', etcdBinary, 'install etcd-server, or use --datastore sqlite'),
    );
  }
  results.push(
    ...checkFilesAvailable(
      config.rootfs,
      [...MANIFESTS, AGENT_PROCESS_NAME].map((m) => `/etc/kubernetes/manifests/${m}.json`),
    ),
  );
  if (config.datastore === 'etcd')
    results.push(...checkDirAvailable(config.rootfs, '/var/lib/etcd'));
  results.push(...checkSwap());
  return results;
}

export async function runPreflightPhase(ctx: InitContext): Promise<void> {
  const { config, out } = ctx;
  out('[preflight] Running pre-flight checks');
  const results = await runPreflightChecks(config);
  const runtime = await ctx.runtime();
  if (runtime.note !== undefined) out(runtime.note);
  results.push(...runtime.results);
  reportPreflight(results, config.ignorePreflightErrors, out);
}

export const preflightPhase: InitPhase = {
  name: 'preflight',
  description: 'Run pre-flight checks',
  run: runPreflightPhase,
};
