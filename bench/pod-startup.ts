/**
 * `npm run bench -- pod-startup`: pod startup on a real containerd (CRI, runc, CNI bridge) with
 * `k8ts agent` as its own process and a real API server. N busybox pods (bound to the node, so
 * the agent and the runtime are what is measured, not the scheduler) are created at once;
 * create-to-Running latency is measured from just before each create request to the watch
 * event that shows the pod Running. References measured in the same run: **cri-direct** (the
 * same N sandboxes + containers started straight through CRI, N in flight: the runtime's own
 * floor) and upstream's SLO (p99 <= 5 s). Then the agent idles with those pods for a while and
 * its RSS and CPU are read from /proc. Before the burst, 5 pods are started one at a time (each
 * after the previous one is Running), and so are 5 for cri-direct. Options: `--pods N`
 * (default 30), `--idle-s S` (default 20).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { PodSandboxConfig } from '../src/agent/cri/cri-types.ts';
import { RestClient } from '../src/client/index.ts';
import { MemoryStore } from '../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../test/harness/api-server-fixture.ts';
import { BUSYBOX_IMAGE, startContainerdNode } from '../test/harness/containerd.ts';
import type { ContainerdNode } from '../test/harness/containerd.ts';
import { until } from '../test/harness/until.ts';
import { formatTable, percentile, writeResult } from './lib/result.ts';
import type { BenchRow } from './lib/result.ts';

const BIN = fileURLToPath(new URL('../bin/k8ts.js', import.meta.url));
const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };
const NODE = 'bench-node';
const SOLO = 5;
const CLK_TCK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

function intFlag(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const v = Number(args[at + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer`);
  return v;
}

/**
 * Starts N sandboxes with one busybox container each straight through CRI (all in flight, or
 * one at a time), then removes them; resolves with each one's start latency (ms).
 */
