/**
 * `npm run bench -- scheduler`: the scheduler end to end through the API on a real 3-member
 * etcd, in one process: N nodes created through the API, then M pods (replicas of 10 fake
 * workloads, 100m / 128Mi each) created with 64 in flight while the scheduler runs. Reports
 * pods/s bound end to end (first pod created -> last pod seen bound by a watch), p50/p99
 * scheduling latency (pod created -> bound, observed by the watch), and raw etcd puts/s (64 in
 * flight, etcd3 directly) measured in the same run as the reference. Options: `--quick`
 * (100 nodes / 1,000 pods instead of 1,000 / 10,000).
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../src/client/index.ts';
import { Scheduler } from '../src/scheduler/index.ts';
import { EtcdStore } from '../src/storage/etcd/etcd-store.ts';
import { startApiServerFixture } from '../test/harness/api-server-fixture.ts';
import { startEtcdCluster } from '../test/harness/etcd-cluster.ts';
import { formatTable, percentile, writeResult } from './lib/result.ts';
import type { BenchRow } from './lib/result.ts';

const NODES = { group: '', version: 'v1', plural: 'nodes' };
const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };

async function inParallel(count: number, concurrency: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

function node(i: number): Node {
  const name = `node-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` },
    },
    spec: {},
  };
}
const nodeStatus = {
  allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
  capacity: { cpu: '32', memory: '128Gi', pods: '110' },
  conditions: [{ type: 'Ready', status: 'True' }],
};

function pod(i: number): Pod {
  const w = i % 10;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${String(i).padStart(6, '0')}`,
      labels: { app: `w${w}` },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `w${w}`,
          uid: `uid-w${w}`,
          controller: true,
        },
      ],
    },
    spec: {
      containers: [
        { name: 'c', image: 'pause', resources: { requests: { cpu: '100m', memory: '128Mi' } } },
      ],
    },
  };
}

async function rawEtcdPutsPerSecond(endpoints: readonly string[], count: number): Promise<number> {
  const client = new Etcd3({ hosts: [...endpoints] });
  const value = Buffer.alloc(1024, 'x');
  const start = performance.now();
  await inParallel(count, 64, async (i) => {
    await client.put(`/bench-raw/${i}`).value(value);
  });
  const rate = count / ((performance.now() - start) / 1000);
  client.close();
  return rate;
}

export async function run(args: readonly string[]): Promise<void> {
  const quick = args.includes('--quick');
  const numNodes = quick ? 100 : 1_000;
  const numPods = quick ? 1_000 : 10_000;
  const cluster = await startEtcdCluster({ members: 3 });
  const store = new EtcdStore({ endpoints: cluster.endpoints });
  const fixture = await startApiServerFixture(store);
  const kubeconfig = readFileSync(fixture.kubeconfigPath, 'utf8');
  const client = RestClient.fromKubeconfig(kubeconfig, { component: 'bench' });
  const schedClient = RestClient.fromKubeconfig(kubeconfig, { component: 'kube-scheduler' });
  const rows: BenchRow[] = [];
  const ac = new AbortController();
  try {
    await inParallel(numNodes, 32, async (i) => {
      const created = await client.create<Node>(NODES, node(i));
      await client.update<Node>(
        { ...NODES, name: created.metadata?.name ?? '', subresource: 'status' },
        { ...created, status: nodeStatus },
      );
    });
    process.stderr.write(`created ${numNodes} nodes\n`);

    const createdAt = new Map<string, number>();
    const latencies: number[] = [];
    let lastBoundAt = 0;
    let allBound!: () => void;
    const done = new Promise<void>((r) => {
      allBound = r;
    });
    const watch = await client.watch<Pod>(PODS, { signal: ac.signal });
    const watching = (async () => {
      for await (const e of watch) {
        if (e.type !== 'MODIFIED' && e.type !== 'ADDED') continue;
        const name = e.object.metadata?.name ?? '';
        const t0 = createdAt.get(name);
        if (t0 === undefined || (e.object.spec?.nodeName ?? '') === '') continue;
        createdAt.delete(name);
        lastBoundAt = performance.now();
        latencies.push(lastBoundAt - t0);
        if (latencies.length === numPods) allBound();
      }
    })().catch(() => undefined);

    const scheduler = new Scheduler({ client: schedClient, log: () => undefined });
    const running = scheduler.run(ac.signal);
    const start = performance.now();
    await inParallel(numPods, 64, async (i) => {
      const p = pod(i);
      createdAt.set(p.metadata?.name ?? '', performance.now());
      await client.create(PODS, p);
    });
    const createdIn = (performance.now() - start) / 1000;
    const timeoutMs = quick ? 120_000 : 600_000;
    const timer = setTimeout(() => {
      allBound();
    }, timeoutMs);
    await done;
    clearTimeout(timer);
    const seconds = (lastBoundAt - start) / 1000;
    process.stderr.write(`bound ${latencies.length}/${numPods} in ${seconds.toFixed(1)} s\n`);
    ac.abort();
    await running;
    await watching;

    const raw = await rawEtcdPutsPerSecond(cluster.endpoints, quick ? 5_000 : 20_000);
    const cond = `${numNodes}_nodes_${numPods}_pods`;
    rows.push(
      {
        system: 'k8ts',
        metric: `pods_scheduled_and_bound_${cond}`,
        value: latencies.length,
        unit: 'pods',
      },
      {
        system: 'k8ts',
        metric: `throughput_${cond}`,
        value: latencies.length / seconds,
        unit: 'pods/s',
      },
      { system: 'k8ts', metric: `pod_creates_${cond}`, value: numPods / createdIn, unit: 'pods/s' },
      {
        system: 'k8ts',
        metric: `latency_p50_${cond}`,
        value: percentile(latencies, 50),
        unit: 'ms',
      },
      {
        system: 'k8ts',
        metric: `latency_p99_${cond}`,
        value: percentile(latencies, 99),
        unit: 'ms',
      },
      { system: 'raw-etcd', metric: 'puts_64_in_flight_1KiB', value: raw, unit: 'writes/s' },
    );
    process.stdout.write(`${formatTable(rows)}\n`);
    process.stdout.write(`wrote ${writeResult('scheduler', rows)}\n`);
  } finally {
    ac.abort();
    client.close();
    schedClient.close();
    await fixture.stop();
    await cluster.stop();
  }
}
