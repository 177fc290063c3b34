import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VolumeSetupError, VolumeTearDownError } from './volume-manager.ts';
import {
  b64,
  mode,
  newFixture,
  newPod,
  read,
  setUpFails,
  visible,
} from './volume-manager-fixture.test-support.ts';

describe('VolumeManager: configMap', () => {
  it('maps items (key -> path, item mode over defaultMode) under the kubelet layout, read-only', async () => {
    const f = newFixture();
    f.configMaps.set('ns/cfg', {
      metadata: { name: 'cfg' },
      data: { a: 'A', b: 'B', unused: 'U' },
      binaryData: { bin: b64('\x00\x01') },
    });
    const pod = newPod([
      {
        name: 'cfg',
        configMap: {
          name: 'cfg',
          defaultMode: 0o640,
          items: [
            { key: 'a', path: 'dir/a.txt', mode: 0o600 },
            { key: 'b', path: 'b.txt' },
            { key: 'bin', path: 'bin' },
          ],
        },
      },
    ]);
    const volumes = await f.vm.setUp(pod, []);
    const dir = join(f.podsDir, 'uid-1/volumes/kubernetes.io~configmap/cfg');
    assert.deepEqual(volumes.get('cfg'), { hostPath: dir, readOnly: true });
    assert.deepEqual(visible(dir), ['b.txt', 'bin', 'dir']);
    assert.equal(read(join(dir, 'dir/a.txt')), 'A');
    assert.equal(mode(join(dir, 'dir/a.txt')), 0o600);
    assert.equal(mode(join(dir, 'b.txt')), 0o640);
    assert.deepEqual(readFileSync(join(dir, 'bin')), Buffer.from([0, 1]));
    // ConfigMaps are on the disk, as upstream.
    assert.equal(f.tmpfs.size, 0);
  });

  it('without items every key is a file with mode 0644; a changed ConfigMap is rewritten', async () => {
    const f = newFixture();
    f.configMaps.set('ns/cfg', { data: { a: 'A', b: 'B' } });
    const pod = newPod([{ name: 'v', configMap: { name: 'cfg' } }]);
    await f.vm.setUp(pod, []);
    const dir = join(f.podsDir, 'uid-1/volumes/kubernetes.io~configmap/v');
    assert.deepEqual(visible(dir), ['a', 'b']);
    assert.equal(mode(join(dir, 'a')), 0o644);
    f.configMaps.set('ns/cfg', { data: { a: 'A2', c: 'C' } });
    await f.vm.setUp(pod, []);
    assert.deepEqual(visible(dir), ['a', 'c']);
    assert.equal(read(join(dir, 'a')), 'A2');
  });

  it('a missing ConfigMap fails with upstream message; an optional one gives an empty volume', async () => {
    const f = newFixture();
    await setUpFails(
      f,
      newPod([{ name: 'cfg', configMap: { name: 'missing' } }]),
      'MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found',
    );
    assert.equal(existsSync(join(f.podsDir, 'uid-1/volumes/kubernetes.io~configmap/cfg')), false);
    await f.vm.setUp(newPod([{ name: 'opt', configMap: { name: 'missing', optional: true } }]), []);
    assert.deepEqual(visible(join(f.podsDir, 'uid-1/volumes/kubernetes.io~configmap/opt')), []);
  });

  it('a missing key fails unless the volume is optional (then the item is skipped)', async () => {
    const f = newFixture();
    f.configMaps.set('ns/cfg', { data: { a: 'A' } });
    const items = [
      { key: 'a', path: 'a' },
      { key: 'nope', path: 'n' },
    ];
    await setUpFails(
      f,
      newPod([{ name: 'cfg', configMap: { name: 'cfg', items } }]),
      'MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: nope',
    );
    await f.vm.setUp(
      newPod([{ name: 'o', configMap: { name: 'cfg', items, optional: true } }]),
      [],
    );
    assert.deepEqual(visible(join(f.podsDir, 'uid-1/volumes/kubernetes.io~configmap/o')), ['a']);
  });

  it('rejects items paths that leave the volume', async () => {
    const f = newFixture();
    f.configMaps.set('ns/cfg', { data: { a: 'A' } });
    for (const path of ['../../../etc/evil', '/etc/evil', '..data/x']) {
      await assert.rejects(
        f.vm.setUp(
          newPod([{ name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path }] } }]),
          [],
        ),
        (err: unknown) =>
          err instanceof VolumeSetupError &&
          err.message.startsWith('MountVolume.SetUp failed for volume "cfg" : invalid path:'),
      );
    }
    assert.equal(existsSync(join(f.podsDir, 'etc')), false);
  });
});

