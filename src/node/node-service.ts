/**
 * Starting and stopping a node's supervisor from the outside, as `init` and `reset` need it.
 * Where systemd is PID 1 and rootfs is `/`, the supervisor is the `k8ts-node.service` unit
 * (written, enabled and started; stopping disables it and removes the file); otherwise it is a
 * detached `k8ts node run` (own session, stdio to `<logDir>/node.log`) found again through its pid
 * file. Stopping by PID: SIGTERM, then SIGKILL after a bound, then SIGKILL to any child still
 * listed in `<runDir>/*.pid`.
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { k8tsExecutable } from './k8ts-executable.ts';
import { nodePaths } from './node-paths.ts';
import type { NodePaths } from './node-paths.ts';

export const SYSTEMD_UNIT_NAME = 'k8ts-node.service';

/** The host's systemd, as startNode/stopNode reach it (tests point it at a fake). */
export interface SystemdHost {
  /** The root systemd manages: only a node with this rootfs gets a unit. Default: `/`. */
  readonly root: string;
  /** Exists when systemd is PID 1 (sd_booted(3)). Default: `/run/systemd/system`. */
  readonly bootedMarker: string;
  /** Where the unit file is written. Default: `/etc/systemd/system`. */
  readonly unitDir: string;
  /** The systemctl executable. Default: `systemctl` from PATH. */
  readonly systemctl: string;
}

export const HOST_SYSTEMD: SystemdHost = {
  root: '/',
  bootedMarker: '/run/systemd/system',
  unitDir: '/etc/systemd/system',
  systemctl: 'systemctl',
};

/** The unit that runs `argv` (the supervisor) and restarts it, as kubeadm's kubelet.service. */
export function systemdUnit(argv: readonly string[]): string {
  return [
    '[Unit]',
    'Description=k8ts node supervisor (etcd, API server, controllers, agent)',
    'After=network-online.target',
    '',
    '[Service]',
    `ExecStart=${argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    'KillMode=mixed',
    'TimeoutStopSec=30',
    'Restart=always',
    'RestartSec=2',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** True while `pid` names a live (not zombie) process. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

/** The PID in a pid file, or undefined if there is none or it does not parse. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The running supervisor's PID, if any. */
export function runningNodePid(paths: NodePaths): number | undefined {
  const pid = readPidFile(paths.pidFile);
  return pid !== undefined && isProcessAlive(pid) ? pid : undefined;
}

/** PIDs of the supervisor's children as their pid files list them (live ones only). */
export function runningChildPids(paths: NodePaths): Record<string, number> {
  const out: Record<string, number> = {};
  let files: string[] = [];
  try {
    files = readdirSync(paths.runDir);
  } catch {
    return out;
  }
  for (const f of files) {
    if (!f.endsWith('.pid') || f === 'node.pid') continue;
    const pid = readPidFile(join(paths.runDir, f));
    if (pid !== undefined && isProcessAlive(pid)) out[f.slice(0, -'.pid'.length)] = pid;
  }
  return out;
}

function systemdManages(rootfs: string, systemd: SystemdHost): boolean {
  return rootfs === systemd.root && existsSync(systemd.bootedMarker);
}

/** Tells a running supervisor to re-read its specs (SIGHUP); false when none runs. */
export function reloadNodeIfRunning(paths: NodePaths): boolean {
  const pid = runningNodePid(paths);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGHUP');
  return true;
}

export interface StartNodeResult {
  readonly how: 'systemd' | 'detached' | 'already-running';
  readonly pid: number | undefined;
}

/**
 * Makes sure the node's supervisor runs: an already running one is told to re-read its specs
 * (SIGHUP); otherwise one is started and this resolves once its pid file exists (bounded).
 */
export async function startNode(
  rootfs: string,
  timeoutMs = 10_000,
  systemd: SystemdHost = HOST_SYSTEMD,
): Promise<StartNodeResult> {
  const paths = nodePaths(rootfs);
  const running = runningNodePid(paths);
  if (running !== undefined) {
    process.kill(running, 'SIGHUP');
    return { how: 'already-running', pid: running };
  }
  const exe = k8tsExecutable();
  const argv = [exe.command, ...exe.args, 'node', 'run', '--rootfs', rootfs];
  if (systemdManages(rootfs, systemd)) {
    mkdirSync(systemd.unitDir, { recursive: true, mode: 0o755 });
    writeFileSync(join(systemd.unitDir, SYSTEMD_UNIT_NAME), systemdUnit(argv), { mode: 0o644 });
    execFileSync(systemd.systemctl, ['daemon-reload'], { stdio: 'ignore' });
    execFileSync(systemd.systemctl, ['enable', '--now', SYSTEMD_UNIT_NAME], { stdio: 'ignore' });
    return { how: 'systemd', pid: await waitForPidFile(paths, timeoutMs) };
  }
  mkdirSync(paths.logDir, { recursive: true, mode: 0o755 });
  const fd = openSync(paths.supervisorLog, 'a', 0o600);
  try {
    const child = spawn(exe.command, [...argv.slice(1)], {
      detached: true, // setsid: the supervisor survives this process and its terminal
      stdio: ['ignore', fd, fd],
    });
    child.unref();
  } finally {
    closeSync(fd);
  }
  return { how: 'detached', pid: await waitForPidFile(paths, timeoutMs) };
}

async function waitForPidFile(paths: NodePaths, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = runningNodePid(paths);
    if (pid !== undefined) return pid;
    await sleep(50);
  }
  throw new Error(
    `the node supervisor did not start within ${String(timeoutMs)} ms; see ${paths.supervisorLog}`,
  );
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(50);
  }
  return !isProcessAlive(pid);
}

export interface StopNodeResult {
  /** The supervisor's PID if one was running. */
  readonly supervisorPid: number | undefined;
  /** Children that had to be killed directly (the supervisor did not stop them). */
  readonly killedChildren: readonly string[];
}

/**
 * Stops the node: the systemd unit if it is one, else SIGTERM to the supervisor (which stops its
 * children), SIGKILL after `timeoutMs`, then SIGKILL to any child still alive by its pid file.
 */
export async function stopNode(
  rootfs: string,
  timeoutMs = 30_000,
  systemd: SystemdHost = HOST_SYSTEMD,
): Promise<StopNodeResult> {
  const paths = nodePaths(rootfs);
  const pid = runningNodePid(paths);
  const unitFile = join(systemd.unitDir, SYSTEMD_UNIT_NAME);
  if (systemdManages(rootfs, systemd) && existsSync(unitFile)) {
    try {
      execFileSync(systemd.systemctl, ['disable', '--now', SYSTEMD_UNIT_NAME], { stdio: 'ignore' });
    } catch {
      // fall through to the pid-based stop
    }
    rmSync(unitFile, { force: true });
    try {
      execFileSync(systemd.systemctl, ['daemon-reload'], { stdio: 'ignore' });
    } catch {
      // the unit is gone either way
    }
  }
  if (pid !== undefined && isProcessAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, timeoutMs))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 2000);
    }
  }
  const killedChildren: string[] = [];
  for (const [name, childPid] of Object.entries(runningChildPids(paths))) {
    try {
      process.kill(childPid, 'SIGKILL');
      killedChildren.push(name);
    } catch {
      // already gone
    }
    await waitForExit(childPid, 2000);
  }
  return { supervisorPid: pid, killedChildren };
}
