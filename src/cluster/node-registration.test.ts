import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterPaths } from './cluster-paths.ts';
import { agentSpec, formatTaint } from './node-registration.ts';

const exe = { command: '/usr/bin/node', args: ['/opt/k8ts/bin/k8ts.js'] };

test("the agent's spec uses kubelet's flag names and names kubelet.conf by path", () => {
  const spec = agentSpec(
    clusterPaths('/tmp/w1'),
    {
      name: 'w1',
      nodeIp: '127.0.0.12',
      criSocket: 'unix:///tmp/w1/containerd.sock',
      cgroupDriver: 'cgroupfs',
      kubeletPort: 10250,
      labels: { 'example.com/pool': 'a' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      podCidr: '10.244.1.0/24',
    },
    exe,
  );
  assert.equal(spec.name, 'kubelet');
  assert.equal(spec.command, '/usr/bin/node');
  assert.deepEqual(spec.args, [
    '/opt/k8ts/bin/k8ts.js',
    'agent',
    '--kubeconfig=/tmp/w1/etc/kubernetes/kubelet.conf',
    '--rootfs=/tmp/w1',
    '--hostname-override=w1',
    '--node-ip=127.0.0.12',
    '--container-runtime-endpoint=unix:///tmp/w1/containerd.sock',
    '--address=127.0.0.12',
    '--port=10250',
    '--cgroup-driver=cgroupfs',
    '--node-labels=example.com/pool=a',
    '--register-with-taints=dedicated=gpu:NoSchedule',
    '--pod-cidr=10.244.1.0/24',
  ]);
});

test('optional flags are left out; a taint without value has none', () => {
  const spec = agentSpec(
    clusterPaths('/'),
    {
      name: 'n',
      nodeIp: '10.0.0.2',
      criSocket: 's',
      cgroupDriver: undefined,
      kubeletPort: 10250,
      labels: {},
      taints: [],
    },
    exe,
  );
  assert.equal(spec.args.filter((a) => /cgroup|labels|taints|pod-cidr/.test(a)).length, 0);
  assert.equal(formatTaint({ key: 'k', effect: 'NoExecute' }), 'k:NoExecute');
});