describe('VolumeManager: secret', () => {
  it('decodes data onto a tmpfs with defaultMode; missing secret and key fail as upstream', async () => {
    const f = newFixture();
    f.secrets.set('ns/s', { data: { user: b64('admin'), pass: b64('pw') } });
    const pod = newPod([{ name: 's', secret: { secretName: 's', defaultMode: 0o400 } }]);
    const v = await f.vm.setUp(pod, []);
    const dir = join(f.podsDir, 'uid-1/volumes/kubernetes.io~secret/s');
    assert.deepEqual(v.get('s'), { hostPath: dir, readOnly: true });
    assert.ok(f.tmpfs.has(dir), 'secret volumes are on a tmpfs');
    assert.equal(read(join(dir, 'user')), 'admin');
    assert.equal(mode(join(dir, 'pass')), 0o400);
    await setUpFails(
      f,
      newPod([{ name: 'x', secret: { secretName: 'gone' } }]),
      'MountVolume.SetUp failed for volume "x" : secret "gone" not found',
    );
    await setUpFails(
      f,
      newPod([{ name: 'k', secret: { secretName: 's', items: [{ key: 'token', path: 't' }] } }]),
      'MountVolume.SetUp failed for volume "k" : references non-existent secret key: token',
    );
    // Nothing was mounted for the failing volumes: everything is read before mounting.
    assert.deepEqual([...f.tmpfs.keys()], [dir]);
  });
});

describe('VolumeManager: projected and downwardAPI', () => {
  it('projects a service account token, a ConfigMap and downward API files on a tmpfs', async () => {
    const f = newFixture();
    f.configMaps.set('ns/cfg', { data: { 'ca.crt': 'CA' } });
    const pod = newPod([
      {
        name: 'kube-api-access',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { serviceAccountToken: { path: 'vault-token', audience: 'vault' } },
            { configMap: { name: 'cfg', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [
                  { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                ],
              },
            },
          ],
        },
      },
    ]);
    await f.vm.setUp(pod, ['10.1.0.7']);
    const dir = join(f.podsDir, 'uid-1/volumes/kubernetes.io~projected/kube-api-access');
    assert.ok(f.tmpfs.has(dir));
    assert.deepEqual(visible(dir), ['ca.crt', 'labels', 'namespace', 'token', 'vault-token']);
    assert.equal(read(join(dir, 'token')), 'token-for-api');
    assert.equal(read(join(dir, 'vault-token')), 'token-for-vault');
    assert.equal(mode(join(dir, 'token')), 0o644);
    assert.equal(read(join(dir, 'namespace')), 'ns');
    assert.equal(read(join(dir, 'labels')), 'app="web"\ntier="a\\"b"');
    assert.deepEqual(f.tokenCalls, [
      { audience: '', expirationSeconds: 3607, pod: 'p' },
      { audience: 'vault', expirationSeconds: 3600, pod: 'p' },
    ]);
  });

  it('a missing ConfigMap in a projection fails, an optional one is skipped', async () => {
    const f = newFixture();
    await setUpFails(
      f,
      newPod([{ name: 'pr', projected: { sources: [{ configMap: { name: 'nope' } }] } }]),
      'MountVolume.SetUp failed for volume "pr" : configmap "nope" not found',
    );
    await f.vm.setUp(
      newPod([
        { name: 'pr', projected: { sources: [{ secret: { name: 'nope', optional: true } }] } },
      ]),
      [],
    );
  });

  it('writes downwardAPI volumes (fieldRef and resourceFieldRef with divisor) on a tmpfs', async () => {
    const f = newFixture();
    const pod = newPod([
      {
        name: 'info',
        downwardAPI: {
          defaultMode: 0o444,
          items: [
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
            {
              path: 'mem',
              resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' },
            },
            {
              path: 'cpu',
              mode: 0o400,
              resourceFieldRef: { containerName: 'c', resource: 'requests.cpu', divisor: '1m' },
            },
          ],
        },
      },
    ]);
    await f.vm.setUp(pod, []);
    const dir = join(f.podsDir, 'uid-1/volumes/kubernetes.io~downward-api/info');
    assert.ok(f.tmpfs.has(dir));
    assert.equal(read(join(dir, 'name')), 'p');
    assert.equal(read(join(dir, 'app')), 'web');
    assert.equal(read(join(dir, 'mem')), '64');
    assert.equal(read(join(dir, 'cpu')), '250');
    assert.equal(mode(join(dir, 'name')), 0o444);
    assert.equal(mode(join(dir, 'cpu')), 0o400);
  });
});

