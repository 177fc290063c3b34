/**
 * The scheduler against a real in-process API server: three Ready nodes, one a tainted
 * control-plane node; a workload's replicas spread over the two workers; a pod too big for any
 * node gets FailedScheduling with upstream's message and PodScheduled=False, and schedules once
 * a node that fits is added; a pod for another scheduler is left alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Event as CoreEvent, Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../../src/client/index.ts';
import { Scheduler } from '../../src/scheduler/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const NODES = { group: '', version: 'v1', plural: 'nodes' };
const pods = (namespace = 'default') => ({ group: '', version: 'v1', plural: 'pods', namespace });
const events = { group: '', version: 'v1', plural: 'events', namespace: 'default' };

function newNode(name: string, cpu: string, taints: Node['spec'] = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: taints,
    status: {
      allocatable: { cpu, memory: '8Gi', pods: '110' },
      capacity: { cpu, memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function newPod(name: string, cpu: string, extra: Partial<Pod['spec']> = {}, owner = true): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { app: 'web' },
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'web-1',
                uid: 'rs-uid-1',
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }],
      ...extra,
    },
  };
}

describe('scheduler e2e', () => {
  let fixture: ApiServerFixture;
  let client: RestClient;
  const ac = new AbortController();
  let running: Promise<void>;

  before(async () => {
    fixture = await startApiServerFixture(new MemoryStore());
    client = RestClient.fromKubeconfig(readFileSync(fixture.kubeconfigPath, 'utf8'), {
      component: 'scheduler-e2e',
    });
    // Status is a subresource: create, then write status.
    for (const node of [
      newNode('cp-1', '4', {
        taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      }),
      newNode('worker-1', '2'),
      newNode('worker-2', '2'),
    ]) {
      const created = await client.create(NODES, node);
      await client.update({ ...NODES, name: node.metadata?.name ?? '', subresource: 'status' }, {
        ...created,
        status: node.status,
      } as Node);
    }
    const scheduler = new Scheduler({ client, log: () => undefined });
    running = scheduler.run(ac.signal);
  });

  after(async () => {
    ac.abort();
    await running;
    client.close();
    await fixture.stop();
  });

  it('spreads a workload over the workers, never onto the tainted control plane', async () => {
    for (let i = 0; i < 6; i++) await client.create(pods(), newPod(`web-${i}`, '100m'));
    const placed = await until('6 pods bound', async () => {
      const list = await client.list<Pod>(pods());
      const bound = list.items.filter(
        (p) => p.metadata?.name?.startsWith('web-') && (p.spec?.nodeName ?? '') !== '',
      );
      return bound.length === 6 ? bound.map((p) => p.spec?.nodeName ?? '') : undefined;
    });
    assert.equal(placed.filter((n) => n === 'cp-1').length, 0);
    assert.equal(placed.filter((n) => n === 'worker-1').length, 3);
    assert.equal(placed.filter((n) => n === 'worker-2').length, 3);
    const scheduled = await until('Scheduled event', async () => {
      const list = await client.list<CoreEvent>(events);
      return list.items.find((e) => e.reason === 'Scheduled' && e.involvedObject.name === 'web-0');
    });
    assert.match(scheduled.message ?? '', /^Successfully assigned default\/web-0 to worker-[12]$/);
  });

  it('reports an unschedulable pod as upstream does, and schedules it once a node fits', async () => {
    await client.create(pods(), newPod('big', '3', {}, false));
    const ev = await until('FailedScheduling event', async () => {
      const list = await client.list<CoreEvent>(events);
      return list.items.find(
        (e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'big',
      );
    });
    assert.equal(ev.type, 'Warning');
    assert.equal(
      ev.message,
      '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
    const cond = await until('PodScheduled=False', async () => {
      const pod = await client.get<Pod>({ ...pods(), name: 'big' });
      return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    assert.equal(cond.reason, 'Unschedulable');
    const created = await client.create(NODES, newNode('worker-3', '4'));
    await client.update({ ...NODES, name: 'worker-3', subresource: 'status' }, {
      ...created,
      status: newNode('worker-3', '4').status,
    } as Node);
    const node = await until('big bound', async () => {
      const pod = await client.get<Pod>({ ...pods(), name: 'big' });
      return pod.spec?.nodeName === '' ? undefined : pod.spec?.nodeName;
    });
    assert.equal(node, 'worker-3');
  });

  it('leaves pods of other schedulers alone', async () => {
    await client.create(pods(), newPod('other', '10m', { schedulerName: 'my-scheduler' }, false));
    await new Promise((r) => setTimeout(r, 1_000));
    const pod = await client.get<Pod>({ ...pods(), name: 'other' });
    assert.equal(pod.spec?.nodeName, undefined);
  });
});
