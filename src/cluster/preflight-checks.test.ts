import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  PreflightError,
  applyIgnored,
  checkDirAvailable,
  checkFilesAvailable,
  checkPortsFree,
  checkSwap,
  pathCheckName,
  reportPreflight,
} from './preflight-checks.ts';

test("kubeadm's check names", () => {
  assert.equal(
    pathCheckName('FileAvailable', '/etc/kubernetes/manifests/kube-apiserver.json'),
    'FileAvailable--etc-kubernetes-manifests-kube-apiserver.json',
  );
  assert.equal(pathCheckName('DirAvailable', '/var/lib/etcd'), 'DirAvailable--var-lib-etcd');
});

test('a port in use is an error named Port-<n>; a free one is not', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const results = await checkPortsFree('127.0.0.1', [port]);
    assert.deepEqual(
      results.map((r) => [r.name, r.severity]),
      [[`Port-${String(port)}`, 'error']],
    );
  } finally {
    await new Promise((r) => server.close(r));
  }
  assert.deepEqual(await checkPortsFree('127.0.0.1', [port]), []);
});

test('existing files and non-empty directories under the rootfs are errors', () => {
  const root = mkdtempSync(join(tmpdir(), 'k8ts-preflight-'));
  try {
    mkdirSync(join(root, 'etc/kubernetes'), { recursive: true });
    writeFileSync(join(root, 'etc/kubernetes/kubelet.conf'), '');
    assert.deepEqual(
      checkFilesAvailable(root, ['/etc/kubernetes/kubelet.conf', '/etc/kubernetes/absent']).map(
        (r) => r.name,
      ),
      ['FileAvailable--etc-kubernetes-kubelet.conf'],
    );
    assert.deepEqual(checkDirAvailable(root, '/var/lib/etcd'), []);
    mkdirSync(join(root, 'var/lib/etcd/member'), { recursive: true });
    assert.equal(checkDirAvailable(root, '/var/lib/etcd')[0]?.name, 'DirAvailable--var-lib-etcd');
    const swaps = join(root, 'swaps');
    writeFileSync(swaps, 'Filename Type Size Used Priority\n/swapfile file 1 0 -2\n');
    assert.equal(checkSwap(swaps)[0]?.severity, 'warning');
    writeFileSync(swaps, 'Filename Type Size Used Priority\n');
    assert.deepEqual(checkSwap(swaps), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('--ignore-preflight-errors turns named errors (any case) or all of them into warnings', () => {
  const results = [
    { name: 'Port-6443', severity: 'error' as const, message: 'Port 6443 is in use' },
    { name: 'Swap', severity: 'warning' as const, message: 'swap is on' },
    { name: 'IsPrivilegedUser', severity: 'error' as const, message: 'not root' },
  ];
  assert.deepEqual(
    applyIgnored(results, ['port-6443']).map((r) => r.severity),
    ['warning', 'warning', 'error'],
  );
  assert.ok(applyIgnored(results, ['all']).every((r) => r.severity === 'warning'));
  const lines: string[] = [];
  assert.throws(
    () => {
      reportPreflight(results, ['Port-6443'], (l) => lines.push(l));
    },
    (e: unknown) =>
      e instanceof PreflightError &&
      e.message.includes('[ERROR IsPrivilegedUser]: not root') &&
      e.message.includes('--ignore-preflight-errors'),
  );
  assert.deepEqual(lines, [
    '\t[WARNING Port-6443]: Port 6443 is in use',
    '\t[WARNING Swap]: swap is on',
  ]);
});