describe('VolumeManager: emptyDir and hostPath', () => {
  it('emptyDir is a 0777 dir (a tmpfs of sizeLimit for medium Memory), chmod only once', async () => {
    const f = newFixture();
    const pod = newPod([
      { name: 'scratch', emptyDir: {} },
      { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    ]);
    const v = await f.vm.setUp(pod, []);
    const scratch = join(f.podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/scratch');
    const mem = join(f.podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/mem');
    assert.deepEqual(v.get('scratch'), { hostPath: scratch, readOnly: false });
    assert.equal(mode(scratch), 0o777);
    assert.equal(mode(mem), 0o777);
    assert.equal(f.tmpfs.get(mem), '64Mi');
    assert.equal(f.tmpfs.has(scratch), false);
    chmodSync(scratch, 0o700); // what a container may do to its own emptyDir
    await f.vm.setUp(pod, []);
    assert.equal(mode(scratch), 0o700);
  });

  it('hostPath answers the host path after its type check', async () => {
    const f = newFixture();
    const made = join(f.podsDir, 'made/here');
    const v = await f.vm.setUp(
      newPod([{ name: 'h', hostPath: { path: made, type: 'DirectoryOrCreate' } }]),
      [],
    );
    assert.deepEqual(v.get('h'), { hostPath: made, readOnly: false });
    assert.ok(statSync(made).isDirectory());
    await setUpFails(
      f,
      newPod([{ name: 'h', hostPath: { path: made, type: 'File' } }]),
      `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${made} is not a file`,
    );
  });

  it('an unsupported volume type fails with a message that names the supported ones', async () => {
    const f = newFixture();
    await assert.rejects(
      f.vm.setUp(newPod([{ name: 'pvc', persistentVolumeClaim: { claimName: 'c' } }]), []),
      /MountVolume\.SetUp failed for volume "pvc" : volume type not supported by k8ts \(supported: emptyDir/,
    );
  });
});

describe('VolumeManager.tearDown', () => {
  it('unmounts, removes the pod dir and forgets its tokens; a second call is a no-op', async () => {
    const f = newFixture();
    f.secrets.set('ns/s', { data: { a: b64('A') } });
    await f.vm.setUp(
      newPod([
        { name: 's', secret: { secretName: 's' } },
        { name: 'e', emptyDir: {} },
      ]),
      [],
    );
    await f.vm.tearDown('uid-1');
    assert.equal(existsSync(join(f.podsDir, 'uid-1')), false);
    assert.equal(f.tmpfs.size, 0);
    assert.deepEqual(f.forgotten, ['uid-1']);
    await f.vm.tearDown('uid-1');
    assert.deepEqual(f.forgotten, ['uid-1', 'uid-1']);
  });

  it('keeps the pod dir and fails when a mount cannot be removed (never delete through a mount)', async () => {
    const f = newFixture();
    f.secrets.set('ns/s', { data: { a: b64('A') } });
    await f.vm.setUp(newPod([{ name: 's', secret: { secretName: 's' } }]), []);
    const dir = join(f.podsDir, 'uid-1/volumes/kubernetes.io~secret/s');
    f.stuck.add(dir);
    await assert.rejects(f.vm.tearDown('uid-1'), VolumeTearDownError);
    assert.equal(read(join(dir, 'a')), 'A');
    f.stuck.clear();
    await f.vm.tearDown('uid-1');
    assert.equal(existsSync(join(f.podsDir, 'uid-1')), false);
  });
});
