/**
 * `npm run bench -- scheduler`: the scheduler end to end through the API on a real 3-member
 * etcd, every component its own process as deployed (`k8ts apiserver`, `k8ts scheduler` with
 * leader election), the driver (this process) playing the cluster: 1,000 kwok-style Nodes (Node
 * objects only, Ready, 4 cpu / 32Gi / 110 pods), then two batches of 10,000 pods of upstream
 * scheduler_perf's SchedulingBasic template (100m / 500Mi, no owner), created 64 in flight:
 *  - `concurrent`: created while the scheduler runs (the whole pipeline, creates included);
 *    pods/s bound (first bind -> last bind, scheduler_perf's throughput; and first create ->
 *    last bound), p50/p99 create -> bound as a watch sees it;
 *  - `backlog`: created with no scheduler running, then a fresh scheduler binds them all
 *    (scheduling and binding alone, the API's other writers quiet).
 * Each batch reports the pod create rate the API sustained and each process's CPU (cores used
 * over the window and CPU ms per pod: what bounds it); the references in the same run are raw
 * etcd puts/s and the scheduler's own decision rate without the API (the same nodes and pods
 * through `schedulePod` and the cache's assume, in this process, CPU time).
 * Options: `--quick` (100 nodes / 1,000 pods), `--profile` (node --cpu-prof on the API server
 * and the schedulers; prints their hottest functions and keeps the profiles).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../src/client/index.ts';
import { defaultProfile, schedulePod } from '../src/scheduler/index.ts';
import { newPodInfo } from '../src/scheduler/pod-info.ts';
import { SchedulerCache } from '../src/scheduler/scheduler-cache.ts';
import { ComponentProcess } from '../test/harness/component-process.ts';
import { startEtcdCluster } from '../test/harness/etcd-cluster.ts';
import { startApiServerProcess } from './lib/apiserver-process.ts';
import { hotFunctions } from './lib/cpu-profile.ts';
import { CpuMeter } from './lib/cpu-meter.ts';
import { formatTable, percentile, writeResult } from './lib/result.ts';
import type { BenchRow } from './lib/result.ts';

const NODES = { group: '', version: 'v1', plural: 'nodes' };
const PODS = { group: '', version: 'v1', plural: 'pods' };
const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces' };

async function inParallel(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

/** scheduler_perf's node-default.yaml, as kwok would register it. */
function node(i: number): Node {
  const name = `node-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'topology.kubernetes.io/zone': `zone-${String(i % 3)}`,
        type: 'kwok',
      },
    },
    spec: {},
  };
}
const nodeStatus = {
  allocatable: { cpu: '4', memory: '32Gi', pods: '110' },
  capacity: { cpu: '4', memory: '32Gi', pods: '110' },
  conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
};

/** scheduler_perf's pod-default.yaml. */
function pod(i: number): Pod {
  const resources = { cpu: '100m', memory: '500Mi' };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${String(i).padStart(6, '0')}` },
    spec: {
      containers: [
        {
          name: 'pause',
          image: 'registry.k8s.io/pause:3.10',
          ports: [{ containerPort: 80 }],
          resources: { requests: resources, limits: resources },
        },
      ],
    },
  };
}

async function rawEtcdPutsPerSecond(endpoints: readonly string[], count: number): Promise<number> {
  const client = new Etcd3({ hosts: [...endpoints] });
  const value = Buffer.alloc(1024, 'x');
  const start = performance.now();
  await inParallel(count, 64, async (i) => {
    await client.put(`/bench-raw/${String(i)}`).value(value);
  });
  const rate = count / ((performance.now() - start) / 1000);
  client.close();
  return rate;
}

/** Decisions per CPU second of the scheduling core alone: filter, score, assume; no API. */
function coreDecisionsPerCpuSecond(numNodes: number, numPods: number): number {
  const cache = new SchedulerCache();
  for (let i = 0; i < numNodes; i++) cache.upsertNode({ ...node(i), status: nodeStatus });
  let start = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < numPods; i++) {
    const p = pod(i);
    p.metadata = { ...p.metadata, namespace: 'default' };
    const pi = newPodInfo(p);
    const r = schedulePod(pi, cache.nodeInfos(), defaultProfile, { startNodeIndex: start });
    start = r.nextStartNodeIndex;
    if (r.kind === 'scheduled') cache.assume(pi, r.nodeName);
  }
  const cpu = process.cpuUsage(c0);
  return numPods / ((cpu.user + cpu.system) / 1e6);
}

