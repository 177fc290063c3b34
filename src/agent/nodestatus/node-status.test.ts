import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeStatus } from 'kubernetes-types/core/v1.d.ts';
import { defaultNodeIp, goArch, osImageFrom } from './host-info.ts';
import type { HostInfo } from './host-info.ts';
import { buildNodeStatus, isReady, nodeStatusChanged, runtimeErrors } from './node-status.ts';
import type { NodeStatusInput, RuntimeHealth } from './node-status.ts';

const HOST: HostInfo = {
  cpuCount: 2,
  memoryBytes: 8 * 1024 ** 3,
  ephemeralStorageBytes: 100 * 1024 ** 3,
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  machineID: 'm1',
  systemUUID: 'u1',
  bootID: 'b1',
  architecture: 'amd64',
};

const READY: RuntimeHealth = {
  kind: 'answered',
  conditions: [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ],
};

function input(extra: Partial<NodeStatusInput> = {}): NodeStatusInput {
  return {
    nodeIp: '10.0.0.5',
    hostname: 'w1',
    host: HOST,
    runtimeVersion: {
      version: '0.1.0',
      runtime_name: 'containerd',
      runtime_version: '1.6.20~ds1',
      runtime_api_version: 'v1',
    },
    runtime: READY,
    kubeletVersion: 'v1.33.0-k8ts.1',
    daemonPort: 10250,
    images: [
      {
        id: 'sha256:a',
        repo_tags: ['localhost/k8ts/busybox:1'],
        repo_digests: [],
        size: '900000',
        uid: null,
        username: '',
      },
      {
        id: 'sha256:b',
        repo_tags: ['localhost/k8ts/pause:1'],
        repo_digests: ['localhost/k8ts/pause@sha256:b'],
        size: '1000',
        uid: null,
        username: '',
      },
    ],
    maxPods: 110,
    previous: undefined,
    now: new Date('2026-01-01T00:00:10.500Z'),
    ...extra,
  };
}

describe('buildNodeStatus', () => {
  it('reports capacity, allocatable (eviction thresholds held back), addresses and nodeInfo', () => {
    const s = buildNodeStatus(input());
    assert.deepEqual(s.capacity, {
      cpu: '2',
      memory: '8388608Ki',
      'ephemeral-storage': '104857600Ki',
      pods: '110',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
    });
    assert.equal(s.allocatable?.['memory'], '8286208Ki');
    assert.equal(s.allocatable['ephemeral-storage'], String(Math.floor(100 * 1024 ** 3 * 0.9)));
    assert.deepEqual(s.addresses, [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'w1' },
    ]);
    assert.equal(s.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20~ds1');
    assert.equal(s.nodeInfo.kubeletVersion, 'v1.33.0-k8ts.1');
    assert.equal(s.nodeInfo.architecture, 'amd64');
    assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual(
      s.images?.map((i) => i.names),
      [['localhost/k8ts/busybox:1'], ['localhost/k8ts/pause@sha256:b', 'localhost/k8ts/pause:1']],
    );
  });

  it('is Ready with upstream reasons when the runtime and its network are ready', () => {
    const s = buildNodeStatus(input());
    assert.deepEqual(
      s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        [
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    );
    assert.equal(s.conditions[3]!.lastHeartbeatTime, '2026-01-01T00:00:10Z');
    assert.equal(isReady(s), true);
  });

  const notReady: { name: string; runtime: RuntimeHealth; message: string }[] = [
    {
      name: 'network not ready',
      runtime: {
        kind: 'answered',
        conditions: [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          {
            type: 'NetworkReady',
            status: false,
            reason: 'NetworkPluginNotReady',
            message: 'Network plugin returns error: cni plugin not initialized',
          },
        ],
      },
      message:
        'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    },
    {
      name: 'runtime not ready and no network condition',
      runtime: {
        kind: 'answered',
        conditions: [{ type: 'RuntimeReady', status: false, reason: 'X', message: 'y' }],
      },
      message:
        'container runtime not ready: RuntimeReady=false reason:X message:y,container runtime network not ready: <nil>',
    },
    {
      name: 'no answer yet',
      runtime: { kind: 'unknown' },
      message: 'container runtime status check may not have completed yet',
    },
    { name: 'runtime down', runtime: { kind: 'down' }, message: 'container runtime is down' },
  ];
  for (const c of notReady)
    it(`is NotReady (KubeletNotReady) when ${c.name}`, () => {
      const ready = buildNodeStatus(input({ runtime: c.runtime })).conditions?.find(
        (x) => x.type === 'Ready',
      );
      assert.equal(ready?.status, 'False');
      assert.equal(ready.reason, 'KubeletNotReady');
      assert.equal(ready.message, c.message);
      assert.equal(runtimeErrors(c.runtime).join(','), c.message);
    });

  it('keeps lastTransitionTime while a status stays, moves it on a change, keeps foreign conditions', () => {
    const previous: NodeStatus = {
      conditions: [
        { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' },
        { type: 'DiskPressure', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' },
      ],
    };
    const s = buildNodeStatus(input({ previous }));
    const byType = (t: string) => s.conditions?.find((c) => c.type === t);
    assert.equal(byType('Ready')?.lastTransitionTime, '2025-12-31T00:00:00Z');
    assert.equal(byType('DiskPressure')?.lastTransitionTime, '2026-01-01T00:00:10Z');
    assert.equal(byType('NetworkUnavailable')?.reason, 'RouteCreated');
  });

  it('tells a changed status from a new heartbeat only', () => {
    const a = buildNodeStatus(input());
    const b = buildNodeStatus(input({ now: new Date('2026-01-01T00:01:00Z'), previous: a }));
    assert.equal(nodeStatusChanged(a, b), false);
    const c = buildNodeStatus(input({ runtime: { kind: 'down' }, previous: a }));
    assert.equal(nodeStatusChanged(a, c), true);
    assert.equal(nodeStatusChanged(undefined, a), true);
  });
});

describe('host info', () => {
  it('reads PRETTY_NAME and Go architecture names', () => {
    assert.equal(
      osImageFrom('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
      'Debian GNU/Linux 12 (bookworm)',
    );
    assert.equal(osImageFrom(''), 'Linux');
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
  });

  it('finds the default route interface for the node IP, else falls back', () => {
    assert.equal(defaultNodeIp('Iface\tDestination\nnope0\t00000000\n'), defaultNodeIp(''));
    assert.match(defaultNodeIp(''), /^\d+\.\d+\.\d+\.\d+$/);
  });
});
