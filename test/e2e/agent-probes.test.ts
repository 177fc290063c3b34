/**
 * Probes on real containerd, run by a `k8ts agent` process, with the endpoints controllers: an
 * httpGet readiness probe takes a busybox httpd pod out of its Service's endpoints
 * (notReadyAddresses, EndpointSlice ready=false) when `kubectl exec` removes the probed file,
 * without a restart, and back when it returns; a tcpSocket readiness probe fails (connection
 * refused) until the port listens; a startup probe holds Ready back and then lets the readiness
 * probe run at once; a failing startup probe restarts its container within the probe's own
 * terminationGracePeriodSeconds (the pod's is 60 s); an httpGet liveness probe that starts
 * failing restarts the container with upstream's Unhealthy and Killing events; gRPC probes
 * (grpc.health.v1.Health/Check against a static test server) hold Ready back while it answers
 * NOT_SERVING and restart a container whose service it does not know; a readiness gate holds
 * Ready (ReadinessGatesNotReady) until its condition is patched True through pods/status. The
 * kubelet's events name their container (`kubectl get events -o wide` SUBOBJECT). Probes go from
 * the host to pod IPs on the node's own CNI bridge only; the test itself sends nothing to pods.
 * Nothing is left behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import type { Endpoints, Event as CoreEvent, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { RestClient } from '../../src/client/index.ts';
import { ControllerManager } from '../../src/controllers/controller-manager.ts';
import { startAgentOnContainerd } from '../harness/agent-on-containerd.ts';
import type { AgentOnContainerd } from '../harness/agent-on-containerd.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { BUSYBOX_IMAGE, NO_LEFTOVERS } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';
import { GRPC_HEALTH_IMAGE, grpcHealthImageTar } from '../harness/images.ts';
import { kubectl } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

const NODE = 'probes-node';
const NS = 'default';
const PODS = { group: '', version: 'v1', plural: 'pods', namespace: NS };
const EVENTS = { group: '', version: 'v1', plural: 'events', namespace: NS };
const SERVICES = { group: '', version: 'v1', plural: 'services', namespace: NS };
const ENDPOINTS = { group: '', version: 'v1', plural: 'endpoints', namespace: NS };
const SLICES = {
  group: 'discovery.k8s.io',
  version: 'v1',
  plural: 'endpointslices',
  namespace: NS,
};
const quiet = (): void => undefined;

const pod = (name: string, spec: Omit<NonNullable<Pod['spec']>, 'nodeName'>): Pod => ({
  metadata: { name, labels: { app: name } },
  spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, ...spec },
});

const sh = (script: string): string[] => ['sh', '-c', script];

const GATE = 'example.com/feature-1';

const PODS_TO_RUN: Pod[] = [
  pod('web', {
    containers: [
      {
        name: 'httpd',
        image: BUSYBOX_IMAGE,
        command: sh('mkdir -p /www && echo ok > /www/ready.html && exec httpd -f -p 8080 -h /www'),
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: {
          httpGet: {
            path: '/ready.html',
            port: 'http',
            httpHeaders: [{ name: 'X-A', value: 'b' }],
          },
          periodSeconds: 1,
          failureThreshold: 1,
        },
      },
    ],
  }),
  pod('tcp', {
    containers: [
      {
        name: 'c',
        image: BUSYBOX_IMAGE,
        command: sh('sleep 4; exec httpd -f -p 9000 -h /'),
        readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1, failureThreshold: 1 },
      },
    ],
  }),
  pod('slow-start', {
    containers: [
      {
        name: 'c',
        image: BUSYBOX_IMAGE,
        command: sh('sleep 5; touch /tmp/started; exec sleep 3600'),
        startupProbe: {
          exec: { command: ['test', '-f', '/tmp/started'] },
          periodSeconds: 1,
          failureThreshold: 60,
        },
        livenessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        // Its own period is long: only the startup success makes it run early.
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 30 },
      },
    ],
  }),
  pod('never-starts', {
    // `sleep` as PID 1 ignores SIGTERM: a kill lasts the whole grace period.
    terminationGracePeriodSeconds: 60,
    containers: [
      {
        name: 'c',
        image: BUSYBOX_IMAGE,
        command: ['sleep', '3600'],
        startupProbe: {
          exec: { command: ['false'] },
          periodSeconds: 1,
          failureThreshold: 2,
          terminationGracePeriodSeconds: 1,
        },
      },
    ],
  }),
  pod('gated', {
    readinessGates: [{ conditionType: GATE }],
    containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }],
  }),
  pod('grpc', {
    containers: [
      {
        name: 'server',
        image: GRPC_HEALTH_IMAGE,
        // NOT_SERVING for 3 s after start, then SERVING.
        args: ['9090', '3'],
        readinessProbe: { grpc: { port: 9090 }, periodSeconds: 1, failureThreshold: 1 },
      },
    ],
  }),
  pod('grpc-unknown', {
    containers: [
      {
        name: 'server',
        image: GRPC_HEALTH_IMAGE,
        args: ['9090'],
        livenessProbe: {
          grpc: { port: 9090, service: 'nope' },
          periodSeconds: 1,
          failureThreshold: 2,
        },
      },
    ],
  }),
  pod('live', {
    containers: [
      {
        name: 'c',
        image: BUSYBOX_IMAGE,
        command: sh(
          'mkdir -p /www; echo ok > /www/healthz.html; (sleep 3; rm /www/healthz.html) & exec httpd -f -p 8080 -h /www',
        ),
        livenessProbe: {
          httpGet: { path: '/healthz.html', port: 8080 },
          periodSeconds: 1,
          failureThreshold: 2,
        },
      },
    ],
  }),
];

describe('probes on real containerd, with the endpoints controllers', () => {
  let setup: AgentOnContainerd;
  let node: ContainerdNode;
  let fx: ApiServerFixture;
  let client: RestClient;
  let agentLog: readonly string[] = [];
  const stop = new AbortController();
  let controllers: Promise<void> = Promise.resolve();

  const k = (...args: string[]) => kubectl('1.33', fx.kubeconfigPath, args);
  const get = (name: string): Promise<Pod> => client.get<Pod>({ ...PODS, name });
  const condition = (p: Pod, type: string): string | undefined =>
    p.status?.conditions?.find((c) => c.type === type)?.status;
  const events = async (name: string, reason: string): Promise<string[]> =>
    (await client.list<CoreEvent>(EVENTS)).items
      .filter((e) => e.involvedObject.name === name && e.reason === reason)
      .map((e) => e.message ?? '');
  const podWhen = (what: string, name: string, test: (p: Pod) => boolean, timeoutMs = 30_000) =>
    until(
      what,
      async () => {
        const p = await get(name);
        return test(p) ? p : undefined;
      },
      timeoutMs,
      250,
    );

  before(async () => {
    setup = await startAgentOnContainerd({
      name: 'probes',
      nodeName: NODE,
      clientComponent: 'agent-probes-e2e',
    });
    ({ node, fx, client, logs: agentLog } = setup);
    await node.ctr('images', 'import', grpcHealthImageTar());
    controllers = new ControllerManager({
      client,
      identity: 'probes-e2e',
      leaderElect: false,
      enabled: ['endpoint', 'endpointslice'],
      log: quiet,
    }).run(stop.signal);
    await client.create(SERVICES, {
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    });
    await client.create(SERVICES, {
      metadata: { name: 'gated' },
      spec: { selector: { app: 'gated' }, ports: [{ port: 80 }] },
    });
    for (const p of PODS_TO_RUN) await client.create(PODS, p);
  });

  after(async () => {
    stop.abort();
    await controllers;
    await setup.stop();
  });

  it('httpGet readiness: NotReady and out of the endpoints when the file goes, back when it returns, never restarted', async () => {
    const ready = await podWhen('web Ready', 'web', (p) => condition(p, 'Ready') === 'True');
    const ip = ready.status?.podIP ?? '';
    assert.ok(ip.startsWith(node.podCidr.replace(/0\/24$/, '')), `${ip} on the node bridge`);
    const cs = ready.status?.containerStatuses?.[0];
    assert.deepEqual([cs?.ready, cs?.started, cs?.restartCount], [true, true, 0]);
    const endpoints = () => client.get<Endpoints>({ ...ENDPOINTS, name: 'web' });
    const slice = async () =>
      (
        await client.list<EndpointSlice>(SLICES, {
          labelSelector: 'kubernetes.io/service-name=web',
        })
      ).items[0]?.endpoints.find((e) => e.addresses.includes(ip));
    await until('web in the endpoints', async () =>
      (await endpoints()).subsets?.[0]?.addresses?.some((a) => a.ip === ip) === true
        ? true
        : undefined,
    );

    const rm = await k('exec', 'web', '--', 'rm', '/www/ready.html');
    assert.equal(rm.code, 0, rm.stderr);
    const notReady = await podWhen('web NotReady', 'web', (p) => condition(p, 'Ready') === 'False');
    assert.equal(condition(notReady, 'ContainersReady'), 'False');
    const down = notReady.status?.containerStatuses?.[0];
    assert.deepEqual([down?.ready, down?.restartCount], [false, 0]);
    assert.ok(down?.state?.running !== undefined, 'still running');
    const subset = await until('web in notReadyAddresses', async () => {
      const s = (await endpoints()).subsets?.[0];
      return s?.notReadyAddresses?.some((a) => a.ip === ip) === true ? s : undefined;
    });
    assert.equal(subset.addresses, undefined);
    await until('the slice says ready=false', async () =>
      (await slice())?.conditions?.ready === false ? true : undefined,
    );
    assert.ok(
      (await events('web', 'Unhealthy')).includes(
        'Readiness probe failed: HTTP probe failed with statuscode: 404',
      ),
    );
    // The kubelet's events name the container (SUBOBJECT), as upstream's recordContainerEvent.
    const wide = await k(
      ...['get', 'events', '-o', 'wide', '--field-selector', 'involvedObject.name=web'],
    );
    assert.equal(wide.code, 0, wide.stderr);
    for (const reason of ['Pulled', 'Created', 'Started', 'Unhealthy'])
      assert.match(
        wide.stdout,
        new RegExp(` ${reason} +pod/web +spec\\.containers\\{httpd\\} +kubelet, ${NODE} `),
        `${reason}:\n${wide.stdout}`,
      );
    const described = await k('describe', 'pod', 'web');
    assert.match(described.stdout, /Warning +Unhealthy +.*kubelet.*Readiness probe failed/);

    const restore = await k('exec', 'web', '--', 'sh', '-c', 'echo ok > /www/ready.html');
    assert.equal(restore.code, 0, restore.stderr);
    const back = await podWhen('web Ready again', 'web', (p) => condition(p, 'Ready') === 'True');
    assert.equal(back.status?.containerStatuses?.[0]?.restartCount, 0);
    await until('web back in addresses', async () =>
      (await endpoints()).subsets?.[0]?.addresses?.some((a) => a.ip === ip) === true
        ? true
        : undefined,
    );
    await until('the slice says ready=true', async () =>
      (await slice())?.conditions?.ready === true ? true : undefined,
    );
  });

  it('tcpSocket readiness: connection refused until the port listens, then Ready', async () => {
    const p = await podWhen('tcp Ready', 'tcp', (x) => condition(x, 'Ready') === 'True');
    const refused = `Readiness probe failed: dial tcp ${p.status?.podIP ?? ''}:9000: connect: connection refused`;
    assert.ok((await events('tcp', 'Unhealthy')).includes(refused), refused);
    assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
  });

  it('grpc probes: NOT_SERVING holds Ready back until SERVING; an unknown service (NotFound) fails liveness and restarts', async () => {
    const p = await podWhen('grpc Ready', 'grpc', (x) => condition(x, 'Ready') === 'True');
    assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
    const unhealthy = await events('grpc', 'Unhealthy');
    assert.ok(
      unhealthy.includes(
        'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")',
      ),
      JSON.stringify(unhealthy),
    );
    await podWhen(
      'grpc-unknown restarted',
      'grpc-unknown',
      (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      40_000,
    );
    const failed = await events('grpc-unknown', 'Unhealthy');
    assert.ok(
      failed.includes(
        'Liveness probe failed: error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
      ),
      JSON.stringify(failed),
    );
    assert.ok(
      (await events('grpc-unknown', 'Killing')).includes(
        'Container server failed liveness probe, will be restarted',
      ),
    );
  });

  it('readiness gates: NotReady (ReadinessGatesNotReady) until the gate condition is patched True through pods/status, then Ready and in the endpoints', async () => {
    const held = await podWhen(
      'gated containers ready',
      'gated',
      (p) => condition(p, 'ContainersReady') === 'True',
    );
    const ready = held.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual(
      [ready?.status, ready?.reason, ready?.message],
      [
        'False',
        'ReadinessGatesNotReady',
        `corresponding condition of pod readiness gate "${GATE}" does not exist.`,
      ],
    );
    const ip = held.status?.podIP ?? '';
    const subset = async () =>
      (await client.get<Endpoints>({ ...ENDPOINTS, name: 'gated' })).subsets?.[0];
    await until('gated in notReadyAddresses', async () =>
      (await subset())?.notReadyAddresses?.some((a) => a.ip === ip) === true ? true : undefined,
    );
    // What a controller owning the gate does: set its condition through pods/status.
    const patch = await k(
      ...['patch', 'pod', 'gated', '--subresource=status', '--type=strategic', '-p'],
      JSON.stringify({ status: { conditions: [{ type: GATE, status: 'True' }] } }),
    );
    assert.equal(patch.code, 0, patch.stderr);
    const p = await podWhen('gated Ready', 'gated', (x) => condition(x, 'Ready') === 'True');
    assert.equal(condition(p, GATE), 'True', 'the agent keeps the condition it does not own');
    await until('gated in addresses', async () =>
      (await subset())?.addresses?.some((a) => a.ip === ip) === true ? true : undefined,
    );
  });

  it('a startup probe holds started and Ready back, then readiness runs at once', async () => {
    const early = await get('slow-start');
    const cs = early.status?.containerStatuses?.[0];
    if (
      cs?.state?.running !== undefined &&
      Date.now() - Date.parse(cs.state.running.startedAt ?? '') < 3000
    ) {
      assert.equal(cs.started, false);
      assert.equal(cs.ready, false);
      assert.equal(condition(early, 'Ready'), 'False');
    }
    const p = await podWhen(
      'slow-start Ready',
      'slow-start',
      (x) => condition(x, 'Ready') === 'True',
    );
    const c = p.status?.containerStatuses?.[0];
    assert.deepEqual([c?.started, c?.ready, c?.restartCount], [true, true, 0]);
    const startedAt = Date.parse(c?.state?.running?.startedAt ?? '');
    const readyAt = Date.parse(
      p.status?.conditions?.find((x) => x.type === 'Ready')?.lastTransitionTime ?? '',
    );
    // Started after the 5 s sleep; ready then, not a 30 s readiness period later.
    assert.ok(readyAt - startedAt >= 4000, `ready ${String(readyAt - startedAt)} ms after start`);
    assert.ok(readyAt - startedAt < 25_000, `ready ${String(readyAt - startedAt)} ms after start`);
    assert.ok((await events('slow-start', 'Unhealthy')).includes('Startup probe failed: '));
  });

  it('a failing startup probe restarts the container within its own grace period', async () => {
    const p = await podWhen(
      'never-starts restarted',
      'never-starts',
      (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      40_000,
    );
    const cs = p.status?.containerStatuses?.[0];
    const last = cs?.lastState?.terminated;
    assert.equal(cs?.started, false);
    assert.equal(condition(p, 'Ready'), 'False');
    assert.ok(last !== undefined, JSON.stringify(cs));
    // SIGKILL after the probe's 1 s (2 s at least, as upstream), not the pod's 60 s.
    const killedIn = Date.parse(last.finishedAt ?? '') - Date.parse(last.startedAt ?? '');
    assert.ok(killedIn < 20_000, `killed ${String(killedIn)} ms after it started`);
    assert.equal(last.exitCode, 137);
    assert.ok((await events('never-starts', 'Unhealthy')).includes('Startup probe failed: '));
    assert.ok(
      (await events('never-starts', 'Killing')).includes(
        'Container c failed startup probe, will be restarted',
      ),
    );
  });

  it('an httpGet liveness probe that starts failing restarts the container, with Unhealthy and Killing events', async () => {
    const p = await podWhen(
      'live restarted',
      'live',
      (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      40_000,
    );
    const cs = p.status?.containerStatuses?.[0];
    assert.ok(cs?.lastState?.terminated !== undefined, JSON.stringify(cs));
    const unhealthy = await events('live', 'Unhealthy');
    assert.ok(
      unhealthy.includes('Liveness probe failed: HTTP probe failed with statuscode: 404'),
      JSON.stringify(unhealthy),
    );
    const killing = await client.list<CoreEvent>(EVENTS, {
      fieldSelector: 'involvedObject.name=live,reason=Killing',
    });
    assert.ok(
      killing.items.some(
        (e) =>
          e.message === 'Container c failed liveness probe, will be restarted' &&
          e.involvedObject.fieldPath === 'spec.containers{c}',
      ),
      JSON.stringify(killing.items),
    );
  });

  it('leaves nothing behind once the pods are deleted', async () => {
    for (const p of PODS_TO_RUN)
      await client.delete({ ...PODS, name: p.metadata?.name ?? '' }, { gracePeriodSeconds: 1 });
    await until(
      'all pods gone',
      async () => ((await client.list<Pod>(PODS)).items.length === 0 ? true : undefined),
      60_000,
    );
    assert.deepEqual(await node.settledLeftovers(), NO_LEFTOVERS);
    assert.equal(
      agentLog.some((l) => l.includes('"level":"error"')),
      false,
      agentLog.join(''),
    );
  });
});
