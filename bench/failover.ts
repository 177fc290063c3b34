/**
 * `npm run bench -- failover`: how long the control plane stops acting when a leader goes, with
 * k8ts's default leader-election timings (4 s / 2.5 s / 0.4 s) and with upstream's (15 s / 10 s /
 * 2 s), interleaved trial by trial in the same run, on a real 3-member etcd with `k8ts
 * apiserver`, two `k8ts controller-manager` and two `k8ts scheduler` processes. Per trial:
 *  - SIGKILL both leaders, then at once create a namespace (the serviceaccount controller must
 *    create its `default` ServiceAccount) and a pending pod (the scheduler must bind it); the
 *    time until a watch sees each done is the time to the new leader's first reconcile / bind;
 *    the new leader's own "started leading" log line gives the takeover alone;
 *  - start a third candidate, SIGTERM the new leaders (graceful: they release the Lease), and
 *    time the same first reconcile / bind by the third.
 * Reports p50 and max per component, timing and event. Options: `--trials N` (default 3).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, Pod, ServiceAccount } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../src/client/index.ts';
import type { WatchStream } from '../src/client/index.ts';
import {
  LEADER_ELECTION_DEFAULTS,
  UPSTREAM_LEADER_ELECTION_TIMINGS,
} from '../src/client/leader-election/index.ts';
import type { LeaderElectionTimings } from '../src/client/leader-election/index.ts';
import { ComponentProcess } from '../test/harness/component-process.ts';
import type { Component } from '../test/harness/component-process.ts';
import { startEtcdCluster } from '../test/harness/etcd-cluster.ts';
import { until } from '../test/harness/until.ts';
import { startApiServerProcess } from './lib/apiserver-process.ts';
import { formatTable, percentile, writeResult } from './lib/result.ts';
import type { BenchRow } from './lib/result.ts';

const COMPONENTS: readonly Component[] = ['controller-manager', 'scheduler'];
const LEASE: Record<Component, string> = {
  'controller-manager': 'kube-controller-manager',
  scheduler: 'kube-scheduler',
};
const ACTION: Record<Component, string> = {
  'controller-manager': 'first_reconcile',
  scheduler: 'first_bind',
};

interface Setting {
  readonly system: string;
  readonly timings: LeaderElectionTimings;
}
const SETTINGS: readonly Setting[] = [
  { system: 'k8ts-4s/2.5s/0.4s', timings: LEADER_ELECTION_DEFAULTS },
  { system: 'upstream-15s/10s/2s', timings: UPSTREAM_LEADER_ELECTION_TIMINGS },
];

const flags = (t: LeaderElectionTimings): string[] => [
  `--leader-elect-lease-duration=${String(t.leaseDurationMs)}ms`,
  `--leader-elect-renew-deadline=${String(t.renewDeadlineMs)}ms`,
  `--leader-elect-retry-period=${String(t.retryPeriodMs)}ms`,
];

/** Times (ms, this process's clock) at which a watch first saw each awaited object. */
class Sightings {
  readonly seen = new Map<string, number>();
  readonly #streams: WatchStream<Pod | ServiceAccount>[] = [];

  async start(client: RestClient, signal: AbortSignal): Promise<void> {
    const sa = await client.watch<ServiceAccount>(
      { group: '', version: 'v1', plural: 'serviceaccounts' },
      { signal },
    );
    const pods = await client.watch<Pod>({ group: '', version: 'v1', plural: 'pods' }, { signal });
    this.#streams.push(sa, pods);
    void (async () => {
      for await (const e of sa) {
        if (e.type === 'ADDED' && e.object.metadata?.name === 'default')
          this.#mark(`sa/${e.object.metadata.namespace ?? ''}`);
      }
    })().catch(() => undefined);
    void (async () => {
      for await (const e of pods) {
        if (e.type === 'ERROR' || e.type === 'BOOKMARK') continue;
        if ((e.object.spec?.nodeName ?? '') !== '')
          this.#mark(`pod/${e.object.metadata?.name ?? ''}`);
      }
    })().catch(() => undefined);
  }

  #mark(key: string): void {
    if (!this.seen.has(key)) this.seen.set(key, Date.now());
  }

  close(): void {
    for (const s of this.#streams) s.close();
  }
}

