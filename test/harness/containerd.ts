/**
 * A private containerd (CRI, runc, CNI bridge) per simulated node, for e2e tests and benches.
 * Everything it owns lives under its own temp dir, used as the node's `--rootfs`: root, state,
 * sockets, runc state, netns mounts, CNI config and IPAM state; machine-wide things get unique
 * names (bridge and cgroup root from `hostScopedNames(rootfs)`, a pod subnet reserved with a
 * lock file). The config is `k8ts containerd config`'s (with `restrict_oom_score_adj` where
 * CAP_SYS_RESOURCE is missing and a locally built static pause as the sandbox image); busybox
 * and pause are imported from locally built, cached tars.
 *
 * `leftovers()` lists what a node's pods left behind (sandboxes, containers, pod cgroups, IP
 * allocations, mounts under the node's dir such as volume tmpfs, CNI results, pod directories).
 *
 * `stop()` removes everything: sandboxes and containers (through CRI, then ctr), containerd by
 * its PID, shims it started (found by their `-address` argument naming this node's socket),
 * mounts under the dir, the bridge, the node's cgroup tree, its `/var/lib/cni/results` files,
 * its subnet lock, `net.ipv4.ip_forward` (restored by the last harness alive), and the dir.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { agentPaths, hostScopedNames } from '../../src/agent/agent-paths.ts';
import {
  containerdDefaultConfig,
  containerdSocketPath,
  renderContainerdConfig,
} from '../../src/agent/containerd/containerd-config.ts';
import { GrpcCriClient } from '../../src/agent/cri/grpc-cri-client.ts';
import { writeCniBridgeConfig } from '../../src/agent/network/cni-bridge-config.ts';
import { BUSYBOX_IMAGE, PAUSE_IMAGE, localImages } from './images.ts';

const run = promisify(execFile);

export { BUSYBOX_IMAGE, PAUSE_IMAGE };

export interface ContainerdNodeOptions {
  /** Names the temp dir and logs. Default: `node`. */
  readonly name?: string;
  /** Import busybox and pause. Default: true. */
  readonly images?: boolean;
  /**
   * Write the CNI bridge conflist at start (as the agent would). Default: true; pass false when
   * an agent under test writes it.
   */
  readonly writeCniConfig?: boolean;
}

/** What a clean node has left: nothing. */
export const NO_LEFTOVERS: Leftovers = {
  sandboxes: [],
  containers: [],
  podCgroups: [],
  ipAllocations: [],
  mounts: [],
  cniResults: [],
  podDirs: [],
};

/** What a node left behind after its pods were deleted; every list empty means clean. */
export interface Leftovers {
  readonly sandboxes: string[];
  readonly containers: string[];
  /** Pod cgroups (`pod<uid>` directories) under the node's cgroup root, any hierarchy. */
  readonly podCgroups: string[];
  /** host-local IP allocations in the node's IPAM state. */
  readonly ipAllocations: string[];
  /** Mounts under the node's dir (task rootfs, shm, netns). */
  readonly mounts: string[];
  /** libcni cache files of this node's network in /var/lib/cni/results. */
  readonly cniResults: string[];
  /** Pod directories (volumes, etc-hosts, termination logs) in the agent's pods dir. */
  readonly podDirs: string[];
}

export interface ContainerdNode {
  readonly name: string;
  /** The node's root (`--rootfs` for the agent); containerd's state lives under it. */
  readonly rootfs: string;
  readonly endpoint: string;
  readonly socketPath: string;
  readonly configPath: string;
  readonly bridge: string;
  readonly cgroupRoot: string;
  readonly podCidr: string;
  /** The bridge's address: the pods' gateway. */
  readonly gateway: string;
  readonly pid: number | undefined;
  readonly logPath: string;
  /** A CRI client on this node's socket (one, closed by `stop()`). */
  runtime(): GrpcCriClient;
  ctr(...args: string[]): Promise<string>;
  /** Stops containerd alone (SIGTERM): shims and pods keep running, as in a runtime restart. */
  stopProcess(): Promise<void>;
  /** Starts containerd again with the same config and waits until CRI answers. */
  startProcess(): Promise<void>;
  leftovers(): Promise<Leftovers>;
  /** Leftovers once they are all gone, or as they are after `timeoutMs` (default 20 s). */
  settledLeftovers(timeoutMs?: number): Promise<Leftovers>;
  stop(): Promise<void>;
}

const SUBNET_LOCKS = join(tmpdir(), 'k8ts-subnets');
const HARNESS_REGISTRY = join(tmpdir(), 'k8ts-containerd-harness');
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
const CNI_RESULTS = '/var/lib/cni/results';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function lockOwnerAlive(path: string): boolean {
  try {
    return alive(Number(readFileSync(path, 'utf8').trim()));
  } catch {
    return false;
  }
}

