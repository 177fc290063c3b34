/**
 * `k8ts agent` as a process against a real API server and a private containerd: the Node is
 * registered with its labels, taints, capacity and nodeInfo; it stays NotReady with upstream's
 * network message until its pod CIDR is known (here set on Node.spec.podCIDR, as the node IPAM
 * controller does), then the agent writes the CNI config and the node turns Ready; the Lease is
 * renewed and owned by the Node; a deleted Node is registered again; SIGTERM stops the agent;
 * a cgroup driver that does not match containerd's, and bad flags, are refused with a message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { RestClient } from '../../src/client/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { startContainerdNode } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';
import { until } from '../harness/until.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));
const NODES = { group: '', version: 'v1', plural: 'nodes' };
const LEASE = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespace: 'kube-node-lease',
  name: 'reg-1',
};

describe('k8ts agent: node registration, status and lease', () => {
  let api: ApiServerFixture;
  let ctrd: ContainerdNode;
  let client: RestClient;
  let agent: ChildProcess | undefined;
  let stderr = '';

  before(async () => {
    [api, ctrd] = await Promise.all([
      startApiServerFixture(new MemoryStore()),
      startContainerdNode({ name: 'reg', writeCniConfig: false }),
    ]);
    client = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'));
    agent = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        '--kubeconfig',
        api.kubeconfigPath,
        '--rootfs',
        ctrd.rootfs,
        '--hostname-override',
        'REG-1',
        '--node-ip',
        '127.0.0.1',
        // Its HTTPS endpoint on loopback, on a free port (tests share the machine).
        '--address',
        '127.0.0.1',
        '--port',
        '0',
        '--container-runtime-endpoint',
        ctrd.endpoint,
        '--node-labels',
        'tier=edge,node.kubernetes.io/pool=a',
        '--register-with-taints',
        'dedicated=edge:NoSchedule',
        '--node-lease-duration-seconds',
        '4',
        '--node-status-update-frequency',
        '1s',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    agent.stderr?.setEncoding('utf8');
    agent.stderr?.on('data', (s: string) => {
      stderr += s;
    });
  });

  after(async () => {
    if (agent !== undefined && agent.exitCode === null) agent.kill('SIGKILL');
    client.close();
    await Promise.all([api.stop(), ctrd.stop()]);
  });

  it('registers the node with labels, taints, capacity and nodeInfo', async () => {
    const node = await until('node registered', () =>
      client.get<Node>({ ...NODES, name: 'reg-1' }),
    );
    const labels = node.metadata?.labels ?? {};
    assert.equal(labels['kubernetes.io/hostname'], 'reg-1');
    assert.equal(labels['kubernetes.io/os'], 'linux');
    assert.equal(labels['kubernetes.io/arch'], 'amd64');
    assert.equal(labels['tier'], 'edge');
    assert.equal(labels['node.kubernetes.io/pool'], 'a');
    assert.deepEqual(node.spec?.taints, [
      { key: 'dedicated', value: 'edge', effect: 'NoSchedule' },
    ]);
    const status = node.status!;
    const capacity = status.capacity!;
    const info = status.nodeInfo!;
    assert.equal(capacity['pods'], '110');
    assert.match(capacity['memory']!, /^\d+Ki$/);
    assert.match(capacity['ephemeral-storage']!, /^\d+Ki$/);
    assert.equal(info.kubeletVersion, 'v1.33.0-k8ts.1');
    assert.match(info.containerRuntimeVersion, /^containerd:\/\/1\./);
    assert.deepEqual(status.addresses, [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'reg-1' },
    ]);
    // The port its HTTPS endpoint got (--port 0), which answers callers without a certificate
    // with 401.
    const port = status.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
    assert.ok(port > 0 && port < 65536, String(port));
    const code = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpsRequest(`https://127.0.0.1:${String(port)}/healthz`, {
        rejectUnauthorized: false,
        agent: false,
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(code, 401);
  });

  it('is NotReady with the runtime network message until its pod CIDR is known', async () => {
    const ready = await until('NotReady reported', async () => {
      const n = await client.get<Node>({ ...NODES, name: 'reg-1' });
      const c = n.status?.conditions?.find((x) => x.type === 'Ready');
      return c?.reason === 'KubeletNotReady' && c.message?.includes('network') === true
        ? c
        : undefined;
    });
    assert.equal(ready.status, 'False');
    assert.match(
      ready.message ?? '',
      /^container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:/,
    );
    assert.match(stderr, /no pod CIDR yet/);
  });

  it('writes the CNI config for Node.spec.podCIDR and turns Ready', async () => {
    const node = await client.get<Node>({ ...NODES, name: 'reg-1' });
    await client.update(
      { ...NODES, name: 'reg-1' },
      { ...node, spec: { ...node.spec, podCIDR: ctrd.podCidr } },
    );
    const ready = await until(
      'Ready',
      async () => {
        const n = await client.get<Node>({ ...NODES, name: 'reg-1' });
        const c = n.status?.conditions?.find((x) => x.type === 'Ready');
        return c?.status === 'True' ? c : undefined;
      },
      20_000,
    );
    assert.equal(ready.reason, 'KubeletReady');
    assert.equal(ready.message, 'kubelet is posting ready status');
    const conflist = JSON.parse(
      readFileSync(join(ctrd.rootfs, 'etc/cni/net.d/10-k8ts.conflist'), 'utf8'),
    ) as { plugins: { bridge: string; ipam: { ranges: unknown } }[] };
    const bridgePlugin = conflist.plugins[0]!;
    assert.equal(bridgePlugin.bridge, ctrd.bridge);
    assert.deepEqual(bridgePlugin.ipam.ranges, [[{ subnet: ctrd.podCidr }]]);
  });

  it('renews its Lease, owned by the Node', async () => {
    const node = await client.get<Node>({ ...NODES, name: 'reg-1' });
    const first = await until('lease', () => client.get<Lease>(LEASE));
    const spec = first.spec!;
    assert.equal(spec.holderIdentity, 'reg-1');
    assert.equal(spec.leaseDurationSeconds, 4);
    assert.deepEqual(
      first.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.uid]),
      [['Node', 'reg-1', node.metadata?.uid]],
    );
    const renewed = await until(
      'lease renewed',
      async () => {
        const l = await client.get<Lease>(LEASE);
        return l.spec?.renewTime !== spec.renewTime ? l : undefined;
      },
      5_000,
    );
    assert.ok(Date.parse(renewed.spec?.renewTime ?? '') > Date.parse(spec.renewTime ?? ''));
  });

  it('registers the Node again when it is deleted, and re-owns the Lease', async () => {
    const old = await client.get<Node>({ ...NODES, name: 'reg-1' });
    await client.delete({ ...NODES, name: 'reg-1' });
    const again = await until('node re-registered', async () => {
      const n = await client.get<Node>({ ...NODES, name: 'reg-1' }).catch(() => undefined);
      return n !== undefined && n.metadata?.uid !== old.metadata?.uid ? n : undefined;
    });
    assert.deepEqual(again.spec?.taints, [
      { key: 'dedicated', value: 'edge', effect: 'NoSchedule' },
    ]);
    await until('lease re-owned', async () => {
      const l = await client.get<Lease>(LEASE);
      return l.metadata?.ownerReferences?.[0]?.uid === again.metadata?.uid ? l : undefined;
    });
  });

  it('stops gracefully on SIGTERM', async () => {
    const child = agent!;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stderr, /"msg":"node agent stopped"/);
    assert.doesNotMatch(stderr, /BEGIN (RSA |EC )?PRIVATE KEY|client-key-data/);
  });

  it('refuses a cgroup driver that does not match the runtime, and bad flags', async () => {
    const agentRun = (...extra: string[]) =>
      run(
        process.execPath,
        [
          BIN,
          'agent',
          '--kubeconfig',
          api.kubeconfigPath,
          '--rootfs',
          ctrd.rootfs,
          '--container-runtime-endpoint',
          ctrd.endpoint,
          '--address',
          '127.0.0.1',
          '--port',
          '0',
          ...extra,
        ],
        { timeout: 20_000 },
      );
    await assert.rejects(agentRun('--cgroup-driver', 'systemd'), (err: unknown) => {
      const e = err as { code: number; stderr: string };
      assert.equal(e.code, 1);
      assert.match(
        e.stderr,
        /misconfiguration: the agent's cgroup driver "systemd" is different from the container runtime's "cgroupfs"/,
      );
      return true;
    });
    await assert.rejects(
      agentRun('--node-labels', 'node-role.kubernetes.io/worker='),
      /unknown 'kubernetes.io' or 'k8s.io' labels/,
    );
    await assert.rejects(agentRun('--pod-cidr', '10.1.2.0/33'), /not an IPv4 CIDR/);
    await assert.rejects(agentRun('--hostname-override', 'bad_name'), /node name "bad_name"/);
    assert.equal(existsSync(join(ctrd.rootfs, 'etc/cni/net.d/10-k8ts.conflist')), true);
  });
});
