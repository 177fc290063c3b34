/**
 * A real N-member etcd cluster on 127.0.0.1 for tests: free ports, a temp dir with each
 * member's data dir and log file, `--pre-vote`, short raft timings, optionally TLS with a
 * throwaway PKI. Guarantees: `start` resolves only once every member reports healthy, every
 * wait is bounded in time, and `stop` ends every process it started (SIGTERM, then SIGKILL)
 * by PID and removes the temp dir. With `peerProxy`, raft traffic passes through in-process
 * proxies and `isolate`/`heal` partition a member (peer-network.ts). Not guaranteed: that a
 * port found free is still free when etcd binds it (start retries with new ports).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from './free-port.ts';
import { fetchHealth, fetchStatus, moveLeader } from './etcd-probe.ts';
import type { ProbeTls } from './etcd-probe.ts';
import { memberArgs, resolveClusterOptions } from './etcd-member-args.ts';
import type { EtcdClusterOptions, ResolvedOptions } from './etcd-member-args.ts';
import { PeerNetwork } from './peer-network.ts';
import { createTestPki } from './test-pki.ts';
import type { TestPki } from './test-pki.ts';

export type { EtcdClusterOptions } from './etcd-member-args.ts';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  /** The peer URL the member advertises (with `peerProxy`, its proxy's). */
  readonly peerUrl: string;
  /** The peer URL the member listens on (`peerUrl` unless proxied). */
  readonly listenPeerUrl: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** PID of the running process; undefined while the member is not running. */
  readonly pid: number | undefined;
}

interface MemberState extends EtcdMember {
  pid: number | undefined;
  child: ChildProcess | undefined;
  exited: Promise<void>;
}

const START_ATTEMPTS = 3;
const POLL_INTERVAL_MS = 100;

