/**
 * The workload controllers as `k8ts controller-manager` runs them (the real ControllerManager
 * with its built-in controllers, and the real scheduler) against a real in-process API server,
 * with no node agent: a FakeKubelet registers fake nodes, renews their Leases and marks pods
 * bound to them Running and Ready. Real kubectl drives and reads rollouts. Every wait is
 * bounded; all traffic stays on 127.0.0.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../../src/client/index.ts';
import { ControllerManager } from '../../src/controllers/controller-manager.ts';
import { RESOURCES } from '../../src/controllers/controller.ts';
import { Scheduler } from '../../src/scheduler/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { FakeKubelet } from '../harness/fake-kubelet.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

const log = (level: string, message: string, fields?: Record<string, unknown>): void => {
  if (process.env['K8TS_TEST_LOG'] === '1')
    process.stderr.write(`${level} ${message} ${JSON.stringify(fields ?? {})}\n`);
};

function deployment(name: string, replicas: number, image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image }] },
      },
    },
  };
}

describe('workload controllers (controller-manager + scheduler, fake kubelets)', () => {
  let fixture: ApiServerFixture;
  let client: RestClient;
  let kubelet: FakeKubelet;
  const stop = new AbortController();
  const running: Promise<unknown>[] = [];

  before(async () => {
    fixture = await startApiServerFixture(new MemoryStore());
    client = RestClient.fromKubeconfig(readFileSync(fixture.kubeconfigPath, 'utf8'), {
      component: 'workloads-e2e',
    });
    kubelet = new FakeKubelet({ client, nodes: ['node-a', 'node-b', 'node-c'] });
    await kubelet.register();
    running.push(kubelet.run(stop.signal));
    const manager = new ControllerManager({
      client,
      identity: 'e2e',
      leaderElect: false,
      log,
    });
    running.push(manager.run(stop.signal));
    running.push(new Scheduler({ client, log: () => undefined }).run(stop.signal));
  });

  after(async () => {
    stop.abort();
    await Promise.all(running);
    client.close();
    await fixture.stop();
  });

  const podsOf = async (app: string): Promise<Pod[]> =>
    (
      await client.list<Pod>(
        { ...RESOURCES.pods, namespace: 'default' },
        {
          labelSelector: `app=${app}`,
        },
      )
    ).items;

  it('rolls out a Deployment; kubectl rollout status succeeds', async () => {
    await client.create(
      { ...RESOURCES.deployments, namespace: 'default' },
      deployment('web', 3, 'nginx:1'),
    );
    for (const v of ['1.27', '1.33']) {
      if (!hasKubectl(v)) continue;
      const res = await kubectl(
        v,
        fixture.kubeconfigPath,
        ['rollout', 'status', 'deployment/web', '--timeout=30s'],
        undefined,
        40_000,
      );
      assert.equal(res.code, 0, `${v}: ${res.stderr}`);
      assert.match(res.stdout, /deployment "web" successfully rolled out/);
    }
    const pods = await podsOf('web');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => (p.spec?.nodeName ?? '') !== ''));
    const d = await until('deployment status', async () => {
      const x = await client.get<Deployment>({
        ...RESOURCES.deployments,
        namespace: 'default',
        name: 'web',
      });
      return x.status?.availableReplicas === 3 ? x : undefined;
    });
    const byType = new Map((d.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(byType.get('Available')?.status, 'True');
    assert.equal(byType.get('Progressing')?.reason, 'NewReplicaSetAvailable');
  });
});
