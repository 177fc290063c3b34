import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  InitConfigError,
  endpointHost,
  firstServiceIp,
  resolveInitConfig,
  withPort,
} from './init-config.ts';
import type { InitFlags } from './init-config.ts';

const base: InitFlags = { rootfs: '/tmp/n1', advertiseAddress: '127.0.0.11', nodeName: 'cp1' };

describe('resolveInitConfig', () => {
  test("kubeadm's defaults", () => {
    const c = resolveInitConfig(base);
    assert.equal(c.bindPort, 6443);
    assert.equal(c.controlPlaneEndpoint, '127.0.0.11:6443');
    assert.equal(c.hasExplicitControlPlaneEndpoint, false);
    assert.equal(c.datastore, 'etcd');
    assert.equal(c.etcdClientPort, 2379);
    assert.equal(c.etcdPeerPort, 2380);
    assert.equal(c.serviceCidr, '10.96.0.0/12');
    assert.equal(c.serviceIp, '10.96.0.1');
    assert.equal(c.dnsDomain, 'cluster.local');
    assert.equal(c.tokenTtlMs, 24 * 3600 * 1000);
    assert.equal(c.apiReadyTimeoutMs, 240_000);
    assert.equal(c.paths.pkiDir, '/tmp/n1/etc/kubernetes/pki');
    assert.match(c.token.value, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    assert.deepEqual(c.node, {
      name: 'cp1',
      nodeIp: '127.0.0.11',
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      cgroupDriver: undefined,
      kubeletPort: 10250,
      labels: {},
      taints: [],
    });
  });

  test('flags override the defaults; the endpoint gets the bind port; names are lower-cased', () => {
    const c = resolveInitConfig({
      ...base,
      nodeName: 'CP1',
      bindPort: 7443,
      controlPlaneEndpoint: 'lb.example',
      serviceCidr: '10.100.0.0/16',
      podNetworkCidr: '10.244.0.0/16',
      datastore: 'sqlite',
      ignorePreflightErrors: ['Swap', 'Port-6443'],
      cgroupDriver: 'systemd',
      kubeletPort: 11250,
    });
    assert.equal(c.nodeName, 'cp1');
    assert.equal(c.controlPlaneEndpoint, 'lb.example:7443');
    assert.equal(c.serviceIp, '10.100.0.1');
    assert.equal(c.podNetworkCidr, '10.244.0.0/16');
    assert.equal(c.datastore, 'sqlite');
    assert.deepEqual(c.ignorePreflightErrors, ['swap', 'port-6443']);
    assert.equal(c.node.cgroupDriver, 'systemd');
    assert.equal(c.node.kubeletPort, 11250);
  });

  test('an external etcd replaces the local member', () => {
    const c = resolveInitConfig({
      ...base,
      externalEtcd: { endpoints: ['https://10.0.0.5:2379'], caFile: '/ca.crt' },
    });
    assert.equal(c.datastore, 'external-etcd');
    assert.deepEqual(c.externalEtcd?.endpoints, ['https://10.0.0.5:2379']);
  });

  const bad: [string, InitFlags, RegExp][] = [
    [
      'advertise address',
      { ...base, advertiseAddress: 'not-an-ip' },
      /--apiserver-advertise-address/,
    ],
    ['port', { ...base, bindPort: 70000 }, /--apiserver-bind-port/],
    ['node name', { ...base, nodeName: 'Bad_Name' }, /--node-name/],
    ['service CIDR', { ...base, serviceCidr: '10.96.0.0' }, /--service-cidr/],
    ['pod CIDR', { ...base, podNetworkCidr: 'x' }, /--pod-network-cidr/],
    ['endpoint', { ...base, controlPlaneEndpoint: 'a b' }, /--control-plane-endpoint/],
    ['ttl', { ...base, tokenTtlMs: -1 }, /--token-ttl/],
    [
      'etcd + sqlite',
      { ...base, datastore: 'sqlite', externalEtcd: { endpoints: ['https://a:1'] } },
      /exclude/,
    ],
    ['etcd endpoint', { ...base, externalEtcd: { endpoints: ['a:1'] } }, /not an http/],
  ];
  for (const [what, flags, message] of bad) {
    test(`a bad ${what} is refused with the flag's name`, () => {
      assert.throws(
        () => resolveInitConfig(flags),
        (e: unknown) => e instanceof InitConfigError && message.test(e.message),
      );
    });
  }

  test('a malformed token is refused without echoing it', () => {
    assert.throws(
      () => resolveInitConfig({ ...base, token: 'abcdef.SECRETSECRETSECRE' }),
      (e: unknown) =>
        e instanceof InitConfigError && !e.message.includes('SECRET') && /--token/.test(e.message),
    );
  });
});

test('endpoint helpers', () => {
  assert.equal(withPort('10.0.0.1', 6443), '10.0.0.1:6443');
  assert.equal(withPort('10.0.0.1:7443', 6443), '10.0.0.1:7443');
  assert.equal(withPort('fd00::1', 6443), '[fd00::1]:6443');
  assert.equal(endpointHost('[fd00::1]:6443'), 'fd00::1');
  assert.equal(endpointHost('lb.example:6443'), 'lb.example');
  assert.equal(firstServiceIp('10.96.0.0/12'), '10.96.0.1');
  assert.throws(() => firstServiceIp('10.96.0.0/31'), InitConfigError);
});
