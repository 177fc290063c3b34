/**
 * Faults on a real containerd, each ending in upstream's state and reason: an image that does
 * not exist (ErrImagePull, then ImagePullBackOff), a command that does not exist (StartError
 * exit 128, RunContainerError/CrashLoopBackOff), a container over its memory limit (OOMKilled),
 * a liveness probe that times out (Unhealthy, restart), containerd restarting under running pods
 * (they keep running, same containers), and the agent restarting (it adopts running pods,
 * finishes a pod deleted while it was down, removes a force-deleted pod's containers, starts a
 * new pod). Afterwards nothing is left: no sandboxes, containers, mounts, cgroups, IPs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Event as CoreEvent, Pod, PodSpec } from 'kubernetes-types/core/v1.d.ts';
import { Agent } from '../../src/agent/agent.ts';
import { agentPaths } from '../../src/agent/agent-paths.ts';
import { GrpcCriClient } from '../../src/agent/cri/grpc-cri-client.ts';
import { RestClient } from '../../src/client/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { BUSYBOX_IMAGE, NO_LEFTOVERS, startContainerdNode } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';
import { until } from '../harness/until.ts';

const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };
const EVENTS = { group: '', version: 'v1', plural: 'events', namespace: 'default' };
const NODE = 'f1';

function pod(name: string, spec: Partial<PodSpec> & Pick<PodSpec, 'containers'>): Pod {
  return {
    metadata: { name },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, ...spec },
  };
}

const sleeper = (name: string): Pod =>
  pod(name, { containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] });

describe('agent faults on real containerd', () => {
  let api: ApiServerFixture;
  let node: ContainerdNode;
  let client: RestClient;
  let runtime: GrpcCriClient;
  let agentStop = new AbortController();
  let agentRun: Promise<void> = Promise.resolve();

  const startAgent = (): void => {
    agentStop = new AbortController();
    const agent = new Agent({
      client,
      runtime,
      paths: agentPaths(node.rootfs),
      nodeName: NODE,
      nodeIp: '127.0.0.1',
      cgroupDriver: 'cgroupfs',
      cgroupRoot: node.cgroupRoot,
      bridge: node.bridge,
      podCidr: node.podCidr,
      crashLoopBackoffMs: { initial: 1_000, max: 4_000 },
      log: () => undefined,
    });
    agentRun = agent.run(agentStop.signal);
  };

  const getPod = (name: string): Promise<Pod> => client.get<Pod>({ ...PODS, name });
  const status0 = async (name: string) => (await getPod(name)).status?.containerStatuses?.[0];
  const events = async (name: string): Promise<CoreEvent[]> =>
    (await client.list<CoreEvent>(EVENTS)).items.filter((e) => e.involvedObject.name === name);

  before(async () => {
    [api, node] = await Promise.all([
      startApiServerFixture(new MemoryStore()),
      startContainerdNode({ name: 'faults' }),
    ]);
    client = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'));
    runtime = new GrpcCriClient({ endpoint: node.endpoint });
    startAgent();
  });

  after(async () => {
    agentStop.abort();
    await agentRun;
    runtime.close();
    client.close();
    await Promise.all([node.stop(), api.stop()]);
  });

  it('an image that does not exist: ErrImagePull, then ImagePullBackOff', async () => {
    // Every status the agent writes is recorded from a watch (a poll could miss a short one).
    // The agent's own ErrImagePull write must not sync the pod again at once: the back-off
    // sync comes about a second later, so ErrImagePull is what a user sees for that second.
    const from = (await client.list<Pod>(PODS)).metadata.resourceVersion;
    const ac = new AbortController();
    const timer = setTimeout(() => {
      ac.abort();
    }, 30_000);
    const watch = await client.watch<Pod>(PODS, {
      fieldSelector: 'metadata.name=no-image',
      resourceVersion: from,
      signal: ac.signal,
    });
    await client.create(
      PODS,
      pod('no-image', { containers: [{ name: 'c', image: 'localhost/k8ts/does-not-exist:1' }] }),
    );
    const seen: { reason: string; message: string; atMs: number }[] = [];
    try {
      for await (const e of watch) {
        if (e.type === 'ERROR') assert.fail(e.error.message);
        const waiting = e.object.status?.containerStatuses?.[0]?.state?.waiting;
        const reason = waiting?.reason ?? '';
        if (reason !== '' && seen.at(-1)?.reason !== reason)
          seen.push({ reason, message: waiting?.message ?? '', atMs: Date.now() });
        if (reason === 'ImagePullBackOff') break;
      }
    } finally {
      clearTimeout(timer);
      watch.close();
    }
    const reasons = seen.map((s) => s.reason);
    const pulled = seen.find((s) => s.reason === 'ErrImagePull');
    const backOff = seen.find((s) => s.reason === 'ImagePullBackOff');
    assert.ok(pulled !== undefined && backOff !== undefined, `waiting reasons: ${reasons.join()}`);
    assert.deepEqual(reasons.slice(-2), ['ErrImagePull', 'ImagePullBackOff']);
    assert.match(
      pulled.message,
      /^Failed to pull image "localhost\/k8ts\/does-not-exist:1": rpc error: code = \w+ desc = failed to pull and unpack image/,
    );
    assert.equal(backOff.message, 'Back-off pulling image "localhost/k8ts/does-not-exist:1"');
    const errImagePullMs = backOff.atMs - pulled.atMs;
    assert.ok(errImagePullMs >= 500, `ErrImagePull lasted only ${String(errImagePullMs)} ms`);
    assert.equal((await getPod('no-image')).status?.phase, 'Pending');
    // Events are recorded asynchronously: wait for them rather than read them once.
    await until('events Pulling, Failed and BackOff', async () => {
      const r = new Set((await events('no-image')).map((e) => e.reason));
      return ['Pulling', 'Failed', 'BackOff'].every((x) => r.has(x)) ? true : undefined;
    });
  });

  it('a command that does not exist: StartError exit 128, then a crash loop', async () => {
    await client.create(
      PODS,
      pod('no-command', {
        containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['/no/such/binary'] }],
      }),
    );
    const cs = await until('StartError reported', async () => {
      const s = await status0('no-command');
      const t = s?.lastState?.terminated ?? s?.state?.terminated;
      return t?.reason === 'StartError' ? s : undefined;
    });
    const t = (cs.lastState?.terminated ?? cs.state?.terminated)!;
    const waiting = cs.state?.waiting?.reason ?? '';
    assert.equal(t.exitCode, 128);
    assert.match(t.message ?? '', /no such file or directory/);
    assert.ok(['RunContainerError', 'CrashLoopBackOff'].includes(waiting), waiting);
  });

  it('a container over its memory limit is OOMKilled', async () => {
    await client.create(
      PODS,
      pod('oom', {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'c',
            image: BUSYBOX_IMAGE,
            command: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\000" a); echo survived'],
            resources: { limits: { memory: '32Mi' } },
          },
        ],
      }),
    );
    const p = await until(
      'oom pod Failed',
      async () => {
        const x = await getPod('oom');
        return x.status?.phase === 'Failed' ? x : undefined;
      },
      30_000,
    );
    const t = p.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(t?.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
  });

  it('a liveness probe that times out restarts the container, with Unhealthy events', async () => {
    await client.create(
      PODS,
      pod('slow-probe', {
        containers: [
          {
            name: 'c',
            image: BUSYBOX_IMAGE,
            command: ['sleep', '3600'],
            livenessProbe: {
              exec: { command: ['sleep', '5'] },
              timeoutSeconds: 1,
              periodSeconds: 1,
              failureThreshold: 1,
            },
          },
        ],
      }),
    );
    const restarted = await until(
      'restarted by liveness',
      async () => {
        const cs = await status0('slow-probe');
        return (cs?.restartCount ?? 0) >= 1 ? cs : undefined;
      },
      40_000,
    );
    assert.ok(restarted.lastState?.terminated !== undefined);
    const unhealthy = (await events('slow-probe')).filter((e) => e.reason === 'Unhealthy');
    assert.ok(
      unhealthy.some((e) => (e.message ?? '').startsWith('Liveness probe failed:')),
      JSON.stringify(unhealthy.map((e) => e.message)),
    );
    const killing = (await events('slow-probe')).filter((e) => e.reason === 'Killing');
    assert.ok(
      killing.some((e) => (e.message ?? '').includes('failed liveness probe, will be restarted')),
    );
  });

  it('survives a containerd restart: running pods keep their containers', async () => {
    await client.create(PODS, sleeper('steady'));
    const before = await until('steady running', async () => {
      const cs = await status0('steady');
      return cs?.state?.running !== undefined ? cs : undefined;
    });
    await node.stopProcess();
    await new Promise((r) => setTimeout(r, 1_500));
    await node.startProcess();
    await new Promise((r) => setTimeout(r, 3_000));
    const after = (await status0('steady'))!;
    assert.equal(after.containerID, before.containerID);
    assert.equal(after.restartCount, 0);
    assert.ok(after.state?.running !== undefined);
    assert.equal((await getPod('steady')).status?.phase, 'Running');
  });

  it('survives an agent restart: adopts running pods, finishes deleted ones, starts new ones', async () => {
    await client.create(PODS, sleeper('doomed'));
    await client.create(PODS, sleeper('forced'));
    for (const n of ['doomed', 'forced'])
      await until(`${n} running`, async () =>
        (await status0(n))?.state?.running !== undefined ? true : undefined,
      );
    const steadyBefore = await status0('steady');
    const forcedUid = (await getPod('forced')).metadata?.uid ?? '';
    agentStop.abort();
    await agentRun;
    await client.delete({ ...PODS, name: 'doomed' }); // graceful: waits for the agent
    await client.delete({ ...PODS, name: 'forced' }, { gracePeriodSeconds: 0 }); // gone at once
    await client.create(PODS, sleeper('newcomer'));
    startAgent();
    await until(
      'doomed finished and deleted',
      async () => {
        const l = await client.list<Pod>(PODS);
        return l.items.some((p) => p.metadata?.name === 'doomed') ? undefined : true;
      },
      30_000,
    );
    await until(
      'forced pod containers removed',
      async () => {
        const left = await runtime.listContainers({
          label_selector: { 'io.kubernetes.pod.uid': forcedUid },
        });
        return left.length === 0 ? true : undefined;
      },
      30_000,
    );
    await until('newcomer running', async () =>
      (await status0('newcomer'))?.state?.running !== undefined ? true : undefined,
    );
    const steadyAfter = await status0('steady');
    assert.equal(steadyAfter?.containerID, steadyBefore?.containerID, 'adopted, not restarted');
    assert.equal(steadyAfter?.restartCount, 0);
  });

  it('leaves nothing behind once every pod is deleted', async () => {
    for (const p of (await client.list<Pod>(PODS)).items)
      await client.delete({ ...PODS, name: p.metadata?.name ?? '' });
    await until(
      'all pods gone',
      async () => ((await client.list<Pod>(PODS)).items.length === 0 ? true : undefined),
      60_000,
    );
    assert.deepEqual(await node.settledLeftovers(), NO_LEFTOVERS);
  });
});
