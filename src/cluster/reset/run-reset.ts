/**
 * `k8ts reset`: reverts what init or join did to this node, as kubeadm reset's cleanup-node:
 * stops the agent, removes the node's pods (the caller's steps), stops the node supervisor and
 * every process it ran (by PID), unmounts what is mounted under
 * the node's kubelet directory, and deletes the node's files (etcd and SQLite data, process
 * specs, certificates, kubeconfigs, kubelet and k8ts state, pid and log files). Only paths under
 * `--rootfs` are touched, and only k8ts's own; a missing file is not an error, so reset can run
 * again. Like kubeadm it neither deletes the Node object nor removes this member from a
 * multi-member etcd cluster; extra cleanups (containers, network) are plugged in by the caller.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { reloadNodeIfRunning, runningChildPids, stopNode } from '../../node/node-service.ts';
import { KUBECONFIG_FILES, clusterPaths, kubeconfigPath } from '../cluster-paths.ts';
import type { ClusterPaths } from '../cluster-paths.ts';
import { AGENT_PROCESS_NAME } from '../node-registration.ts';

const run = promisify(execFile);

export interface ResetStep {
  /** A line for the output, e.g. `[reset] Removing containers`. */
  readonly line: string;
  run(): Promise<void>;
}

export interface RunResetOptions {
  readonly rootfs: string;
  readonly out: (line: string) => void;
  /**
   * Cleanups run once the agent stopped but the rest still runs (a containerd k8ts runs is
   * needed to remove pods). Default: none.
   */
  readonly beforeStop?: readonly ResetStep[];
  /** Cleanups run after the supervisor stopped, before files go (network state). Default: none. */
  readonly extraSteps?: readonly ResetStep[];
  /** Bound on the supervisor's stop. Default: 30,000 ms. */
  readonly stopTimeoutMs?: number;
}

/** Mount points at or under `dir`, deepest first (so children are unmounted before parents). */
export function mountsUnder(dir: string, mountsText: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountsText
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

async function unmountUnder(dir: string): Promise<string[]> {
  let text = '';
  try {
    text = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const m of mountsUnder(dir, text)) {
    await run('umount', ['-l', m], { timeout: 10_000 }).catch(() => undefined);
    done.push(m);
  }
  return done;
}

/** Deletes a directory's contents (not the directory, as kubeadm's CleanDir). */
function cleanDir(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) rmSync(join(dir, e), { recursive: true, force: true });
}

/**
 * Stops only the agent (its spec goes, the supervisor is told to re-read): the agent must not
 * recreate pods while they are removed, and a containerd the supervisor runs must stay up.
 */
async function stopAgent(paths: ClusterPaths): Promise<void> {
  rmSync(join(paths.manifestsDir, `${AGENT_PROCESS_NAME}.json`), { force: true });
  if (!reloadNodeIfRunning(paths)) return;
  const deadline = Date.now() + 15_000;
  while (runningChildPids(paths)[AGENT_PROCESS_NAME] !== undefined && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
}

export async function runReset(options: RunResetOptions): Promise<void> {
  const { rootfs, out } = options;
  const paths = clusterPaths(rootfs);
  const kubeletDir = join(rootfs, 'var/lib/kubelet');
  out('[preflight] Running pre-flight checks');
  out('[reset] Stopping the kubelet service');
  await stopAgent(paths);
  for (const step of options.beforeStop ?? []) {
    out(step.line);
    await step.run();
  }
  out('[reset] Stopping the node supervisor and the processes it runs');
  const stopped = await stopNode(rootfs, options.stopTimeoutMs ?? 30_000);
  if (stopped.supervisorPid !== undefined)
    out(
      `[reset] Stopped the node supervisor (pid ${String(stopped.supervisorPid)}) and its processes`,
    );
  if (stopped.killedChildren.length > 0)
    out(`[reset] Killed processes the supervisor left: ${stopped.killedChildren.join(', ')}`);
  for (const step of options.extraSteps ?? []) {
    out(step.line);
    await step.run();
  }
  out(`[reset] Unmounting mounted directories in "${kubeletDir}"`);
  await unmountUnder(kubeletDir);
  if (existsSync(paths.etcdDataDir)) {
    cleanDir(paths.etcdDataDir);
    out(`[reset] Deleted contents of the etcd data directory: ${paths.etcdDataDir}`);
  }
  const dirs = [
    paths.manifestsDir,
    kubeletDir,
    paths.pkiDir,
    paths.k8tsStateDir,
    paths.runDir,
    join(rootfs, 'etc/k8ts'),
  ];
  out(`[reset] Deleting contents of directories: [${dirs.join(' ')}]`);
  for (const d of dirs) cleanDir(d);
  const files = KUBECONFIG_FILES.map((f) => kubeconfigPath(paths, f));
  out(`[reset] Deleting files: [${files.join(' ')}]`);
  for (const f of files) rmSync(f, { force: true });
  cleanDir(paths.logDir);
  out('');
  out(
    `The reset process does not clean CNI configuration. To do so, you must remove ${join(rootfs, 'etc/cni/net.d')}`,
  );
  out('');
  out(
    `The reset process does not clean your kubeconfig files and you must remove them manually. Please, check the contents of the $HOME/.kube/config file.`,
  );
}
