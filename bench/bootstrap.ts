/**
 * `npm run bench -- bootstrap [--rounds N]`: how long kubeadm's walkthrough takes with k8ts, as
 * a user runs it — the `k8ts` executable, a private containerd per node (the test harness), two
 * nodes on their own loopback addresses:
 *  - init_s: `k8ts init` from start to return (etcd datastore, and again with --datastore
 *    sqlite), i.e. certificates, kubeconfigs, the control plane up, the node registered and
 *    marked, the bootstrap token and cluster-info made;
 *  - join_to_ready_s: `k8ts join` start until the new Node is Ready as the API server reports it;
 *  - the init phases' own durations (`[<phase>] Completed in`).
 * References in the same run: raw etcd (one member with TLS, from spawn to a healthy answer),
 * the floor of anything that starts etcd. Upstream's default timings are printed beside them,
 * each with the kubeadm/kubelet constant it comes from (cmd/kubeadm/app/constants, kubelet
 * config defaults): they bound how soon kubeadm can notice each step, not what it costs.
 * Medians of N rounds (default 3); every round uses fresh nodes; everything is torn down by PID.
 * Runs the compiled output, as an installed k8ts does (bench/run.ts builds it; `--from-source`
 * runs the TypeScript sources through tsx instead, as a checkout with edited sources does). The 1-minute load
 * average before and after is printed: on a shared machine it moves every number.
 */
import 'reflect-metadata';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../src/client/index.ts';
import { CertificateAuthority } from '../src/pki/index.ts';
import { startContainerdNode } from '../test/harness/containerd.ts';
import type { ContainerdNode } from '../test/harness/containerd.ts';
import { freePorts } from '../test/harness/free-port.ts';
import { formatTable, percentile, round, writeResult } from './lib/result.ts';
import type { BenchRow } from './lib/result.ts';

const BIN = fileURLToPath(new URL('../bin/k8ts.js', import.meta.url));

function k8ts(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : 1, stdout, stderr });
    });
  });
}

const median = (xs: readonly number[]): number => percentile(xs, 50);

interface Round {
  readonly initS: number;
  readonly joinToReadyS: number;
  readonly phases: Record<string, number>;
}

let subnetSeq = 0;
function loopbackSubnet(): string {
  subnetSeq++;
  return `127.${String(100 + (process.pid % 100))}.${String(10 + subnetSeq)}`;
}

