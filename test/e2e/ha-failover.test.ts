/**
 * Active/passive control plane on a real 3-member etcd: two `k8ts controller-manager` and two
 * `k8ts scheduler` processes (real processes, each reaching the API server through its own
 * loopback forwarder), fake Ready nodes from a FakeKubelet, and a Deployment.
 *  1. kill -9 both leaders: the passive ones take the Leases, and a Deployment scaled after the
 *     kill converges (replicas created, scheduled and Ready).
 *  2. partition both (new) leaders from the API (their forwarders stop passing bytes): each
 *     stops acting before the standby starts, proven from the processes' own logs — the old
 *     leader's "stopped leading" precedes the new one's "started leading", no write request of
 *     the old leader was sent after its renew deadline (its `--v=6` request lines), and the
 *     standby waited a whole lease duration after the last renew. The partitioned scheduler
 *     exits 1, as kube-scheduler does.
 * k8ts's default timings (4 s / 2.5 s / 0.4 s). Every process is stopped by PID.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../../src/client/index.ts';
import { LEADER_ELECTION_DEFAULTS } from '../../src/client/leader-election/index.ts';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { ComponentProcess } from '../harness/component-process.ts';
import type { Component, LogLine } from '../harness/component-process.ts';
import { startEtcdCluster } from '../harness/etcd-cluster.ts';
import type { EtcdCluster } from '../harness/etcd-cluster.ts';
import { FakeKubelet } from '../harness/fake-kubelet.ts';
import { kubeconfigWithServer, startFreezableProxy } from '../harness/freezable-proxy.ts';
import type { FreezableProxy } from '../harness/freezable-proxy.ts';
import { until } from '../harness/until.ts';

const T = LEADER_ELECTION_DEFAULTS;
const LEASE_NAME: Record<Component, string> = {
  'controller-manager': 'kube-controller-manager',
  scheduler: 'kube-scheduler',
};
const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments', namespace: 'default' };
const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };
const LEASES = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespace: 'kube-system',
};

/** A component process behind its own forwarder, so that it alone can be partitioned. */
interface Member {
  readonly process: ComponentProcess;
  readonly proxy: FreezableProxy;
}