export async function run(args: readonly string[]): Promise<void> {
  const quick = args.includes('--quick');
  const profile = args.includes('--profile');
  const numNodes = quick ? 100 : 1_000;
  const numPods = quick ? 1_000 : 10_000;
  const cond = `${String(numNodes)}_nodes_${String(numPods)}_pods`;
  const rows: BenchRow[] = [];
  const row = (system: string, metric: string, value: number, unit: string): void => {
    rows.push({ system, metric, value, unit });
    process.stderr.write(`  ${system} ${metric} = ${value.toFixed(2)} ${unit}\n`);
  };
  const profDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-sched-prof-'));
  const profArgs = (who: string): string[] =>
    profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, who)}`] : [];

  const cluster = await startEtcdCluster({ members: 3 });
  try {
    row(
      'raw-etcd',
      'puts_per_s_c64_1KiB',
      await rawEtcdPutsPerSecond(cluster.endpoints, 10_000),
      '1/s',
    );
    // As scheduler_perf starts its API server (test/integration/scheduler_perf, mustSetupCluster):
    // without the ServiceAccount admission plugin, so pods are the same as upstream's benchmark
    // measures (no token volume added to each).
    const api = await startApiServerProcess(cluster.endpoints, profArgs('apiserver'), [
      '--disable-admission-plugins=ServiceAccount',
    ]);
    const client = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'), {
      component: 'bench',
    });
    let scheduler: ComponentProcess | undefined;
    try {
      await inParallel(numNodes, 32, async (i) => {
        const created = await client.create<Node>(NODES, node(i));
        await client.update<Node>(
          { ...NODES, name: created.metadata?.name ?? '', subresource: 'status' },
          { ...created, status: nodeStatus },
        );
      });
      process.stderr.write(`created ${String(numNodes)} nodes\n`);

      const startScheduler = async (n: number): Promise<ComponentProcess> => {
        const p = new ComponentProcess(
          'scheduler',
          api.kubeconfigPath,
          `bench_${String(process.pid)}_${String(n)}`,
          // Upstream's 15 s / 10 s / 2 s: on this shared machine a stall of k8ts's 2.5 s renew
          // deadline makes the scheduler step down (and exit, as kube-scheduler does) mid-run;
          // this measures scheduling, not the election (bench/failover.ts measures that).
          [
            '--leader-elect-lease-duration=15s',
            '--leader-elect-renew-deadline=10s',
            '--leader-elect-retry-period=2s',
          ],
          { nodeArgs: profArgs(`scheduler-${String(n)}`) },
        );
        scheduler = p;
        await p.waitFor('caches synced; scheduling', 120_000);
        return p;
      };

      /**
       * One measured batch of `numPods` pods in `namespace`: `concurrent` creates them while
       * the scheduler runs (the end-to-end pipeline); `backlog` creates them all first, then
       * starts a scheduler, so that only scheduling and binding are measured.
       */
      const measure = async (namespace: string, mode: 'concurrent' | 'backlog'): Promise<void> => {
        const pods = { ...PODS, namespace };
        await client.create(NAMESPACES, { metadata: { name: namespace } });
        const createdAt = new Map<string, number>();
        const latencies: number[] = [];
        let firstBoundAt = 0;
        let lastBoundAt = 0;
        let allBound: () => void = () => undefined;
        const done = new Promise<void>((r) => {
          allBound = r;
        });
        const stopWatch = new AbortController();
        const watch = await client.watch<Pod>(pods, { signal: stopWatch.signal });
        const watching = (async () => {
          for await (const e of watch) {
            if (e.type !== 'MODIFIED' && e.type !== 'ADDED') continue;
            const name = e.object.metadata?.name ?? '';
            const t0 = createdAt.get(name);
            if (t0 === undefined || (e.object.spec?.nodeName ?? '') === '') continue;
            createdAt.delete(name);
            lastBoundAt = performance.now();
            if (firstBoundAt === 0) firstBoundAt = lastBoundAt;
            latencies.push(lastBoundAt - t0);
            if (latencies.length === numPods) allBound();
          }
        })().catch(() => undefined);
        const createAll = async (): Promise<number> => {
          const t0 = performance.now();
          await inParallel(numPods, 64, async (i) => {
            const p = pod(i);
            createdAt.set(p.metadata?.name ?? '', performance.now());
            await client.create(pods, p);
          });
          return numPods / ((performance.now() - t0) / 1000);
        };
        let createRate = 0;
        if (mode === 'backlog') createRate = await createAll();
        const sched = mode === 'backlog' ? await startScheduler(2) : scheduler;
        if (sched === undefined) throw new Error('no scheduler');
        const schedPid = sched.pid;
        const meter = new CpuMeter(
          new Map([
            ['apiserver', () => [api.pid]],
            ['scheduler', () => [schedPid]],
            ['etcd', () => cluster.members.flatMap((m) => (m.pid === undefined ? [] : [m.pid]))],
          ]),
        );
        const cpuBefore = meter.read();
        const load0 = loadavg()[0] ?? 0;
        const start = performance.now();
        if (mode === 'concurrent') createRate = await createAll();
        const timer = setTimeout(allBound, quick ? 120_000 : 600_000);
        void sched.exited.then(() => {
          if (latencies.length === numPods) return;
          process.stderr.write(
            `the scheduler exited; its last lines:\n${sched.lines
              .slice(-15)
              .map((l) => JSON.stringify(l))
              .join('\n')}\n`,
          );
          allBound();
        });
        await done;
        clearTimeout(timer);
        if (!sched.running || latencies.length < numPods)
          throw new Error(
            `${mode}: ${String(latencies.length)}/${String(numPods)} pods bound; the scheduler ${sched.running ? 'is still running' : 'exited'}`,
          );
        const windowS = (performance.now() - start) / 1000;
        const cpuMs = CpuMeter.delta(cpuBefore, meter.read());
        const e2eSeconds = (lastBoundAt - start) / 1000;
        const bindSeconds = (lastBoundAt - firstBoundAt) / 1000;
        process.stderr.write(
          `${mode}: bound ${String(latencies.length)}/${String(numPods)} in ${e2eSeconds.toFixed(1)} s\n`,
        );
        stopWatch.abort();
        await watching;

        const c = `${cond}_${mode}`;
        row('k8ts', `pods_bound_${c}`, latencies.length, 'pods');
        row('k8ts', `scheduling_throughput_${c}`, latencies.length / bindSeconds, 'pods/s');
        if (mode === 'concurrent') {
          row('k8ts', `pods_bound_per_s_e2e_${c}`, latencies.length / e2eSeconds, 'pods/s');
          row('k8ts', `create_to_bound_p50_${c}`, percentile(latencies, 50), 'ms');
          row('k8ts', `create_to_bound_p99_${c}`, percentile(latencies, 99), 'ms');
        }
        row('k8ts', `pod_creates_per_s_c64_${c}`, createRate, 'pods/s');
        for (const [group, ms] of cpuMs) {
          const name = group === 'loadgen' ? 'driver' : group;
          const system = name === 'etcd' ? 'raw-etcd' : 'k8ts';
          row(system, `cpu_${name}_${mode}`, ms / 1000 / windowS, 'cores');
          if (name !== 'driver')
            row(system, `cpu_ms_per_pod_${name}_${mode}`, ms / latencies.length, 'ms');
        }
        row('machine', `load_average_1m_${mode}`, (load0 + (loadavg()[0] ?? 0)) / 2, 'procs');
      };

      await startScheduler(1);
      await measure('bench-concurrent', 'concurrent');
      // The backlog is created with no scheduler running, then a fresh one takes it.
      await scheduler?.stop(10_000);
      await measure('bench-backlog', 'backlog');
      row(
        'k8ts',
        `scheduler_core_decisions_per_cpu_s_${cond}`,
        coreDecisionsPerCpuSecond(numNodes, numPods),
        'pods/s',
      );
      row(
        'upstream-scheduler_perf',
        'scheduling_throughput_5000_nodes_10000_pods_floor',
        680,
        'pods/s',
      );
      row('issue-goal', `scheduling_throughput_${cond}`, 500, 'pods/s');
    } finally {
      client.close();
      await scheduler?.stop(10_000);
      await api.stop();
    }
    process.stdout.write(`${formatTable(rows)}\n`);
    if (profile) {
      for (const who of ['scheduler-1', 'scheduler-2', 'apiserver']) {
        process.stdout.write(`\nhottest functions (self time), ${who}:\n`);
        for (const f of hotFunctions(join(profDir, who)))
          process.stdout.write(
            `  ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.name}\n`,
          );
      }
    }
    process.stdout.write(`wrote ${writeResult('scheduler', rows)}\n`);
  } finally {
    await cluster.stop();
    // With --profile the .cpuprofile files stay for a closer look (Chrome DevTools, speedscope).
    if (profile) process.stdout.write(`profiles kept in ${profDir}\n`);
    else rmSync(profDir, { recursive: true, force: true });
  }
}
