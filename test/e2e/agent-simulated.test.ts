/**
 * `k8ts agent --runtime simulated --simulated-nodes 3`: three nodes in one process on in-memory
 * runtimes (for scale benchmarks), with the real API server and scheduler: the nodes register
 * Ready, pods spread over them and report Running with an IP from their node's pod CIDR, a
 * deleted pod is finished by its agent and goes away; a bad flag combination is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../../src/client/index.ts';
import { Scheduler } from '../../src/scheduler/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { until } from '../harness/until.ts';

const BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));
const PODS = { group: '', version: 'v1', plural: 'pods', namespace: 'default' };
const NODES = { group: '', version: 'v1', plural: 'nodes' };

describe('simulated nodes (k8ts agent --runtime simulated)', () => {
  let api: ApiServerFixture;
  let client: RestClient;
  let agent: ChildProcess;
  let rootfs: string;
  const stop = new AbortController();
  let scheduling: Promise<void> = Promise.resolve();

  before(async () => {
    api = await startApiServerFixture(new MemoryStore());
    client = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'));
    rootfs = mkdtempSync(join(tmpdir(), 'k8ts-sim-'));
    agent = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        ...['--kubeconfig', api.kubeconfigPath, '--rootfs', rootfs, '--hostname-override', 'sim'],
        ...['--runtime', 'simulated', '--simulated-nodes', '3', '--node-ip', '127.0.0.1'],
        ...['--pod-cidr', '10.250.0.0/24', '--node-status-update-frequency', '1s'],
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    scheduling = new Scheduler({ client, log: () => undefined }).run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await scheduling;
    if (agent.exitCode === null) {
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    client.close();
    await api.stop();
    rmSync(rootfs, { recursive: true, force: true });
  });

  it('registers three Ready nodes and runs pods spread over them', async () => {
    const nodes = await until(
      '3 Ready nodes',
      async () => {
        const l = await client.list<Node>(NODES);
        const ready = l.items.filter((n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === 3 ? ready : undefined;
      },
      60_000,
      200,
    );
    assert.deepEqual(nodes.map((n) => n.metadata?.name).sort(), ['sim-0', 'sim-1', 'sim-2']);
    assert.equal(nodes[0]?.metadata?.labels?.['k8ts.io/simulated'], 'true');
    for (let i = 0; i < 6; i++)
      await client.create(PODS, {
        metadata: { name: `p${String(i)}` },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'c',
              image: 'busybox:1',
              command: ['sleep', '3600'],
              // Network probes pass on simulated nodes, and send nothing anywhere.
              readinessProbe: { httpGet: { port: 8080 }, periodSeconds: 1 },
              livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      });
    const pods = await until(
      '6 Running and ready pods',
      async () => {
        const l = await client.list<Pod>(PODS);
        const running = l.items.filter(
          (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready === true,
        );
        return running.length === 6 ? running : undefined;
      },
      30_000,
      200,
    );
    assert.equal(new Set(pods.map((p) => p.spec?.nodeName)).size, 3, 'spread over the nodes');
    for (const p of pods) {
      assert.match(p.status?.podIP ?? '', /^10\.250\.0\.\d+$/);
      assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
    }
  });

  it('finishes a deleted pod: it goes away once its agent stopped the containers', async () => {
    await client.delete({ ...PODS, name: 'p0' });
    await until(
      'p0 gone',
      async () => {
        const l = await client.list<Pod>(PODS);
        return l.items.some((p) => p.metadata?.name === 'p0') ? undefined : true;
      },
      20_000,
      200,
    );
  });

  it('refuses --simulated-nodes without --runtime simulated', async () => {
    await assert.rejects(
      promisify(execFile)(process.execPath, [
        BIN,
        'agent',
        ...['--kubeconfig', api.kubeconfigPath, '--simulated-nodes', '2'],
      ]),
      (err: { code?: number; stderr?: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr ?? '', /--simulated-nodes needs --runtime simulated/);
        return true;
      },
    );
  });
});
