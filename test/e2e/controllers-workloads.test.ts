/**
 * The workload and node controllers as shipped: a real `k8ts controller-manager` process
 * (leader-elected, each controller under its own service account against RBAC, with
 * --node-monitor-grace-period, --allocate-node-cidrs, ...) and the real scheduler against a real
 * API server (its DefaultTolerationSeconds admission set to 2 s), with
 * no node agent: a FakeKubelet registers three nodes, renews their Leases and marks pods bound
 * to them Running/Ready; the test finishes Job pods itself. Real kubectl 1.27 and 1.33 drive
 * and read rollouts. Every wait is bounded; all traffic stays on 127.0.0.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Job } from 'kubernetes-types/batch/v1.d.ts';
import type { Event as CoreEvent, Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient, SharedInformer, isInvalid } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/client/index.ts';
import { RESOURCES } from '../../src/controllers/controller.ts';
import { Scheduler } from '../../src/scheduler/index.ts';
import { generateServiceAccountKey } from '../../src/pki/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { ComponentProcess } from '../harness/component-process.ts';
import { FakeKubelet } from '../harness/fake-kubelet.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

const NS = 'default';
const ref = (r: { group: string; version: string; plural: string }) => ({ ...r, namespace: NS });
const DEPLOYS = ref(RESOURCES.deployments);
const PODS = ref(RESOURCES.pods);
const isReady = (p: Pod): boolean =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const live = (p: Pod): boolean => p.metadata?.deletionTimestamp == null;

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the kind's type
function workload<T extends KubeObject>(kind: string, name: string, spec: object): T {
  const apiVersion = kind === 'Job' ? 'batch/v1' : 'apps/v1';
  const labels = { app: name };
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: NS },
    spec: {
      ...(kind === 'Job' ? {} : { selector: { matchLabels: labels } }),
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'c', image: 'nginx:1' }],
          ...(kind === 'Job' ? { restartPolicy: 'Never' } : {}),
        },
      },
      ...spec,
    },
  } as unknown as T;
}

describe('workload controllers (k8ts controller-manager + scheduler, fake kubelets)', () => {
  let fx: ApiServerFixture;
  let client: RestClient;
  let kubelet: FakeKubelet;
  let cm: ComponentProcess;
  const stop = new AbortController();
  const running: Promise<unknown>[] = [];
  const k = (version: string, args: string[], timeoutMs = 40_000) =>
    kubectl(version, fx.kubeconfigPath, args, undefined, timeoutMs);
  const k33 = async (args: string[], timeoutMs?: number): Promise<string> => {
    const r = await k('1.33', args, timeoutMs);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    // RBAC with upstream's bootstrap policy, and each controller under its own service account
    // (--use-service-account-credentials, as kubeadm runs it): the controllers' verbs must fit
    // upstream's controller roles.
    const saKey = await generateServiceAccountKey('ECDSA-P256');
    fx = await startApiServerFixture(new MemoryStore(), {
      authorizationMode: 'RBAC',
      serviceAccountSigningKeyPem: saKey.privateKeyPem,
      defaultTolerationSeconds: { notReadySeconds: 2, unreachableSeconds: 2 },
    });
    client = RestClient.fromKubeconfig(readFileSync(fx.kubeconfigPath, 'utf8'), {
      component: 'workloads-e2e',
    });
    kubelet = new FakeKubelet({ client, nodes: ['node-a', 'node-b', 'node-c'], leaseRenewMs: 300 });
    await kubelet.register();
    running.push(kubelet.run(stop.signal));
    cm = new ComponentProcess('controller-manager', fx.kubeconfigPath, 'cm-e2e', [
      '--use-service-account-credentials',
      '--node-monitor-period=300ms',
      '--node-monitor-grace-period=2s',
      '--allocate-node-cidrs',
      '--cluster-cidr=10.244.0.0/16',
      '--service-cluster-ip-range=10.96.0.0/12',
    ]);
    running.push(new Scheduler({ client, log: () => undefined }).run(stop.signal));
    await cm.waitFor('caches synced; controllers running', 20_000);
  });

  after(async () => {
    if (process.env['K8TS_TEST_LOG'] === '1')
      for (const l of cm.lines)
        if (l['level'] !== 'info') process.stderr.write(`${JSON.stringify(l)}\n`);
    cm.kill('SIGTERM');
    await cm.exited;
    stop.abort();
    await Promise.all(running);
    client.close();
    await fx.stop();
  });

  const pods = async (app: string): Promise<Pod[]> =>
    (await client.list<Pod>(PODS, { labelSelector: `app=${app}` })).items;
  const events = async (name: string, reason: string): Promise<string[]> =>
    (await client.list<CoreEvent>(ref(RESOURCES.events))).items
      .filter((e) => e.involvedObject.name === name && e.reason === reason)
      // Event names are <object>.<hex nanoseconds>: by name is by time.
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
      .map((e) => e.message ?? '');

  it('assigns every node a pod CIDR (nodeipam)', async () => {
    const cidrs = await until('podCIDRs', async () => {
      const nodes = (await client.list<Node>(RESOURCES.nodes)).items;
      const c = nodes.map((n) => n.spec?.podCIDR ?? '');
      return c.length === 3 && c.every((x) => x !== '') ? c : undefined;
    });
    assert.equal(new Set(cidrs).size, 3);
    for (const c of cidrs) assert.match(c, /^10\.244\.\d+\.0\/24$/);
  });

  it('rolls out a Deployment; kubectl 1.27 and 1.33 rollout status succeed', async () => {
    await client.create(DEPLOYS, workload<Deployment>('Deployment', 'web', { replicas: 4 }));
    for (const v of ['1.27', '1.33']) {
      if (!hasKubectl(v)) continue;
      const r = await k(v, ['rollout', 'status', 'deployment/web', '--timeout=30s']);
      assert.equal(r.code, 0, `${v}: ${r.stderr}`);
      assert.match(r.stdout, /deployment "web" successfully rolled out/);
    }
    const placed = (await pods('web')).filter(live);
    assert.equal(placed.length, 4);
    assert.equal(new Set(placed.map((p) => p.spec?.nodeName)).size, 3, 'spread over the nodes');
  });

  it('a rolling update stays within maxSurge/maxUnavailable; rollout history and undo work', async () => {
    await client.patch(
      { ...DEPLOYS, name: 'web' },
      { spec: { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } } },
      { type: 'merge' },
    );
    let maxPods = 0;
    let minReady = Infinity;
    const watch = new AbortController();
    const inf = SharedInformer.forResource<Pod>(client, PODS, { labelSelector: 'app=web' });
    // What the watch showed at each new maximum, for the failure message.
    const peaks: string[] = [];
    const observe = (): void => {
      const l = inf.indexer.list().filter(live);
      if (l.length > maxPods)
        peaks.push(
          l
            .map(
              (p) =>
                `${p.metadata?.name ?? ''}@${p.metadata?.resourceVersion ?? ''}${isReady(p) ? '+' : '-'}`,
            )
            .sort()
            .join(' '),
        );
      maxPods = Math.max(maxPods, l.length);
      minReady = Math.min(minReady, l.filter(isReady).length);
    };
    inf.addEventHandler({ onAdd: observe, onUpdate: observe, onDelete: observe });
    const watching = inf.run(watch.signal);
    await inf.waitForCacheSync(watch.signal);
    // Annotated after the template change, so the change cause lands on the new revision only
    // (the controller copies the Deployment's annotations to its current ReplicaSet).
    await k33(['set', 'image', 'deployment/web', 'c=nginx:2']);
    await k33(['annotate', 'deployment/web', 'kubernetes.io/change-cause=nginx 2']);
    const r = await k('1.33', ['rollout', 'status', 'deployment/web', '--timeout=40s'], 50_000);
    assert.equal(r.code, 0, r.stderr);
    watch.abort();
    await watching;
    assert.ok(
      maxPods <= 5,
      `never more than replicas+maxSurge pods (saw ${String(maxPods)}):\n${peaks.join('\n')}\n${(
        await client.list<CoreEvent>(ref(RESOURCES.events))
      ).items
        .map((e) => `${e.metadata.name ?? ''} ${e.reason ?? ''} ${e.message ?? ''}`)
        .sort()
        .join('\n')}`,
    );
    assert.ok(
      minReady >= 3,
      `never fewer than replicas-maxUnavailable ready (saw ${String(minReady)})`,
    );
    const history = await k33(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+nginx 2$/m);
    await k33(['rollout', 'undo', 'deployment/web']);
    await k33(['rollout', 'status', 'deployment/web', '--timeout=40s'], 50_000);
    const d = await client.get<Deployment>({ ...DEPLOYS, name: 'web' });
    assert.deepEqual(
      [
        d.spec?.template.spec?.containers[0]?.image,
        d.metadata?.annotations?.['deployment.kubernetes.io/revision'],
      ],
      ['nginx:1', '3'],
    );
    const after = await k33(['rollout', 'history', 'deployment/web']);
    assert.match(after, /^3\s+/m);
    assert.doesNotMatch(after, /^1\s+/m, 'revision 1 became 3');
    const scaling = await events('web', 'ScalingReplicaSet');
    assert.ok(
      scaling.some((m) => /^Scaled up replica set web-[a-z0-9]+ from 0 to 1$/.test(m)),
      scaling.join('\n'),
    );
  });

  it('scales up and down (kubectl scale)', async () => {
    for (const n of [6, 2]) {
      await k33(['scale', 'deployment/web', `--replicas=${String(n)}`]);
      await until(`web at ${String(n)}`, async () => {
        const l = (await pods('web')).filter(live);
        const d = await client.get<Deployment>({ ...DEPLOYS, name: 'web' });
        return l.length === n && d.status?.availableReplicas === n ? l : undefined;
      });
    }
  });

  it('a StatefulSet creates web-0..2 one after another and deletes them in reverse', async () => {
    const held = new Set(['db-0', 'db-1']);
    kubelet.holdReady = (p) => held.has(p.metadata?.name ?? '');
    await client.create(
      ref(RESOURCES.statefulSets),
      workload<StatefulSet>('StatefulSet', 'db', { replicas: 3, serviceName: 'db' }),
    );
    const names = async () =>
      (await pods('db'))
        .filter(live)
        .map((p) => p.metadata?.name)
        .sort();
    for (const name of ['db-0', 'db-1']) {
      await until(`${name} created`, async () =>
        (await names()).includes(name) ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await names()).at(-1), name, `nothing after ${name} while it is not Ready`);
      held.delete(name);
      kubelet.resync(stop.signal);
    }
    await k33(['rollout', 'status', 'statefulset/db', '--timeout=30s']);
    assert.deepEqual(await names(), ['db-0', 'db-1', 'db-2']);
    await k33(['scale', 'statefulset/db', '--replicas=0']);
    await until('db gone', async () => ((await names()).length === 0 ? true : undefined));
    const deletes = await until('3 delete events', async () => {
      const e = await events('db', 'SuccessfulDelete');
      return e.length === 3 ? e : undefined;
    });
    assert.deepEqual(
      deletes,
      ['db-2', 'db-1', 'db-0'].map((p) => `delete Pod ${p} in StatefulSet db successful`),
    );
    const creates = await events('db', 'SuccessfulCreate');
    assert.deepEqual(
      creates,
      ['db-0', 'db-1', 'db-2'].map((p) => `create Pod ${p} in StatefulSet db successful`),
    );
  });

  it('a Job completes; a failing one stops at its backoffLimit', async () => {
    const JOBS = ref(RESOURCES.jobs);
    await client.create(JOBS, workload<Job>('Job', 'ok', { completions: 2, parallelism: 2 }));
    await client.create(JOBS, workload<Job>('Job', 'bad', { backoffLimit: 1 }));
    const finish = async (app: string, phase: 'Succeeded' | 'Failed', n: number) => {
      const done = new Set<string>();
      await until(
        `${app}: ${String(n)} pods ${phase}`,
        async () => {
          for (const p of await pods(app)) {
            const name = p.metadata?.name ?? '';
            if (p.status?.phase === 'Running' && !done.has(name)) {
              await kubelet.finishPod(NS, name, phase);
              done.add(name);
            }
          }
          return done.size >= n ? true : undefined;
        },
        30_000,
      );
    };
    await finish('ok', 'Succeeded', 2);
    await k33(['wait', '--for=condition=complete', 'job/ok', '--timeout=20s']);
    await finish('bad', 'Failed', 2); // the second after upstream's 10 s failure backoff
    const bad = await until(
      'bad Failed',
      async () => {
        const j = await client.get<Job>({ ...JOBS, name: 'bad' });
        return j.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
      },
      20_000,
    );
    assert.equal(bad.reason, 'BackoffLimitExceeded');
    assert.equal((await pods('bad')).length, 2);
  });

  it('a DaemonSet runs one pod on each node it may schedule to', async () => {
    await client.patch(
      { ...RESOURCES.nodes, name: 'node-b' },
      { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } },
      { type: 'merge' },
    );
    await client.create(ref(RESOURCES.daemonSets), workload<DaemonSet>('DaemonSet', 'agent', {}));
    await k33(['rollout', 'status', 'daemonset/agent', '--timeout=30s']);
    const placed = (await pods('agent')).filter(live);
    assert.deepEqual(placed.map((p) => p.spec?.nodeName).sort(), ['node-a', 'node-c']);
    const ds = await client.get<DaemonSet>({ ...ref(RESOURCES.daemonSets), name: 'agent' });
    assert.deepEqual([ds.status?.desiredNumberScheduled, ds.status?.numberReady], [2, 2]);
    await client.patch(
      { ...RESOURCES.nodes, name: 'node-b' },
      { spec: { taints: null } },
      { type: 'merge' },
    );
  });

  it('a node whose Lease stops goes Unknown, is tainted, and its pods are replaced elsewhere', async () => {
    await k33(['scale', 'deployment/web', '--replicas=6']);
    const before = await until('web on node-c', async () => {
      const l = (await pods('web')).filter((p) => live(p) && isReady(p));
      return l.length === 6 && l.some((p) => p.spec?.nodeName === 'node-c') ? l : undefined;
    });
    const onC = before.filter((p) => p.spec?.nodeName === 'node-c').map((p) => p.metadata?.uid);
    kubelet.stopNode('node-c');
    await until('node-c NotReady in kubectl', async () => {
      const out = await k33(['get', 'node', 'node-c', '--no-headers']);
      return /\bNotReady\b/.test(out) ? out : undefined;
    });
    const node = await client.get<Node>({ ...RESOURCES.nodes, name: 'node-c' });
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual(
      [ready?.status, ready?.message],
      ['Unknown', 'Kubelet stopped posting node status.'],
    );
    await until('node-c tainted unreachable:NoExecute', async () => {
      const n = await client.get<Node>({ ...RESOURCES.nodes, name: 'node-c' });
      return n.spec?.taints?.some(
        (t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute',
      );
    });
    const after = await until(
      'web replaced off node-c',
      async () => {
        const l = (await pods('web')).filter((p) => live(p) && isReady(p));
        return l.length === 6 && l.every((p) => p.spec?.nodeName !== 'node-c') ? l : undefined;
      },
      30_000,
    );
    assert.ok(after.every((p) => !onC.includes(p.metadata?.uid)));
    const evicted = (await pods('web')).filter((p) => onC.includes(p.metadata?.uid));
    assert.ok(
      evicted.every((p) => p.status?.conditions?.some((c) => c.type === 'DisruptionTarget')),
      'evicted pods carry DisruptionTarget',
    );
    await k33(['rollout', 'status', 'deployment/web', '--timeout=20s']);
  });

  it('refuses invalid specs with 422, and retries a broken Deployment with backoff only', async () => {
    const bad = workload<Deployment>('Deployment', 'mismatch', { replicas: 1 });
    bad.spec!.selector = { matchLabels: { app: 'other' } };
    await assert.rejects(client.create(DEPLOYS, bad), (e: unknown) => isInvalid(e));
    await assert.rejects(
      client.create(
        ref(RESOURCES.statefulSets),
        workload<StatefulSet>('StatefulSet', 'neg', { replicas: -1, serviceName: 'x' }),
      ),
      (e: unknown) => isInvalid(e),
    );
    await assert.rejects(
      client.create(ref(RESOURCES.jobs), workload<Job>('Job', 'negjob', { completions: -2 })),
      (e: unknown) => isInvalid(e),
    );
    // Valid, but its ReplicaSet name (<name>-<hash>) is too long for the API: never converges.
    const name = `x${'a'.repeat(245)}`;
    const long = workload<Deployment>('Deployment', 'long', { replicas: 1 });
    await client.create(DEPLOYS, { ...long, metadata: { ...long.metadata, name } });
    const failures = () =>
      cm.lines.filter(
        (l) => l.msg === 'error syncing deployment; requeuing' && l['key'] === `${NS}/${name}`,
      ).length;
    await until('first failure', () => Promise.resolve(failures() > 0 ? true : undefined));
    const first = failures();
    await new Promise((r) => setTimeout(r, 3000));
    const retries = failures() - first;
    assert.ok(retries >= 1 && retries <= 14, `retries in 3 s: ${String(retries)}`);
    const rss = (await client.list<ReplicaSet>(ref(RESOURCES.replicaSets))).items;
    assert.ok(!rss.some((r) => r.metadata?.name?.startsWith('xaaa')));
  });

  it('no controller was refused by RBAC under its service account', () => {
    const refused = cm.lines.filter((l) => /forbidden/i.test(JSON.stringify(l)));
    assert.deepEqual(refused, []);
    assert.ok(cm.lines.some((l) => l.msg === 'started leading'));
  });
});
