import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiServerSpec,
  controlPlaneSpecs,
  controllerManagerSpec,
  etcdSpec,
} from './control-plane-manifests.ts';
import { resolveInitConfig } from './init-config.ts';

const exe = { command: '/usr/bin/node', args: ['/k8ts/bin/k8ts.js'] };
const base = { rootfs: '/r', advertiseAddress: '127.0.0.11', nodeName: 'cp1' } as const;

test("the API server runs kubeadm's authorization, admission and TLS flags", () => {
  const spec = apiServerSpec(resolveInitConfig(base), exe);
  assert.equal(spec.name, 'kube-apiserver');
  assert.deepEqual(spec.args.slice(0, 2), ['/k8ts/bin/k8ts.js', 'apiserver']);
  for (const flag of [
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--enable-bootstrap-token-auth=true',
    '--client-ca-file=/r/etc/kubernetes/pki/ca.crt',
    '--etcd-servers=https://127.0.0.11:2379',
    '--etcd-cafile=/r/etc/kubernetes/pki/etcd/ca.crt',
    '--service-cluster-ip-range=10.96.0.0/12',
    '--bind-address=127.0.0.11',
    '--secure-port=6443',
  ])
    assert.ok(spec.args.includes(flag), flag);
});

test('each datastore gives the API server its own flags', () => {
  const sqlite = apiServerSpec(resolveInitConfig({ ...base, datastore: 'sqlite' }), exe);
  assert.ok(sqlite.args.includes('--datastore-endpoint=sqlite:/r/var/lib/k8ts/state.db'));
  assert.ok(!sqlite.args.some((a) => a.startsWith('--etcd-')));
  const external = apiServerSpec(
    resolveInitConfig({
      ...base,
      externalEtcd: {
        endpoints: ['https://10.0.0.5:2379', 'https://10.0.0.6:2379'],
        caFile: '/ca',
      },
    }),
    exe,
  );
  assert.ok(external.args.includes('--etcd-servers=https://10.0.0.5:2379,https://10.0.0.6:2379'));
  assert.ok(external.args.includes('--etcd-cafile=/ca'));
  assert.ok(!external.args.some((a) => a.startsWith('--etcd-certfile')));
});

test('a loopback etcd member listens only on its own address, with client and peer TLS', () => {
  const spec = etcdSpec(resolveInitConfig({ ...base, etcdClientPort: 12379, etcdPeerPort: 12380 }));
  assert.equal(spec.command, '/usr/bin/etcd');
  for (const flag of [
    '--listen-client-urls=https://127.0.0.11:12379',
    '--listen-peer-urls=https://127.0.0.11:12380',
    '--initial-cluster=cp1=https://127.0.0.11:12380',
    '--client-cert-auth=true',
    '--peer-client-cert-auth=true',
    '--data-dir=/r/var/lib/etcd',
  ])
    assert.ok(spec.args.includes(flag), flag);
});

test('the controller manager signs with the CA, runs the bootstrap controllers as their accounts', () => {
  const spec = controllerManagerSpec(resolveInitConfig(base), exe);
  for (const flag of [
    '--kubeconfig=/r/etc/kubernetes/controller-manager.conf',
    '--cluster-signing-cert-file=/r/etc/kubernetes/pki/ca.crt',
    '--cluster-signing-key-file=/r/etc/kubernetes/pki/ca.key',
    '--root-ca-file=/r/etc/kubernetes/pki/ca.crt',
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--use-service-account-credentials=true',
  ])
    assert.ok(spec.args.includes(flag), flag);
  assert.deepEqual(
    controlPlaneSpecs(resolveInitConfig(base), exe).map((s) => s.name),
    ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
  );
});
