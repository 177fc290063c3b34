import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  cgroupDriverOfContainerdConfig,
  mustRestrictOomScoreAdj,
  renderContainerdConfig,
} from './containerd-config.ts';
import { readTomlValue } from './toml-patch.ts';

const DEFAULT_16 = readFileSync(
  new URL('./testdata/containerd-1.6-default.toml', import.meta.url),
  'utf8',
);
const CRI = ['plugins', 'io.containerd.grpc.v1.cri'];
const RUNC = [...CRI, 'containerd', 'runtimes', 'runc', 'options'];

const V3 = `version = 3
root = '/var/lib/containerd'
[grpc]
  address = '/run/containerd/containerd.sock'
[plugins]
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = 'registry.k8s.io/pause:3.10'
  [plugins.'io.containerd.cri.v1.runtime']
    restrict_oom_score_adj = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ['/opt/cni/bin']
      conf_dir = '/etc/cni/net.d'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      SystemdCgroup = false
`;

describe('renderContainerdConfig', () => {
  it('patches containerd 1.6 defaults for a host node', () => {
    const out = renderContainerdConfig(DEFAULT_16, {
      cgroupDriver: 'systemd',
      sandboxImage: 'localhost/pause:1',
      cniBinDir: '/usr/lib/cni',
      restrictOomScoreAdj: true,
    });
    assert.equal(readTomlValue(out, CRI, 'sandbox_image'), '"localhost/pause:1"');
    assert.equal(readTomlValue(out, CRI, 'restrict_oom_score_adj'), 'true');
    assert.equal(readTomlValue(out, [...CRI, 'cni'], 'bin_dir'), '"/usr/lib/cni"');
    assert.equal(readTomlValue(out, [...CRI, 'cni'], 'conf_dir'), '"/etc/cni/net.d"');
    assert.equal(readTomlValue(out, RUNC, 'SystemdCgroup'), 'true');
    assert.equal(cgroupDriverOfContainerdConfig(out), 'systemd');
    // A host node keeps containerd's own paths.
    assert.equal(readTomlValue(out, [], 'root'), '"/var/lib/containerd"');
    assert.equal(readTomlValue(out, RUNC, 'Root'), '""');
    // Everything else is containerd's default, line for line.
    assert.equal(out.split('\n').length, DEFAULT_16.split('\n').length);
  });

  it('moves every containerd path under a node rootfs', () => {
    const out = renderContainerdConfig(DEFAULT_16, {
      rootfs: '/tmp/n1',
      restrictOomScoreAdj: false,
    });
    assert.equal(readTomlValue(out, [], 'root'), '"/tmp/n1/var/lib/containerd"');
    assert.equal(readTomlValue(out, [], 'state'), '"/tmp/n1/run/containerd"');
    assert.equal(
      readTomlValue(out, ['grpc'], 'address'),
      '"/tmp/n1/run/containerd/containerd.sock"',
    );
    assert.equal(
      readTomlValue(out, ['ttrpc'], 'address'),
      '"/tmp/n1/run/containerd/containerd.sock.ttrpc"',
    );
    assert.equal(readTomlValue(out, RUNC, 'Root'), '"/tmp/n1/run/containerd/runc"');
    assert.equal(readTomlValue(out, CRI, 'netns_mounts_under_state_dir'), 'true');
    assert.equal(readTomlValue(out, [...CRI, 'cni'], 'conf_dir'), '"/tmp/n1/etc/cni/net.d"');
    assert.equal(readTomlValue(out, RUNC, 'SystemdCgroup'), 'false');
    assert.equal(cgroupDriverOfContainerdConfig(out), 'cgroupfs');
  });

  it('understands containerd 2.x (config version 3)', () => {
    const out = renderContainerdConfig(V3, {
      cgroupDriver: 'systemd',
      sandboxImage: 'p:2',
      cniBinDir: '/usr/lib/cni',
      restrictOomScoreAdj: true,
    });
    const rt = ['plugins', 'io.containerd.cri.v1.runtime'];
    assert.equal(
      readTomlValue(out, ['plugins', 'io.containerd.cri.v1.images', 'pinned_images'], 'sandbox'),
      '"p:2"',
    );
    assert.equal(readTomlValue(out, [...rt, 'cni'], 'bin_dirs'), '["/usr/lib/cni"]');
    assert.equal(readTomlValue(out, rt, 'restrict_oom_score_adj'), 'true');
    assert.equal(cgroupDriverOfContainerdConfig(out), 'systemd');
  });

  it('refuses a config version it does not know', () => {
    assert.throws(() => renderContainerdConfig('version = 1\n'), /version 1 is not supported/);
    assert.throws(() => renderContainerdConfig('root = "/x"\n'), /version \(none\)/);
  });

  it('detects a missing CAP_SYS_RESOURCE from CapBnd', () => {
    assert.equal(mustRestrictOomScoreAdj('CapBnd:\t000001fffeffffff\n'), true);
    assert.equal(mustRestrictOomScoreAdj('CapBnd:\t000001ffffffffff\n'), false);
    assert.equal(mustRestrictOomScoreAdj('nothing'), false);
  });
});