describe('HA failover: controller-manager and scheduler', () => {
  let cluster: EtcdCluster;
  let fixture: ApiServerFixture;
  let client: RestClient;
  let dir: string;
  const members: Member[] = [];
  const stop = new AbortController();
  let kubelet: Promise<void> | undefined;

  async function startMember(component: Component, name: string): Promise<Member> {
    const proxy = await startFreezableProxy(Number(new URL(fixture.url).port));
    const kubeconfig = kubeconfigWithServer(
      fixture.kubeconfigPath,
      `https://127.0.0.1:${String(proxy.port)}`,
      join(dir, `${name}.conf`),
    );
    const process = new ComponentProcess(component, kubeconfig, `${name}_${randomUUID()}`, [
      '--v=6',
    ]);
    const m = { process, proxy };
    members.push(m);
    return m;
  }

  const holder = async (component: Component): Promise<string> => {
    const lease = await client.get<Lease>({ ...LEASES, name: LEASE_NAME[component] });
    return lease.spec?.holderIdentity ?? '';
  };

  /** The member holding the component's Lease once it logged "started leading". */
  async function leaderOf(component: Component, candidates: readonly Member[]): Promise<Member> {
    return until(
      `a ${component} leader`,
      async () => {
        const id = await holder(component);
        const m = candidates.find((c) => c.process.identity === id);
        return m !== undefined && m.process.logged('started leading').length > 0 ? m : undefined;
      },
      30_000,
      100,
    );
  }

  async function scale(replicas: number): Promise<void> {
    await client.patch(
      { ...DEPLOYMENTS, name: 'web', subresource: 'scale' },
      { spec: { replicas } },
      { type: 'merge' },
    );
  }

  /** Waits until `replicas` pods of web are bound and the Deployment reports them Ready. */
  async function converged(replicas: number, timeoutMs: number): Promise<void> {
    await until(
      `web at ${String(replicas)} ready replicas`,
      async () => {
        const d = await client.get<Deployment>({ ...DEPLOYMENTS, name: 'web' });
        const pods = (await client.list<Pod>(PODS, { labelSelector: 'app=web' })).items.filter(
          (p) => p.metadata?.deletionTimestamp === undefined,
        );
        const bound = pods.filter((p) => (p.spec?.nodeName ?? '') !== '').length;
        return d.status?.readyReplicas === replicas &&
          pods.length === replicas &&
          bound === replicas
          ? true
          : undefined;
      },
      timeoutMs,
      100,
    );
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-ha-'));
    cluster = await startEtcdCluster({ members: 3 });
    fixture = await startApiServerFixture(new EtcdStore({ endpoints: cluster.endpoints }));
    client = RestClient.fromKubeconfig(readFileSync(fixture.kubeconfigPath, 'utf8'), {
      component: 'ha-e2e',
    });
    const fake = new FakeKubelet({ client, nodes: ['node-a', 'node-b', 'node-c'] });
    await fake.register();
    kubelet = fake.run(stop.signal);
  });

  after(async () => {
    await Promise.all(members.map((m) => m.process.stop(2_000)));
    for (const m of members) await m.proxy.close();
    stop.abort();
    await kubelet;
    client.close();
    await fixture.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 the leaders: the passive ones take over and a Deployment scaled after converges', async (t) => {
    const cms = [
      await startMember('controller-manager', 'cm-a'),
      await startMember('controller-manager', 'cm-b'),
    ];
    const scheds = [await startMember('scheduler', 's-a'), await startMember('scheduler', 's-b')];
    const cmLeader = await leaderOf('controller-manager', cms);
    const schedLeader = await leaderOf('scheduler', scheds);
    await client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'c', image: 'nginx:1', resources: { requests: { cpu: '100m' } } }],
          },
        },
      },
    });
    await converged(2, 30_000);

    const killedAt = Date.now();
    cmLeader.process.kill('SIGKILL');
    schedLeader.process.kill('SIGKILL');
    await scale(4);
    const cmNext = await leaderOf(
      'controller-manager',
      cms.filter((m) => m !== cmLeader),
    );
    const schedNext = await leaderOf(
      'scheduler',
      scheds.filter((m) => m !== schedLeader),
    );
    await converged(4, 30_000);
    for (const next of [cmNext, schedNext]) {
      const started = next.process.logged('started leading').at(-1)?.ts ?? Infinity;
      t.diagnostic(
        `${next.process.component}: ${next.process.identity} started leading ${String(started - killedAt)} ms after the kill`,
      );
      // A whole lease duration at least (the killed one renewed just before), and well within
      // lease + two jittered polls + slack for a loaded machine.
      assert.ok(started - killedAt >= T.leaseDurationMs - T.retryPeriodMs * 2.2 - 100);
      assert.ok(
        started - killedAt < T.leaseDurationMs + 8_000,
        `took ${String(started - killedAt)} ms`,
      );
    }
    assert.equal(await cmLeader.process.exited, null, 'killed by the signal');
  });

  it('a partitioned leader stops acting before the standby starts (from the processes’ logs)', async (t) => {
    const leaders = await Promise.all(
      (['controller-manager', 'scheduler'] as const).map((c) =>
        leaderOf(
          c,
          members.filter((m) => m.process.component === c && m.process.running),
        ),
      ),
    );
    const standbys = [
      await startMember('controller-manager', 'cm-c'),
      await startMember('scheduler', 's-c'),
    ];
    for (const s of standbys) await s.process.waitFor('new leader elected', 30_000);

    // Give the leaders work, then cut them off while they do it.
    await scale(7);
    await new Promise((r) => setTimeout(r, 150));
    for (const l of leaders) l.proxy.freeze();

    for (const [i, old] of leaders.entries()) {
      const next = standbys[i];
      assert.ok(next !== undefined);
      const component = old.process.component;
      const started = await next.process.waitFor('started leading', 30_000);
      const stopped = await old.process.waitFor('stopped leading', 10_000);
      const lines = old.process.lines;
      const renews = requests(lines).filter(
        (r) =>
          r.sent &&
          r.method === 'PUT' &&
          r.path.includes(`/leases/${LEASE_NAME[component]}`) &&
          r.status === 200,
      );
      const lastRenew = Math.max(...renews.map((r) => r.startedAtMs));
      const deadline = lastRenew + T.renewDeadlineMs;
      const writesAfter = requests(lines).filter(
        (r) => r.sent && r.method !== 'GET' && r.startedAtMs > deadline,
      );
      const context = `${component}: last renew ${String(lastRenew)}, stopped ${String(stopped.ts)}, standby started ${String(started.ts)}`;
      const inFlight = requests(lines).filter(
        (r) => r.method !== 'GET' && r.startedAtMs <= deadline && r.startedAtMs >= lastRenew,
      ).length;
      const refused = requests(lines).filter((r) => !r.sent).length;
      t.diagnostic(
        `${component}: stopped ${String(stopped.ts - lastRenew)} ms after the last renew (deadline ${String(T.renewDeadlineMs)}), standby started ${String(started.ts - lastRenew)} ms after it (lease ${String(T.leaseDurationMs)}); writes sent since the last renew ${String(inFlight)}, refused after the term ${String(refused)}`,
      );
      assert.ok(stopped.ts < started.ts, `stopped before the standby started; ${context}`);
      assert.deepEqual(writesAfter, [], `no write sent after the renew deadline; ${context}`);
      assert.ok(stopped.ts <= deadline + 1_000, `stopped at its renew deadline; ${context}`);
      assert.ok(started.ts >= lastRenew + T.leaseDurationMs, `a whole lease later; ${context}`);
      assert.equal(await holder(component), next.process.identity);
    }
    const oldScheduler = leaders[1];
    assert.ok(oldScheduler !== undefined);
    assert.equal(await oldScheduler.process.exited, 1, 'kube-scheduler exits on a lost lease');
    await converged(7, 30_000);
  });
});

interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly sent: boolean;
  readonly startedAtMs: number;
}

function requests(lines: readonly LogLine[]): RequestLine[] {
  return lines.filter((l) => l.msg === 'request') as unknown as RequestLine[];
}
