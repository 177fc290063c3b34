import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import { writeAtomically } from '../volumes/atomic-writer.ts';
import type { MountedVolume } from '../volumes/volume-manager.ts';
import { ContainerConfigError } from './container-env.ts';
import { hostsFile, makeMounts } from './container-mounts.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-container-mounts-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
const podsDir = join(root, 'pods');
const cfgDir = join(root, 'cfg');
writeAtomically(cfgDir, new Map([['app.conf', { data: Buffer.from('x=1'), mode: 0o644 }]]));
const scratch = join(root, 'scratch');
mkdirSync(scratch, { mode: 0o777 });
// What a container could plant in its emptyDir.
symlinkSync('/', join(scratch, 'host-root'));
mkdirSync(join(scratch, 'inner'));
symlinkSync('inner', join(scratch, 'ok-link'));

const volumes = new Map<string, MountedVolume>([
  ['cfg', { hostPath: cfgDir, readOnly: true }],
  ['scratch', { hostPath: scratch, readOnly: false }],
]);
const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [] } };

function mounts(c: Partial<Container>) {
  return makeMounts({
    pod,
    container: { name: 'c', ...c },
    restartCount: 0,
    podIps: ['10.1.0.9'],
    volumes,
    env: [{ name: 'POD_NAME', value: 'p' }],
    podsDir,
  });
}

describe('makeMounts', () => {
  it('mounts volumes, API volumes read-only even with a subPath, then /etc/hosts and the termination log', () => {
    const m = mounts({
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
        { name: 'scratch', mountPath: '/data' },
        { name: 'scratch', mountPath: '/ro', readOnly: true, mountPropagation: 'HostToContainer' },
      ],
    });
    assert.deepEqual(
      m.map((x) => [x.container_path, x.readonly ?? false]),
      [
        ['/etc/app', true],
        ['/etc/app.conf', true],
        ['/data', false],
        ['/ro', true],
        ['/etc/hosts', false],
        ['/dev/termination-log', false],
      ],
    );
    // A subPath onto a ConfigMap key is the real file (it does not follow later updates, as
    // upstream), not a new directory.
    assert.equal(readFileSync(m[1]?.host_path ?? '', 'utf8'), 'x=1');
    assert.equal(m[3]?.propagation, 'PROPAGATION_HOST_TO_CONTAINER');
    assert.equal(m[2]?.propagation, 'PROPAGATION_PRIVATE');
    assert.match(readFileSync(join(podsDir, 'u1/etc-hosts'), 'utf8'), /10\.1\.0\.9\tp\n/);
  });

  it('creates a missing subPath directory inside the volume; subPathExpr expands env vars', () => {
    const m = mounts({
      volumeMounts: [
        { name: 'scratch', mountPath: '/a', subPath: 'new/dir' },
        { name: 'scratch', mountPath: '/b', subPathExpr: 'logs/$(POD_NAME)' },
        { name: 'scratch', mountPath: '/c', subPath: 'ok-link' },
      ],
    });
    assert.equal(m[0]?.host_path, join(scratch, 'new/dir'));
    assert.ok(existsSync(join(scratch, 'logs/p')));
    assert.equal(m[1]?.host_path, join(scratch, 'logs/p'));
    assert.equal(m[2]?.host_path, join(scratch, 'inner'));
  });

  const refused: [string, RegExp][] = [
    [
      'host-root',
      /failed to prepare subPath for volumeMount "scratch" of container "c": host-root resolves outside of the volume/,
    ],
    ['host-root/etc', /resolves outside of the volume/],
    ['../x', /invalid subpath "..\/x"/],
    ['/etc', /invalid subpath "\/etc"/],
  ];
  for (const [sub, error] of refused)
    it(`refuses subPath ${sub}`, () => {
      assert.throws(
        () => mounts({ volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: sub }] }),
        (err: unknown) => err instanceof ContainerConfigError && error.test(err.message),
      );
    });

  it('nothing was created outside the volume by a refused subPath', () => {
    assert.throws(() =>
      mounts({
        volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: 'host-root/k8ts-escape' }],
      }),
    );
    assert.equal(existsSync('/k8ts-escape'), false);
  });

  it('a mount of an unknown volume is a CreateContainerConfigError', () => {
    assert.throws(
      () => mounts({ volumeMounts: [{ name: 'nope', mountPath: '/x' }] }),
      /cannot find volume "nope" to mount into container "c"/,
    );
  });

  it('hostNetwork pods keep the host /etc/hosts; an empty terminationMessagePath mounts no log', () => {
    const m = makeMounts({
      pod: { ...pod, spec: { containers: [], hostNetwork: true } },
      container: { name: 'c', terminationMessagePath: '' },
      restartCount: 0,
      podIps: [],
      volumes,
      env: [],
      podsDir,
    });
    assert.deepEqual(m, []);
  });
});

describe('hostsFile', () => {
  it('adds the pod FQDN with a subdomain and the host aliases', () => {
    const text = hostsFile(
      {
        metadata: { name: 'p', namespace: 'ns' },
        spec: {
          containers: [],
          hostname: 'h',
          subdomain: 'sub',
          hostAliases: [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }],
        },
      },
      '10.0.0.1',
    );
    assert.match(text, /\n10\.0\.0\.1\th\.sub\.ns\.svc\.cluster\.local\th\n/);
    assert.match(text, /# Entries added by HostAliases\.\n1\.2\.3\.4\ta\tb\n$/);
  });
});