export async function run(args: readonly string[]): Promise<void> {
  const tIdx = args.indexOf('--trials');
  const trials = tIdx >= 0 ? Number(args[tIdx + 1]) : 3;
  const samples = new Map<string, number[]>();
  const sample = (system: string, metric: string, ms: number): void => {
    const key = `${system}\u0000${metric}`;
    samples.set(key, [...(samples.get(key) ?? []), ms]);
    process.stderr.write(`  ${system} ${metric} = ${ms.toFixed(0)} ms\n`);
  };
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-failover-'));
  const cluster = await startEtcdCluster({ members: 3 });
  const api = await startApiServerProcess(cluster.endpoints);
  const client = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'), {
    component: 'bench',
  });
  const ac = new AbortController();
  const sightings = new Sightings();
  const all: ComponentProcess[] = [];
  try {
    // One Ready node for the pods to land on.
    const created = await client.create<Node>(
      { group: '', version: 'v1', plural: 'nodes' },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {} },
    );
    await client.update(
      { group: '', version: 'v1', plural: 'nodes', name: 'node-1', subresource: 'status' },
      {
        ...created,
        status: {
          allocatable: { cpu: '64', memory: '256Gi', pods: '500' },
          capacity: { cpu: '64', memory: '256Gi', pods: '500' },
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      },
    );
    await sightings.start(client, ac.signal);

    const start = (component: Component, setting: Setting): ComponentProcess => {
      const p = new ComponentProcess(
        component,
        api.kubeconfigPath,
        `${component}-${randomUUID()}`,
        component === 'controller-manager'
          ? [...flags(setting.timings), '--controllers=serviceaccount']
          : flags(setting.timings),
      );
      all.push(p);
      return p;
    };
    const holder = async (component: Component): Promise<string> =>
      (
        await client.get<Lease>({
          group: 'coordination.k8s.io',
          version: 'v1',
          plural: 'leases',
          namespace: 'kube-system',
          name: LEASE[component],
        })
      ).spec?.holderIdentity ?? '';
    const leaderAmong = (component: Component, ps: readonly ComponentProcess[]) =>
      until(
        `${component} leader`,
        async () => {
          const id = await holder(component);
          return ps.find((p) => p.identity === id && p.logged('started leading').length > 0);
        },
        60_000,
        50,
      );
    /** Creates what only a leader acts on; resolves with when a watch saw it done. */
    const provoke = (component: Component, tag: string): Promise<number> => {
      const key = component === 'controller-manager' ? `sa/${tag}` : `pod/${tag}`;
      const created =
        component === 'controller-manager'
          ? client.create(
              { group: '', version: 'v1', plural: 'namespaces' },
              { metadata: { name: tag } },
            )
          : client.create(
              { group: '', version: 'v1', plural: 'pods', namespace: 'default' },
              {
                metadata: { name: tag },
                spec: { containers: [{ name: 'c', image: 'pause' }] },
              },
            );
      return created.then(() =>
        until(`${key} done`, () => Promise.resolve(sightings.seen.get(key)), 120_000, 10),
      );
    };

    for (let trial = 1; trial <= trials; trial++) {
      for (const setting of SETTINGS) {
        process.stderr.write(`trial ${String(trial)}, ${setting.system}\n`);
        const pairs = COMPONENTS.map((c) => [start(c, setting), start(c, setting)] as const);
        const leaders = await Promise.all(COMPONENTS.map((c, i) => leaderAmong(c, pairs[i] ?? [])));
        const standbys = pairs.map(([a, b], i) => (a === leaders[i] ? b : a));
        for (const s of standbys) await s.waitFor('new leader elected', 60_000);
        // Let the leaders renew at least once, as a running cluster's would have.
        await new Promise((r) => setTimeout(r, setting.timings.retryPeriodMs * 2));

        // 1. SIGKILL: the standby waits for the lease to expire.
        const killedAt = Date.now();
        for (const l of leaders) l.kill('SIGKILL');
        const tag = `ft-${String(trial)}-${setting.system.startsWith('k8ts') ? 'k' : 'u'}`;
        const done = await Promise.all(COMPONENTS.map((c) => provoke(c, `${tag}-kill`)));
        for (const [i, c] of COMPONENTS.entries()) {
          const next = standbys[i];
          const took = next?.logged('started leading')[0]?.ts ?? Number.NaN;
          sample(setting.system, `${c}_sigkill_to_lease_taken`, took - killedAt);
          sample(
            setting.system,
            `${c}_sigkill_to_${ACTION[c]}`,
            (done[i] ?? Number.NaN) - killedAt,
          );
        }

        // 2. Graceful stop: the leader releases the lease, a third candidate takes it at once.
        const thirds = COMPONENTS.map((c) => start(c, setting));
        for (const t of thirds) await t.waitFor('new leader elected', 60_000);
        const stoppedAt = Date.now();
        for (const s of standbys) s.kill('SIGTERM');
        const released = await Promise.all(COMPONENTS.map((c) => provoke(c, `${tag}-term`)));
        for (const [i, c] of COMPONENTS.entries())
          sample(
            setting.system,
            `${c}_sigterm_to_${ACTION[c]}`,
            (released[i] ?? Number.NaN) - stoppedAt,
          );

        await Promise.all(all.map((p) => p.stop(5_000)));
        all.length = 0;
      }
    }

    const rows: BenchRow[] = [];
    for (const [key, values] of samples) {
      const [system = '', metric = ''] = key.split('\u0000');
      rows.push({ system, metric: `${metric}_p50`, value: percentile(values, 50), unit: 'ms' });
      rows.push({ system, metric: `${metric}_max`, value: Math.max(...values), unit: 'ms' });
    }
    process.stdout.write(
      `${formatTable(rows, [{ system: SETTINGS[0]?.system ?? '', reference: SETTINGS[1]?.system ?? '' }])}\n`,
    );
    process.stdout.write(`wrote ${writeResult('failover', rows)}\n`);
  } finally {
    ac.abort();
    sightings.close();
    await Promise.all(all.map((p) => p.stop(5_000)));
    client.close();
    await api.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
