import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readTomlValue, setTomlValue, tomlKeySegments } from './toml-patch.ts';

const DOC = `version = 2
root = "/var/lib/containerd"

[grpc]
  address = "/run/containerd/containerd.sock" # comment
  gid = 0

[plugins]

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.6"

    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/opt/cni/bin"
`;

describe('toml-patch', () => {
  const cases: { name: string; dotted: string; want: string[] }[] = [
    { name: 'bare', dotted: 'grpc', want: ['grpc'] },
    {
      name: 'quoted dots',
      dotted: 'plugins."io.containerd.grpc.v1.cri".cni',
      want: ['plugins', 'io.containerd.grpc.v1.cri', 'cni'],
    },
    { name: 'single quotes and spaces', dotted: " plugins . 'a.b' ", want: ['plugins', 'a.b'] },
  ];
  for (const c of cases)
    it(`splits keys: ${c.name}`, () => {
      assert.deepEqual(tomlKeySegments(c.dotted), c.want);
    });

  it('reads values, without comments, in the right table', () => {
    assert.equal(readTomlValue(DOC, [], 'version'), '2');
    assert.equal(readTomlValue(DOC, ['grpc'], 'address'), '"/run/containerd/containerd.sock"');
    assert.equal(
      readTomlValue(DOC, ['plugins', 'io.containerd.grpc.v1.cri', 'cni'], 'bin_dir'),
      '"/opt/cni/bin"',
    );
    assert.equal(readTomlValue(DOC, ['grpc'], 'bin_dir'), undefined);
    assert.equal(readTomlValue(DOC, ['nope'], 'x'), undefined);
  });

  it('replaces a key in place, keeping its indentation and every other line', () => {
    const out = setTomlValue(
      DOC,
      ['plugins', 'io.containerd.grpc.v1.cri'],
      'sandbox_image',
      '"p:1"',
    );
    assert.match(out, /\n {4}sandbox_image = "p:1"\n/);
    assert.equal(out.split('\n').length, DOC.split('\n').length);
    assert.equal(
      readTomlValue(out, ['plugins', 'io.containerd.grpc.v1.cri', 'cni'], 'bin_dir'),
      '"/opt/cni/bin"',
    );
  });

  it('adds a missing key under its header, a missing table at the end', () => {
    let out = setTomlValue(DOC, ['grpc'], 'uid', '7');
    assert.equal(readTomlValue(out, ['grpc'], 'uid'), '7');
    assert.match(out, /\[grpc\]\n {2}uid = 7\n/);
    out = setTomlValue(out, ['plugins', 'x.y', 'z'], 'k', 'true');
    assert.match(out, /\[plugins\."x\.y"\.z\]\n {2}k = true\n$/);
    assert.equal(readTomlValue(out, ['plugins', 'x.y', 'z'], 'k'), 'true');
    out = setTomlValue(out, [], 'state', '"/s"');
    assert.equal(readTomlValue(out, [], 'state'), '"/s"');
    assert.equal(readTomlValue(out, ['grpc'], 'state'), undefined);
  });
});