async function criDirect(
  node: ContainerdNode,
  count: number,
  oneAtATime: boolean,
): Promise<number[]> {
  const rt = node.runtime();
  const latencies: number[] = [];
  const sandboxes: string[] = [];
  const startOne = async (i: number): Promise<void> => {
    const uid = randomUUID();
    const name = `raw-${String(i)}`;
    const config: PodSandboxConfig = {
      metadata: { name, uid, namespace: 'bench', attempt: 0 },
      hostname: name,
      log_directory: join(node.rootfs, `var/log/pods/bench_${name}_${uid}`),
      labels: { 'io.kubernetes.pod.uid': uid },
      linux: {
        cgroup_parent: `${node.cgroupRoot}/raw/pod${uid}`,
        security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
    const t0 = performance.now();
    const sandboxId = await rt.runPodSandbox(config);
    sandboxes.push(sandboxId);
    const id = await rt.createContainer(
      sandboxId,
      {
        metadata: { name: 'c', attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: ['sleep', '3600'],
        log_path: 'c/0.log',
      },
      config,
    );
    await rt.startContainer(id);
    latencies.push(performance.now() - t0);
  };
  if (oneAtATime) for (let i = 0; i < count; i++) await startOne(i);
  else await Promise.all(Array.from({ length: count }, (_, i) => startOne(i)));
  for (const id of sandboxes) {
    await rt.stopPodSandbox(id);
    await rt.removePodSandbox(id);
  }
  return latencies;
}

/** CPU seconds (user + system) and RSS (bytes) of a process, from /proc. */
function processUsage(pid: number): { cpuS: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
  return { cpuS, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

function sleeper(i: number, prefix: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${prefix}-${String(i).padStart(3, '0')}` },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }],
    },
  };
}

export async function run(args: readonly string[]): Promise<void> {
  const count = intFlag(args, '--pods', 30);
  const idleS = intFlag(args, '--idle-s', 20);
  const [fixture, node] = await Promise.all([
    startApiServerFixture(new MemoryStore()),
    startContainerdNode({ name: 'bench' }),
  ]);
  const client = RestClient.fromKubeconfig(readFileSync(fixture.kubeconfigPath, 'utf8'), {
    component: 'bench',
  });
  const ac = new AbortController();
  let agent: ChildProcess | undefined;
  const rows: BenchRow[] = [];
  const agentLog = join(tmpdir(), `k8ts-bench-agent-${String(process.pid)}.log`);
  try {
    // The runtime's floor first, before the agent runs (it would remove foreign sandboxes).
    const rawSolo = await criDirect(node, SOLO, true);
    const raw = await criDirect(node, count, false);
    process.stderr.write(`cri-direct: ${String(count)} sandboxes+containers started\n`);

    agent = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        ...['--kubeconfig', fixture.kubeconfigPath, '--rootfs', node.rootfs],
        ...['--hostname-override', NODE, '--node-ip', '127.0.0.1'],
        ...['--container-runtime-endpoint', node.endpoint, '--pod-cidr', node.podCidr],
        ...['--address', '127.0.0.1', '--port', '0'],
      ],
      { stdio: ['ignore', 'ignore', openSync(agentLog, 'w')] },
    );
    process.stderr.write(`agent log: ${agentLog}\n`);
    const agentPid = agent.pid ?? 0;
    await until(
      'the agent registers its node',
      async () => {
        const n = await client.get<Node>({ group: '', version: 'v1', plural: 'nodes', name: NODE });
        return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          ? true
          : undefined;
      },
      60_000,
      200,
    );

    // When the watch first showed each pod Running, and who waits for which pod.
    const runningAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    // A watch from the list's resourceVersion, reopened from the last event seen if the server
    // ends it (as any watcher does).
    let rv = (await client.list<Pod>(PODS)).metadata.resourceVersion;
    const watching = (async () => {
      while (!ac.signal.aborted) {
        const watch = await client.watch<Pod>(PODS, { signal: ac.signal, resourceVersion: rv });
        for await (const e of watch) {
          if (e.type === 'ERROR') {
            process.stderr.write(`watch error: ${e.error.message}\n`);
            break;
          }
          rv = e.object.metadata?.resourceVersion ?? rv;
          if (e.type !== 'MODIFIED' && e.type !== 'ADDED') continue;
          const name = e.object.metadata?.name ?? '';
          if (runningAt.has(name) || e.object.status?.phase !== 'Running') continue;
          runningAt.set(name, performance.now());
          waiters.get(name)?.();
        }
      }
    })().catch((err: unknown) => {
      if (!ac.signal.aborted) process.stderr.write(`watch failed: ${String(err)}\n`);
    });
    /** Creates the pod and resolves with create-to-Running (ms), or NaN after 120 s. */
    const startPod = async (p: Pod): Promise<number> => {
      const name = p.metadata?.name ?? '';
      const seen = new Promise<void>((resolve) => {
        waiters.set(name, resolve);
        setTimeout(resolve, 120_000).unref();
      });
      const t0 = performance.now();
      await client.create(PODS, p);
      await seen;
      return (runningAt.get(name) ?? Number.NaN) - t0;
    };

    // One pod at a time: the agent's own pipeline, nothing queued behind anything.
    const solo: number[] = [];
    for (let i = 0; i < SOLO; i++) solo.push(await startPod(sleeper(i, 'solo')));
    // The burst: every pod at once.
    const start = performance.now();
    const latencies = (
      await Promise.all(Array.from({ length: count }, (_, i) => startPod(sleeper(i, 'pod'))))
    ).filter((l) => !Number.isNaN(l));
    const allRunningMs = performance.now() - start;
    process.stderr.write(`${String(latencies.length)}/${String(count)} Running\n`);
    if (latencies.length < count) {
      const states = (await client.list<Pod>(PODS)).items.map(
        (p) =>
          `${p.metadata?.name ?? ''} ${p.status?.phase ?? '-'} ${JSON.stringify(p.status?.containerStatuses?.[0]?.state ?? {})}`,
      );
      process.stderr.write(`${states.join('\n')}\n`);
    }

    // Idle: the pods run, nothing changes; what does the agent cost?
    await new Promise((r) => setTimeout(r, 5_000));
    const a = processUsage(agentPid);
    const t = performance.now();
    await new Promise((r) => setTimeout(r, idleS * 1000));
    const b = processUsage(agentPid);
    const idleCpu = ((b.cpuS - a.cpuS) / ((performance.now() - t) / 1000)) * 100;

    const cond = `${String(count)}_pods_at_once`;
    const soloCond = `1_pod_at_a_time`;
    const row = (system: string, metric: string, value: number, unit = 'ms'): BenchRow => ({
      system,
      metric,
      value,
      unit,
    });
    rows.push(
      row('k8ts', `running_${cond}`, latencies.length, 'pods'),
      row('k8ts', `startup_p50_${cond}`, percentile(latencies, 50)),
      row('cri-direct', `startup_p50_${cond}`, percentile(raw, 50)),
      row('k8ts', `startup_p99_${cond}`, percentile(latencies, 99)),
      row('cri-direct', `startup_p99_${cond}`, percentile(raw, 99)),
      row('upstream-slo', `startup_p99_${cond}`, 5_000),
      row('k8ts', `all_running_${cond}`, allRunningMs),
      row('cri-direct', `all_running_${cond}`, Math.max(...raw)),
      row('k8ts', `startup_p50_${soloCond}`, percentile(solo, 50)),
      row('cri-direct', `startup_p50_${soloCond}`, percentile(rawSolo, 50)),
      row('k8ts', `agent_idle_cpu_${String(count + SOLO)}_pods`, idleCpu, '% of a core'),
      row('k8ts', `agent_rss_${String(count + SOLO)}_pods`, b.rssBytes / 2 ** 20, 'MiB'),
    );
    process.stdout.write(
      `${formatTable(rows, [
        { system: 'k8ts', reference: 'cri-direct' },
        { system: 'k8ts', reference: 'upstream-slo' },
      ])}\n`,
    );
    process.stdout.write(`wrote ${writeResult('pod-startup', rows)}\n`);
    ac.abort();
    await watching;
  } finally {
    ac.abort();
    if (agent !== undefined && agent.exitCode === null) {
      const exited = new Promise((r) => agent?.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    client.close();
    await fixture.stop();
    await node.stop();
  }
}
