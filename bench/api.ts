/**
 * `npm run bench -- api`: the API server as clients see it, over HTTPS with 64 concurrent
 * clients, against a real 3-member etcd, beside the references measured in the same run: raw
 * etcd puts and the k8ts etcd Store without the API (same cluster), and upstream's SLOs
 * (mutating/get p99 <= 1 s). Rows: creates/s, create/get/list p50/p99, watch fan-out (N watchers,
 * one event: time until all have it), and the API server process's RSS.
 * Options: `--quick` (smaller), `--watchers N` (default 1000).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { CertificateAuthority } from '../src/pki/index.ts';
import { EtcdStore } from '../src/storage/etcd/etcd-store.ts';
import { startEtcdCluster } from '../test/harness/etcd-cluster.ts';
import { freePort } from '../test/harness/free-port.ts';
import { formatTable, percentile, writeResult } from './lib/result.ts';
import type { BenchRow } from './lib/result.ts';

interface Tls {
  ca: string;
  cert: string;
  key: string;
}

function call(
  agent: Agent,
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${url}${path}`,
      {
        method,
        agent,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `total` operations with `concurrency` in flight; returns per-op latencies (ms) and wall time. */
async function load(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await op(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

/** Starts `total` operations at `perS` per second on schedule (open loop); latency per op. */
async function pacedLoad(
  total: number,
  perS: number,
  op: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; achievedPerS: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / perS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const s = performance.now();
    running.push(
      op(i).then(() => {
        latencies.push(performance.now() - s);
      }),
    );
  }
  await Promise.all(running);
  return { latencies, achievedPerS: total / ((performance.now() - t0) / 1000) };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

async function watchFanOut(
  url: string,
  tls: Tls,
  watchers: number,
  create: () => Promise<void>,
): Promise<number> {
  // One HTTP/2 session carries every watch, as client-go multiplexes its watches.
  const session = connect(url, {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    settings: { initialWindowSize: 1 << 20 },
  });
  const received: Promise<number>[] = [];
  const opened: Promise<void>[] = [];
  const streams = [];
  for (let i = 0; i < watchers; i++) {
    const stream = session.request({
      ':path': '/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=1',
    });
    streams.push(stream);
    opened.push(
      new Promise((resolve) =>
        stream.once('response', () => {
          resolve();
        }),
      ),
    );
    received.push(
      new Promise((resolve) => {
        let buf = '';
        stream.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          if (buf.includes('"ADDED"')) resolve(performance.now());
        });
      }),
    );
  }
  await Promise.all(opened);
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  await create();
  const times = await Promise.race([
    Promise.all(received),
    new Promise<number[]>((r) =>
      setTimeout(() => {
        r([Number.NaN]);
      }, 30_000),
    ),
  ]);
  for (const s of streams) s.close();
  session.close();
  return Math.max(...times) - t0;
}