/** Reserves a free 10.233.X.0/24 (no lock held by a live process, no route on the host). */
async function reserveSubnet(): Promise<{ cidr: string; lock: string }> {
  mkdirSync(SUBNET_LOCKS, { recursive: true });
  const routes = (await run('ip', ['-4', 'route', 'show'])).stdout;
  const start = Math.floor(Math.random() * 250);
  for (let i = 0; i < 250; i++) {
    const x = ((start + i) % 250) + 1;
    const cidr = `10.233.${String(x)}.0/24`;
    if (routes.includes(`10.233.${String(x)}.`)) continue;
    const lock = join(SUBNET_LOCKS, `10.233.${String(x)}`);
    if (existsSync(lock) && !lockOwnerAlive(lock)) rmSync(lock, { force: true });
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return { cidr, lock };
    } catch {
      continue;
    }
  }
  throw new Error('no free 10.233.X.0/24 subnet for a test node');
}

/** Registers this harness; the first one alive records the machine's ip_forward to restore. */
function register(id: string): string {
  mkdirSync(HARNESS_REGISTRY, { recursive: true });
  const others = liveRegistrations();
  const orig = join(HARNESS_REGISTRY, 'ip_forward.orig');
  if (others.length === 0) writeFileSync(orig, readFileSync(IP_FORWARD, 'utf8').trim());
  const entry = join(HARNESS_REGISTRY, `${String(process.pid)}-${id}`);
  writeFileSync(entry, String(process.pid));
  return entry;
}

function liveRegistrations(): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(HARNESS_REGISTRY).filter((n) => /^\d+-/.test(n));
  } catch {
    return [];
  }
  return names.filter((n) => {
    const path = join(HARNESS_REGISTRY, n);
    if (lockOwnerAlive(path)) return true;
    rmSync(path, { force: true });
    return false;
  });
}

function unregister(entry: string): void {
  rmSync(entry, { force: true });
  if (liveRegistrations().length > 0) return;
  const orig = join(HARNESS_REGISTRY, 'ip_forward.orig');
  try {
    const value = readFileSync(orig, 'utf8').trim();
    if (value === '0' || value === '1') writeFileSync(IP_FORWARD, value);
    rmSync(orig, { force: true });
  } catch {
    // nothing recorded
  }
}

/** PIDs of containerd shims whose `-address` is this node's socket. */
function shimPids(socketPath: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!(argv[0] ?? '').includes('containerd-shim')) continue;
    const at = argv.indexOf('-address');
    if (at >= 0 && argv[at + 1] === socketPath) pids.push(Number(entry));
  }
  return pids;
}

function mountsUnder(dir: string): string[] {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const points = lines
    .map((l) => l.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function cgroupHierarchies(): string[] {
  try {
    return readdirSync('/sys/fs/cgroup')
      .map((h) => join('/sys/fs/cgroup', h))
      .filter((p) => statSync(p).isDirectory());
  } catch {
    return [];
  }
}

/** Every directory below `dir`, deepest first. */
function subdirsDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(d, e.name));
    } catch {
      return;
    }
    for (const e of entries) walk(e);
    out.push(d);
  };
  walk(dir);
  return out;
}

