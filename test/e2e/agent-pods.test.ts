/**
 * Pods on real containerd through two node agents (in process, each with its own containerd,
 * CNI bridge and cgroup tree), with the real API server, controller manager and scheduler: a
 * Deployment of 3 busybox httpd replicas becomes Running and Ready on both nodes and every
 * replica answers on its pod IP, asked from a network namespace the test plugs into a node's
 * bridge; a crashing container reaches CrashLoopBackOff with growing restarts (upstream's 10 s
 * backoff); deleting everything leaves nothing behind on either node (CRI sandboxes and
 * containers, IP allocations, mounts, cgroups, libcni cache files).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Deployment } from 'kubernetes-types/apps/v1.d.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { Agent } from '../../src/agent/agent.ts';
import { agentPaths } from '../../src/agent/agent-paths.ts';
import { GrpcCriClient } from '../../src/agent/cri/grpc-cri-client.ts';
import { RestClient } from '../../src/client/index.ts';
import { ControllerManager } from '../../src/controllers/controller-manager.ts';
import { Scheduler } from '../../src/scheduler/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { bridgeNetns } from '../harness/bridge-netns.ts';
import type { BridgeNetns } from '../harness/bridge-netns.ts';
import { BUSYBOX_IMAGE, NO_LEFTOVERS, startContainerdNode } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';
import { until } from '../harness/until.ts';

const quiet = (): void => undefined;
const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };
const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments', namespace: 'default' };

const web: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name: 'httpd',
            image: BUSYBOX_IMAGE,
            command: [
              'sh',
              '-c',
              'mkdir -p /www && echo "hello from $POD" > /www/index.html && exec httpd -f -p 8080 -h /www',
            ],
            env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            ports: [{ containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
          },
        ],
      },
    },
  },
};

describe('node agents run pods on real containerd', () => {
  let api: ApiServerFixture;
  let client: RestClient;
  const nodes: ContainerdNode[] = [];
  const runtimes: GrpcCriClient[] = [];
  let netns: BridgeNetns | undefined;
  const stop = new AbortController();
  const running: Promise<unknown>[] = [];

  before(async () => {
    const [fixture, n1, n2] = await Promise.all([
      startApiServerFixture(new MemoryStore()),
      startContainerdNode({ name: 'w1', writeCniConfig: false }),
      startContainerdNode({ name: 'w2', writeCniConfig: false }),
    ]);
    api = fixture;
    nodes.push(n1, n2);
    client = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'), {
      component: 'agent-pods-e2e',
    });
    nodes.forEach((n, i) => {
      const runtime = new GrpcCriClient({ endpoint: n.endpoint });
      runtimes.push(runtime);
      const agent = new Agent({
        client: RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'), {
          component: 'kubelet',
        }),
        runtime,
        paths: agentPaths(n.rootfs),
        nodeName: `w${String(i + 1)}`,
        nodeIp: '127.0.0.1',
        cgroupDriver: 'cgroupfs',
        cgroupRoot: n.cgroupRoot,
        bridge: n.bridge,
        podCidr: n.podCidr,
        log: quiet,
      });
      running.push(agent.run(stop.signal));
    });
    running.push(
      new ControllerManager({ client, identity: 'e2e', leaderElect: false, log: quiet }).run(
        stop.signal,
      ),
    );
    running.push(new Scheduler({ client, log: quiet }).run(stop.signal));
    for (const name of ['w1', 'w2'])
      await until(
        `${name} Ready`,
        async () => {
          const n = await client.get<Node>({ group: '', version: 'v1', plural: 'nodes', name });
          return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
            ? n
            : undefined;
        },
        30_000,
      );
  });

  after(async () => {
    stop.abort();
    await Promise.all(running);
    for (const r of runtimes) r.close();
    client.close();
    await netns?.remove();
    await Promise.all([...nodes.map((n) => n.stop()), api.stop()]);
  });

  it('runs a Deployment of 3 httpd replicas on both nodes, Ready and answering on their pod IPs', async () => {
    await client.create(DEPLOYMENTS, web);
    const pods = await until(
      '3 Running and Ready replicas',
      async () => {
        const list = await client.list<Pod>(PODS, { labelSelector: 'app=web' });
        const ready = list.items.filter(
          (p) =>
            p.status?.phase === 'Running' &&
            p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
        );
        return ready.length === 3 ? ready : undefined;
      },
      60_000,
    );
    assert.deepEqual(
      new Set(pods.map((p) => p.spec?.nodeName)),
      new Set(['w1', 'w2']),
      'spread over both nodes',
    );
    // The bridge exists once a pod joined it (the CNI bridge plugin creates it).
    netns = await bridgeNetns(nodes[0]!.bridge, nodes[0]!.podCidr);
    for (const p of pods) {
      const status = p.status!;
      const ip = status.podIP ?? '';
      const cidr = nodes[p.spec?.nodeName === 'w1' ? 0 : 1]!.podCidr;
      assert.ok(ip.startsWith(cidr.replace(/0\/24$/, '')), `${ip} in ${cidr}`);
      assert.equal(status.qosClass, 'BestEffort');
      const cs = status.containerStatuses![0]!;
      assert.equal(cs.restartCount, 0);
      assert.match(cs.containerID ?? '', /^containerd:\/\//);
      assert.deepEqual(status.conditions?.map((c) => `${c.type}=${c.status}`).sort(), [
        'ContainersReady=True',
        'Initialized=True',
        'PodReadyToStartContainers=True',
        'PodScheduled=True',
        'Ready=True',
      ]);
      const { stdout } = await netns.exec(['wget', '-qO-', '-T', '3', `http://${ip}:8080/`]);
      assert.equal(stdout.trim(), `hello from ${p.metadata?.name ?? ''}`);
    }
  });

  it('backs a crashing container off: CrashLoopBackOff with growing restarts', async () => {
    await client.create(PODS, {
      metadata: { name: 'crasher' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'c', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo bye; exit 3'] },
        ],
      },
    });
    const first = await until(
      'CrashLoopBackOff',
      async () => {
        const p = await client.get<Pod>({ ...PODS, name: 'crasher' });
        const cs = p.status?.containerStatuses?.[0];
        return cs?.state?.waiting?.reason === 'CrashLoopBackOff' ? cs : undefined;
      },
      30_000,
    );
    assert.match(
      first.state?.waiting?.message ?? '',
      /^back-off 10s restarting failed container=c pod=crasher_default\(/,
    );
    const lastTerminated = first.lastState?.terminated;
    assert.equal(lastTerminated?.exitCode, 3);
    assert.equal(lastTerminated.reason, 'Error');
    const later = await until(
      'a restart after the backoff',
      async () => {
        const p = await client.get<Pod>({ ...PODS, name: 'crasher' });
        const cs = p.status?.containerStatuses?.[0];
        return (cs?.restartCount ?? 0) > first.restartCount &&
          cs?.state?.waiting?.reason === 'CrashLoopBackOff'
          ? cs
          : undefined;
      },
      40_000,
    );
    assert.match(
      later.state?.waiting?.message ?? '',
      /^back-off 20s restarting failed container=c/,
    );
  });

  it('leaves nothing behind once the Deployment and the pods are deleted', async () => {
    await client.delete({ ...DEPLOYMENTS, name: 'web' }, { propagationPolicy: 'Background' });
    await client.delete({ ...PODS, name: 'crasher' });
    await until(
      'all pods gone',
      async () => {
        const list = await client.list<Pod>(PODS);
        return list.items.length === 0 ? true : undefined;
      },
      60_000,
    );
    for (const n of nodes)
      assert.deepEqual(await n.settledLeftovers(), NO_LEFTOVERS, `${n.name} clean`);
  });
});