export async function run(args: readonly string[]): Promise<void> {
  const quick = args.includes('--quick');
  const wIdx = args.indexOf('--watchers');
  const watchers = wIdx >= 0 ? Number(args[wIdx + 1]) : quick ? 200 : 1000;
  const creates = quick ? 500 : 3000;
  const rounds = quick ? 2 : 5;
  const rows: BenchRow[] = [];
  const row = (system: string, metric: string, value: number, unit: string): void => {
    rows.push({ system, metric, value, unit });
    process.stderr.write(`  ${system} ${metric} = ${value.toFixed(2)} ${unit}\n`);
  };
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-api-'));
  const cluster = await startEtcdCluster({ members: 3 });
  const value = Buffer.alloc(512, 'v');
  try {
    // References on the same cluster: raw etcd puts and the k8ts Store without the API,
    // measured in the same interleaved rounds as the API server (below).
    const raw = new Etcd3({ hosts: cluster.endpoints });
    const store = new EtcdStore({ endpoints: cluster.endpoints });
    let r: { latencies: number[]; seconds: number };

    // The API server as its own process, so its RSS is its own.
    const ca = await CertificateAuthority.create();
    const serving = await ca.issueServing({
      commonName: 'kube-apiserver',
      ipAddresses: ['127.0.0.1'],
      dnsNames: ['localhost'],
    });
    const admin = await ca.issueClient({
      commonName: 'kubernetes-admin',
      organizations: ['system:masters'],
    });
    for (const [f, c] of [
      ['ca.crt', ca.certificatePem],
      ['apiserver.crt', serving.certificatePem],
      ['apiserver.key', serving.keyPem],
    ] as const)
      writeFileSync(join(dir, f), c);
    const port = await freePort();
    const bin = fileURLToPath(new URL('../bin/k8ts.js', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        bin,
        'apiserver',
        `--etcd-servers=${cluster.endpoints.join(',')}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${String(port)}`,
        `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
        `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
        `--client-ca-file=${join(dir, 'ca.crt')}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const pid = child.pid ?? 0;
    try {
      const url = `https://127.0.0.1:${String(port)}`;
      const tls: Tls = { ca: ca.certificatePem, cert: admin.certificatePem, key: admin.keyPem };
      const agent = new Agent({ keepAlive: true, maxSockets: 64, ...tls });
      for (let i = 0; i < 100; i++) {
        try {
          if ((await call(agent, url, 'GET', '/readyz')).status === 200) break;
        } catch {
          /* not up yet */
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      row('k8ts-apiserver', 'rss_idle', rssMiB(pid), 'MiB');
      for (const ns of ['bench', 'bench-watch'])
        await call(agent, url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
      const data = { v: value.toString() };
      let failures = 0;
      // Creates at 64 in flight in interleaved rounds (each system once per round, the order
      // rotating), each system's median rate reported: on a shared, noisy machine a burst of
      // other load then hits every system alike instead of whichever ran at that moment.
      const perRound = Math.ceil(creates / rounds);
      const systems: [string, (i: number) => Promise<void>][] = [
        [
          'raw-etcd',
          async (i) => {
            await raw.put(`/bench-raw/k${String(i)}`).value(value);
          },
        ],
        [
          'k8ts-etcd-store',
          async (i) => {
            await store.create(`/registry/bench-store/k${String(i)}`, value);
          },
        ],
        [
          'k8ts-apiserver',
          async (i) => {
            const res = await call(agent, url, 'POST', '/api/v1/namespaces/bench/configmaps', {
              metadata: { name: `cm${String(i)}` },
              data,
            });
            if (res.status !== 201) failures++;
          },
        ],
      ];
      const rates = new Map<string, number[]>(systems.map(([name]) => [name, []]));
      const apiLatencies: number[] = [];
      for (let round = 0; round < rounds; round++) {
        for (let j = 0; j < systems.length; j++) {
          const sys = systems[(round + j) % systems.length];
          if (sys === undefined) continue;
          const [name, op] = sys;
          const base = round * perRound;
          r = await load(perRound, 64, (i) => op(base + i));
          rates.get(name)?.push(perRound / r.seconds);
          if (name === 'k8ts-apiserver') apiLatencies.push(...r.latencies);
          process.stderr.write(
            `  round ${String(round + 1)} ${name} creates_per_s_c64 = ${(perRound / r.seconds).toFixed(0)}\n`,
          );
        }
      }
      raw.close();
      await store.close();
      if (failures > 0) throw new Error(`${String(failures)} creates failed`);
      for (const [name] of systems)
        row(name, 'creates_per_s_c64', percentile(rates.get(name) ?? [], 50), '1/s');
      row('k8ts-apiserver', 'create_p50_c64', percentile(apiLatencies, 50), 'ms');
      row('k8ts-apiserver', 'create_p99_c64', percentile(apiLatencies, 99), 'ms');
      // Open loop at a fixed offered rate (the issue's goal: p99 < 50 ms at 500 writes/s):
      // requests start on schedule whether or not earlier ones have finished.
      const paced = await pacedLoad(quick ? 1000 : 3000, 500, async (i) => {
        const res = await call(agent, url, 'POST', '/api/v1/namespaces/bench/configmaps', {
          metadata: { name: `paced${String(i)}` },
          data,
        });
        if (res.status !== 201) failures++;
      });
      row('k8ts-apiserver', 'creates_per_s_offered_500', paced.achievedPerS, '1/s');
      row('k8ts-apiserver', 'create_p50_at_500_per_s', percentile(paced.latencies, 50), 'ms');
      row('k8ts-apiserver', 'create_p99_at_500_per_s', percentile(paced.latencies, 99), 'ms');
      r = await load(creates, 64, async (i) => {
        await call(agent, url, 'GET', `/api/v1/namespaces/bench/configmaps/cm${String(i)}`);
      });
      row('k8ts-apiserver', 'get_p50_c64', percentile(r.latencies, 50), 'ms');
      row('k8ts-apiserver', 'get_p99_c64', percentile(r.latencies, 99), 'ms');
      r = await load(quick ? 20 : 100, 4, async () => {
        await call(agent, url, 'GET', '/api/v1/namespaces/bench/configmaps?limit=500');
      });
      row('k8ts-apiserver', 'list_500_p50', percentile(r.latencies, 50), 'ms');
      row('k8ts-apiserver', 'list_500_p99', percentile(r.latencies, 99), 'ms');
      row('k8ts-apiserver', 'rss_after_load', rssMiB(pid), 'MiB');
      const fanOut = await watchFanOut(url, tls, watchers, async () => {
        await call(agent, url, 'POST', '/api/v1/namespaces/bench-watch/configmaps', {
          metadata: { name: 'hello' },
        });
      });
      row('k8ts-apiserver', `watch_fanout_${String(watchers)}_watchers`, fanOut, 'ms');
      row('k8ts-apiserver', `rss_with_${String(watchers)}_watches`, rssMiB(pid), 'MiB');
      row('upstream-slo', 'create_p99_c64', 1000, 'ms');
      row('upstream-slo', 'create_p99_at_500_per_s', 1000, 'ms');
      row('issue-goal', 'create_p99_at_500_per_s', 50, 'ms');
      row('upstream-slo', 'get_p99_c64', 1000, 'ms');
      agent.destroy();
    } finally {
      child.kill('SIGTERM');
      await new Promise((res) => {
        child.once('exit', res);
        setTimeout(res, 5000);
      });
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const path = writeResult('api', rows);
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  const api =
    rows.find((x) => x.system === 'k8ts-apiserver' && x.metric === 'creates_per_s_c64')?.value ?? 0;
  const rawRate =
    rows.find((x) => x.system === 'raw-etcd' && x.metric === 'creates_per_s_c64')?.value ?? 1;
  process.stdout.write(
    `API creates keep ${((100 * api) / rawRate).toFixed(0)} % of raw etcd's write throughput (goal >= 50 %)\nwrote ${path}\n`,
  );
}