async function removeCgroupTree(root: string): Promise<void> {
  for (const hierarchy of cgroupHierarchies()) {
    const top = join(hierarchy, root);
    if (!existsSync(top)) continue;
    for (const dir of subdirsDeepestFirst(top)) {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          rmdirSync(dir);
          break;
        } catch {
          // Processes of this node's pods still inside: they are ours, kill them.
          try {
            for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n'))
              if (pid !== '') process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone meanwhile
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  }
}

export async function startContainerdNode(
  options: ContainerdNodeOptions = {},
): Promise<ContainerdNode> {
  const name = options.name ?? 'node';
  const id = randomBytes(3).toString('hex');
  const rootfs = mkdtempSync(join(tmpdir(), `k8ts-${name}-`));
  const paths = agentPaths(rootfs);
  const { bridge, cgroupRoot } = hostScopedNames(rootfs);
  const subnet = await reserveSubnet();
  const registration = register(id);
  const gateway = subnet.cidr.replace(/0\/24$/, '1');
  const socketPath = containerdSocketPath(rootfs);
  const endpoint = `unix://${socketPath}`;
  const configPath = join(rootfs, 'etc/containerd/config.toml');
  const logPath = join(rootfs, 'containerd.log');
  mkdirSync(join(rootfs, 'etc/containerd'), { recursive: true });
  writeFileSync(
    configPath,
    renderContainerdConfig(containerdDefaultConfig(), {
      rootfs,
      cgroupDriver: 'cgroupfs',
      sandboxImage: PAUSE_IMAGE,
      cniConfDir: paths.cniConfDir,
    }),
  );
  if (options.writeCniConfig ?? true)
    writeCniBridgeConfig(paths.cniConfDir, {
      bridge,
      podCidr: subnet.cidr,
      ipamDataDir: paths.ipamDataDir,
    });

  let child: ChildProcess | undefined;
  let client: GrpcCriClient | undefined;
  const ctr = async (...args: string[]): Promise<string> =>
    (await run('ctr', ['--address', socketPath, '-n', 'k8s.io', ...args], { timeout: 60_000 }))
      .stdout;

  const startProcess = async (): Promise<void> => {
    const log = openSync(logPath, 'a');
    child = spawn('containerd', ['--config', configPath], { stdio: ['ignore', log, log] });
    closeSync(log);
    const started = child;
    const probe = new GrpcCriClient({ endpoint, timeoutMs: 1_000 });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (started.exitCode !== null)
          throw new Error(`containerd exited (${String(started.exitCode)}); see ${logPath}`);
        try {
          await probe.version();
          return;
        } catch {
          if (Date.now() > deadline) throw new Error(`containerd did not answer; see ${logPath}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      probe.close();
    }
  };

  const stopProcess = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c?.pid === undefined || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      c.once('exit', () => {
        resolve();
      });
    });
    c.kill('SIGTERM');
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };

  const runtime = (): GrpcCriClient => {
    client ??= new GrpcCriClient({ endpoint, timeoutMs: 20_000 });
    return client;
  };

  const leftovers = async (): Promise<Leftovers> => {
    const rt = runtime();
    const sandboxes = (await rt.listPodSandbox()).map((s) => s.id);
    const containers = (await rt.listContainers()).map((c) => c.id);
    const podCgroups: string[] = [];
    for (const h of cgroupHierarchies())
      for (const d of subdirsDeepestFirst(join(h, cgroupRoot)))
        if (/\/pod[0-9a-f-]+$/.test(d)) podCgroups.push(d);
    const ipamDir = join(paths.ipamDataDir, bridge);
    const ipAllocations = existsSync(ipamDir)
      ? readdirSync(ipamDir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f))
      : [];
    const mounts = mountsUnder(rootfs);
    const cniResults = existsSync(CNI_RESULTS)
      ? readdirSync(CNI_RESULTS).filter((f) => f.startsWith(`${bridge}-`))
      : [];
    const podDirs = existsSync(paths.podsDir) ? readdirSync(paths.podsDir) : [];
    return { sandboxes, containers, podCgroups, ipAllocations, mounts, cniResults, podDirs };
  };

  const settledLeftovers = async (timeoutMs = 20_000): Promise<Leftovers> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const l = await leftovers();
      if (Object.values(l).every((v: readonly string[]) => v.length === 0) || Date.now() > deadline)
        return l;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null) {
      const rt = runtime();
      try {
        for (const s of await rt.listPodSandbox()) {
          await rt.stopPodSandbox(s.id).catch(() => undefined);
          await rt.removePodSandbox(s.id).catch(() => undefined);
        }
        for (const c of await rt.listContainers())
          await rt.removeContainer(c.id).catch(() => undefined);
      } catch {
        // containerd unwell: the steps below still clean up
      }
      for (const t of (await ctr('tasks', 'ls', '-q').catch(() => '')).split('\n').filter(Boolean))
        await ctr('tasks', 'kill', '-s', 'SIGKILL', t).catch(() => '');
      for (const t of (await ctr('tasks', 'ls', '-q').catch(() => '')).split('\n').filter(Boolean))
        await ctr('tasks', 'rm', '-f', t).catch(() => '');
      for (const c of (await ctr('containers', 'ls', '-q').catch(() => ''))
        .split('\n')
        .filter(Boolean))
        await ctr('containers', 'rm', c).catch(() => '');
    }
    client?.close();
    client = undefined;
    await stopProcess();
    for (const pid of shimPids(socketPath)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited
      }
    }
    for (const m of mountsUnder(rootfs)) await run('umount', ['-l', m]).catch(() => undefined);
    await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    await removeCgroupTree(cgroupRoot);
    if (existsSync(CNI_RESULTS)) {
      for (const f of readdirSync(CNI_RESULTS))
        if (f.startsWith(`${bridge}-`)) rmSync(join(CNI_RESULTS, f), { force: true });
      for (const d of [CNI_RESULTS, '/var/lib/cni']) {
        try {
          rmdirSync(d);
        } catch {
          break; // not empty: another node's files
        }
      }
    }
    // Shim sockets live in the machine-wide /run/containerd/s whatever the config says.
    for (const d of ['/run/containerd/s', '/run/containerd']) {
      try {
        rmdirSync(d);
      } catch {
        break; // in use by another containerd
      }
    }
    unregister(registration);
    try {
      unlinkSync(subnet.lock);
    } catch {
      // already gone
    }
    rmSync(rootfs, { recursive: true, force: true });
  };

  try {
    await startProcess();
    if (options.images ?? true) {
      const images = localImages();
      await ctr('images', 'import', images.busyboxTar);
      await ctr('images', 'import', images.pauseTar);
    }
  } catch (err: unknown) {
    await stop();
    throw err;
  }

  return {
    name,
    rootfs,
    endpoint,
    socketPath,
    configPath,
    bridge,
    cgroupRoot,
    podCidr: subnet.cidr,
    gateway,
    get pid() {
      return child?.pid;
    },
    logPath,
    runtime,
    ctr,
    stopProcess,
    startProcess,
    leftovers,
    settledLeftovers,
    stop,
  };
}