export class EtcdCluster {
  readonly dir: string;
  /** The cluster's throwaway PKI when started with `tls: true`. */
  readonly pki: TestPki | undefined;
  readonly #members: MemberState[];
  readonly #options: ResolvedOptions;
  readonly #token: string;
  readonly #onExit = (): void => {
    this.#killAllSync();
  };
  #network: PeerNetwork | undefined;
  #stopped = false;

  private constructor(
    dir: string,
    ports: number[],
    options: ResolvedOptions,
    pki: TestPki | undefined,
  ) {
    this.dir = dir;
    this.pki = pki;
    const scheme = pki === undefined ? 'http' : 'https';
    this.#options = options;
    this.#token = `k8ts-${String(process.pid)}-${String(Date.now())}`;
    this.#members = [];
    const url = (port: number | undefined): string => `${scheme}://127.0.0.1:${String(port)}`;
    const stride = portsPerMember(options);
    for (let i = 0; i < options.members; i++) {
      const name = `e${String(i + 1)}`;
      const peerUrl = url(ports[stride * i + 1]);
      this.#members.push({
        name,
        clientUrl: url(ports[stride * i]),
        peerUrl,
        listenPeerUrl: options.peerProxy ? url(ports[stride * i + 2]) : peerUrl,
        dataDir: join(dir, `${name}.data`),
        logFile: join(dir, `${name}.log`),
        pid: undefined,
        child: undefined,
        exited: Promise.resolve(),
      });
    }
    // Last-resort cleanup if the test process exits without calling stop().
    process.on('exit', this.#onExit);
  }

  /** Starts a cluster and resolves once every member is healthy. */
  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    const resolved = resolveClusterOptions(options);
    let lastError: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      const dir = await mkdtemp(join(tmpdir(), 'k8ts-etcd-'));
      let cluster: EtcdCluster | undefined;
      try {
        const pki = resolved.tls ? await createTestPki(dir) : undefined;
        const ports = await freePorts(portsPerMember(resolved) * resolved.members);
        cluster = new EtcdCluster(dir, ports, resolved, pki);
        if (resolved.peerProxy) await cluster.#listenPeerNetwork();
        for (const m of cluster.#members) await cluster.#spawn(m, 'new');
        await cluster.#waitHealthy(cluster.#members);
        return cluster;
      } catch (err: unknown) {
        lastError = err; // most often a port taken between allocation and bind: retry
        if (cluster === undefined) await rm(dir, { recursive: true, force: true });
        else await cluster.stop();
      }
    }
    throw new Error(`etcd cluster did not start in ${String(START_ATTEMPTS)} attempts`, {
      cause: lastError,
    });
  }

  /** Client URLs of every member (running or not), in member order. */
  get endpoints(): string[] {
    return this.#members.map((m) => m.clientUrl);
  }

  get members(): readonly EtcdMember[] {
    return this.#members;
  }

  /** Client TLS material for EtcdStore's `tls` option (with `tls: true`), else undefined. */
  get clientTls(): ProbeTls | undefined {
    const pki = this.pki;
    if (pki === undefined) return undefined;
    return { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey };
  }

  /** The current leader among running members (bounded by `timeoutMs`, default 5,000 ms). */
  async leader(timeoutMs = 5_000): Promise<EtcdMember> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < Math.ceil(timeoutMs / POLL_INTERVAL_MS) + 1; i++) {
      const running = this.#members.filter((m) => m.pid !== undefined);
      const statuses = await Promise.all(
        running.map((m) => fetchStatus(m.clientUrl, this.clientTls)),
      );
      const idOf = new Map<string, MemberState>();
      statuses.forEach((s, j) => {
        const m = running[j];
        if (s !== undefined && m !== undefined) idOf.set(s.memberId, m);
      });
      for (const s of statuses) {
        const leader = s === undefined ? undefined : idOf.get(s.leaderId);
        if (leader !== undefined) return leader;
      }
      if (Date.now() >= deadline) break;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`no etcd leader among running members within ${String(timeoutMs)} ms`);
  }

  /**
   * Sends `signal` to the member's process. For SIGKILL and SIGTERM, resolves once it exited
   * (SIGTERM is followed by SIGKILL after stopTimeoutMs); other signals (SIGSTOP) return at once.
   */
  async kill(member: EtcdMember, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const m = this.#state(member);
    const pid = m.pid;
    if (pid === undefined) return;
    signalPid(pid, signal);
    if (signal !== 'SIGKILL' && signal !== 'SIGTERM') return;
    if (!(await waitFor(m.exited, signal === 'SIGTERM' ? this.#options.stopTimeoutMs : 10_000))) {
      signalPid(pid, 'SIGKILL');
      if (!(await waitFor(m.exited, 10_000))) throw new Error(`etcd pid ${String(pid)} survived`);
    }
  }

  /**
   * Starts stopped members again (`--initial-cluster-state existing`, same data dir and
   * ports) and resolves once all of them are healthy; restart a quorum together.
   */
  async restart(...members: EtcdMember[]): Promise<void> {
    const states = members.map((m) => this.#state(m));
    for (const m of states) {
      if (m.pid !== undefined) throw new Error(`member ${m.name} is still running`);
      await this.#spawn(m, 'existing');
    }
    await this.#waitHealthy(states);
  }

  /** Resolves once every running member reports healthy (bounded by `timeoutMs`). */
  async waitHealthy(timeoutMs = this.#options.startTimeoutMs): Promise<void> {
    await this.#waitHealthy(
      this.#members.filter((m) => m.pid !== undefined),
      timeoutMs,
    );
  }

  /**
   * Cuts `member` off from every other member, both directions (needs `peerProxy`): its raft
   * connections are closed and new ones refused until `heal`. Its client port stays reachable.
   */
  isolate(member: EtcdMember): void {
    this.#peerNetwork().isolate(this.#state(member).name);
  }

  /** Ends `isolate(member)`; the member then catches up from the leader by itself. */
  heal(member: EtcdMember): void {
    this.#peerNetwork().heal(this.#state(member).name);
  }

  /**
   * Makes `member` the leader (etcd MoveLeader, asked of the current leader) and resolves once
   * the running members report it as leader; bounded by `timeoutMs` (default 5,000 ms).
   */
  async transferLeadership(member: EtcdMember, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const target = await fetchStatus(member.clientUrl, this.clientTls);
    if (target === undefined) throw new Error(`etcd ${member.name} did not report its status`);
    for (let i = 0; i < Math.ceil(timeoutMs / POLL_INTERVAL_MS) + 1; i++) {
      const leader = await this.leader(Math.max(1, deadline - Date.now()));
      if (leader.name === member.name) return;
      await moveLeader(leader.clientUrl, target.memberId, this.clientTls);
      if (Date.now() >= deadline) break;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`etcd ${member.name} did not become leader within ${String(timeoutMs)} ms`);
  }

  /** Stops every member (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(this.#members.map((m) => this.kill(m, 'SIGTERM')));
    await this.#network?.close();
    process.off('exit', this.#onExit);
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** The last `bytes` of a member's log, for failure messages. */
  async logTail(member: EtcdMember, bytes = 2_000): Promise<string> {
    try {
      const text = await readFile(member.logFile, 'utf8');
      return text.slice(-bytes);
    } catch (err: unknown) {
      return `(no log: ${String(err)})`;
    }
  }

  async #spawn(m: MemberState, state: 'new' | 'existing'): Promise<void> {
    const o = this.#options;
    const args = memberArgs(m, this.#members, o, this.#token, state, this.pki);
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')),
    );
    const log = openSync(m.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(o.etcdPath, args, { stdio: ['ignore', log, log], env });
    } finally {
      closeSync(log);
    }
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (m.child === child) {
          m.pid = undefined;
          m.child = undefined;
        }
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    m.child = child;
    m.pid = child.pid;
    m.exited = exited;
  }

  async #waitHealthy(
    members: readonly MemberState[],
    timeoutMs = this.#options.startTimeoutMs,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < Math.ceil(timeoutMs / POLL_INTERVAL_MS) + 1; i++) {
      const dead = members.find((m) => m.pid === undefined);
      if (dead !== undefined) {
        throw new Error(`etcd ${dead.name} exited during start:\n${await this.logTail(dead)}`);
      }
      const healthy = await Promise.all(
        members.map((m) => fetchHealth(m.clientUrl, this.clientTls)),
      );
      if (healthy.every(Boolean)) return;
      if (Date.now() >= deadline) break;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`etcd members not healthy within ${String(timeoutMs)} ms`);
  }

  async #listenPeerNetwork(): Promise<void> {
    const port = (u: string): number => Number(new URL(u).port);
    const routes = this.#members.map((m) => ({
      name: m.name,
      proxyPort: port(m.peerUrl),
      memberPort: port(m.listenPeerUrl),
    }));
    this.#network = await PeerNetwork.listen(routes, () => {
      const byPid = new Map<number, string>();
      for (const m of this.#members) if (m.pid !== undefined) byPid.set(m.pid, m.name);
      return byPid;
    });
  }

  #peerNetwork(): PeerNetwork {
    if (this.#network === undefined) throw new Error('start the cluster with peerProxy: true');
    return this.#network;
  }

  #state(member: EtcdMember): MemberState {
    const m = this.#members.find((x) => x.name === member.name);
    if (m === undefined) throw new Error(`unknown member ${member.name}`);
    return m;
  }

  #killAllSync(): void {
    for (const m of this.#members) {
      if (m.pid !== undefined) signalPid(m.pid, 'SIGKILL');
    }
  }
}

/** Starts a cluster (EtcdCluster.start); stop it with `cluster.stop()` in an `after` hook. */
export function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  return EtcdCluster.start(options);
}

/** Client and peer port, plus the member's own peer port behind its proxy. */
function portsPerMember(options: ResolvedOptions): number {
  return options.peerProxy ? 3 : 2;
}

/** Signals one of our own processes; one that already exited (ESRCH) is not an error. */
function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err: unknown) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ESRCH')) throw err;
  }
}

/** Resolves true when `p` settles within `timeoutMs`, false otherwise. */
async function waitFor(p: Promise<void>, timeoutMs: number): Promise<boolean> {
  const ac = new AbortController();
  const timedOut = sleep(timeoutMs, true, { signal: ac.signal }).catch(() => true);
  const settled = p.then(() => false);
  const result = await Promise.race([settled, timedOut]);
  ac.abort();
  return !result;
}