async function oneRound(datastore: 'etcd' | 'sqlite', withJoin: boolean): Promise<Round> {
  const subnet = loopbackSubnet();
  const nodes: ContainerdNode[] = await Promise.all([
    startContainerdNode({ name: 'bench-cp', writeCniConfig: false }),
    ...(withJoin ? [startContainerdNode({ name: 'bench-w', writeCniConfig: false })] : []),
  ]);
  const [cp, worker] = nodes;
  if (cp === undefined) throw new Error('no node');
  const ports = await freePorts(4);
  try {
    const started = performance.now();
    const init = await k8ts([
      'init',
      '--rootfs',
      cp.rootfs,
      '--apiserver-advertise-address',
      `${subnet}.11`,
      '--node-name',
      'bench-cp',
      '--apiserver-bind-port',
      String(ports[0]),
      '--etcd-client-port',
      String(ports[1]),
      '--etcd-peer-port',
      String(ports[2]),
      '--kubelet-port',
      String(ports[3]),
      '--cri-socket',
      cp.endpoint,
      '--pod-cidr',
      cp.podCidr,
      '--datastore',
      datastore,
      '--ignore-preflight-errors',
      'Swap',
    ]);
    const initS = (performance.now() - started) / 1000;
    if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
    const phases: Record<string, number> = {};
    for (const m of init.stdout.matchAll(/^\[([a-z-]+)\] Completed in (\d+\.\d+)s$/gm))
      if (m[1] !== undefined && m[2] !== undefined) phases[m[1]] = Number(m[2]);
    let joinToReadyS = Number.NaN;
    if (worker !== undefined) {
      const token = await k8ts(['token', 'create', '--rootfs', cp.rootfs, '--print-join-command']);
      const admin = RestClient.fromKubeconfig(
        readFileSync(join(cp.rootfs, 'etc/kubernetes/admin.conf'), 'utf8'),
      );
      try {
        const joinStarted = performance.now();
        const join = k8ts([
          ...token.stdout.trim().split(' ').slice(1),
          '--rootfs',
          worker.rootfs,
          '--node-name',
          'bench-w',
          '--node-ip',
          `${subnet}.12`,
          '--kubelet-port',
          String(ports[3]),
          '--cri-socket',
          worker.endpoint,
          '--pod-cidr',
          worker.podCidr,
          '--ignore-preflight-errors',
          'Swap',
        ]);
        for (;;) {
          const node = await admin
            .get<Node>({ group: '', version: 'v1', plural: 'nodes', name: 'bench-w' })
            .catch(() => undefined);
          const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
          if (ready?.status === 'True') break;
          if (performance.now() - joinStarted > 120_000)
            throw new Error('join: not Ready in 2 min');
          await new Promise((r) => setTimeout(r, 20));
        }
        joinToReadyS = (performance.now() - joinStarted) / 1000;
        const joined = await join;
        if (joined.code !== 0) throw new Error(`join failed: ${joined.stderr}`);
      } finally {
        admin.close();
      }
    }
    return { initS, joinToReadyS, phases };
  } finally {
    for (const n of [...nodes].reverse()) await k8ts(['reset', '--force', '--rootfs', n.rootfs]);
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

/** One TLS etcd member from spawn to a healthy /health answer: the floor of any etcd start. */
async function rawEtcdReadyS(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-etcd-'));
  const ca = await CertificateAuthority.create({ commonName: 'etcd-ca' });
  const server = await ca.issue({
    subject: { commonName: 'etcd' },
    usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
    ipAddresses: ['127.0.0.1'],
  });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'ca.crt'), ca.certificatePem);
  writeFileSync(join(dir, 's.crt'), server.certificatePem);
  writeFileSync(join(dir, 's.key'), server.keyPem, { mode: 0o600 });
  const [client, peer] = await freePorts(2);
  const url = `https://127.0.0.1:${String(client)}`;
  const started = performance.now();
  const etcd = spawn(
    '/usr/bin/etcd',
    [
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=https://127.0.0.1:${String(peer)}`,
      `--initial-advertise-peer-urls=https://127.0.0.1:${String(peer)}`,
      `--initial-cluster=default=https://127.0.0.1:${String(peer)}`,
      `--cert-file=${join(dir, 's.crt')}`,
      `--key-file=${join(dir, 's.key')}`,
      `--peer-cert-file=${join(dir, 's.crt')}`,
      `--peer-key-file=${join(dir, 's.key')}`,
      `--peer-trusted-ca-file=${join(dir, 'ca.crt')}`,
    ],
    { stdio: 'ignore' },
  );
  try {
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const req = request(`${url}/health`, { ca: ca.certificatePem, timeout: 500 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => {
          resolve(false);
        });
        req.end();
      });
      if (ok) return (performance.now() - started) / 1000;
      if (performance.now() - started > 30_000) throw new Error('etcd did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    etcd.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: readonly string[]): Promise<void> {
  const i = args.indexOf('--rounds');
  const rounds = i >= 0 ? Number(args[i + 1]) : 3;
  const loadBefore = loadavg()[0] ?? 0;
  const etcdRounds: Round[] = [];
  const sqliteRounds: Round[] = [];
  const etcdReady: number[] = [];
  for (let r = 0; r < rounds; r++) {
    etcdReady.push(await rawEtcdReadyS());
    etcdRounds.push(await oneRound('etcd', true));
    sqliteRounds.push(await oneRound('sqlite', false));
    process.stderr.write(
      `round ${String(r + 1)}: init etcd ${round(etcdRounds[r]?.initS ?? 0)}s, sqlite ${round(sqliteRounds[r]?.initS ?? 0)}s, join-to-Ready ${round(etcdRounds[r]?.joinToReadyS ?? 0)}s\n`,
    );
  }
  const code = process.env['K8TS_DIST'] === '0' ? 'source' : 'dist';
  const rows: BenchRow[] = [
    { system: 'host', metric: 'load_avg_1m_before', value: loadBefore, unit: '1' },
    { system: 'host', metric: 'load_avg_1m_after', value: loadavg()[0] ?? 0, unit: '1' },
    {
      system: `k8ts-${code}`,
      metric: 'init_etcd',
      value: median(etcdRounds.map((x) => x.initS)),
      unit: 's',
    },
    {
      system: `k8ts-${code}`,
      metric: 'init_sqlite',
      value: median(sqliteRounds.map((x) => x.initS)),
      unit: 's',
    },
    {
      system: `k8ts-${code}`,
      metric: 'join_to_ready',
      value: median(etcdRounds.map((x) => x.joinToReadyS)),
      unit: 's',
    },
    { system: 'raw-etcd', metric: 'etcd_member_ready', value: median(etcdReady), unit: 's' },
  ];
  const phaseNames = Object.keys(etcdRounds[0]?.phases ?? {});
  for (const p of phaseNames)
    rows.push({
      system: `k8ts-${code}`,
      metric: `init_etcd_phase_${p.replaceAll('-', '_')}`,
      value: median(etcdRounds.map((x) => x.phases[p] ?? Number.NaN)),
      unit: 's',
    });
  // Upstream defaults (not measured): cmd/kubeadm/app/constants/constants.go and kubelet's.
  const upstream: [string, number][] = [
    // KubernetesAPICallRetryInterval: kubeadm's API waits (api-check, mark-control-plane) poll at 500 ms.
    ['kubeadm_api_poll_interval', 0.5],
    // TLSBootstrapRetryInterval: join checks every 1 s whether the kubelet wrote kubelet.conf.
    ['kubeadm_tls_bootstrap_poll_interval', 1],
    // DiscoveryRetryInterval: a failed cluster-info fetch is retried after 5 s.
    ['kubeadm_discovery_retry_interval', 5],
    // ControlPlaneComponentHealthCheckTimeout / KubeletHealthCheckTimeout: 4 min each.
    ['kubeadm_control_plane_check_timeout', 240],
    // TLSBootstrapTimeout: 5 min for the kubelet's CSR to be signed.
    ['kubeadm_tls_bootstrap_timeout', 300],
    // KubeletConfiguration nodeStatusUpdateFrequency default: 10 s between status posts.
    ['kubelet_node_status_update_frequency', 10],
  ];
  for (const [metric, value] of upstream)
    rows.push({ system: 'upstream-default', metric, value, unit: 's' });
  const path = writeResult('bootstrap', rows);
  process.stdout.write(`${formatTable(rows)}\n\nwrote ${path}\n`);
}
