// `k8ts agent`'s kubelet-named flags: defaults as kubelet's, bad values refused by name before
// anything starts (the action is replaced, so nothing runs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentCommand } from './agent.ts';

function parse(args: string[]): Record<string, unknown> {
  const cmd = agentCommand().exitOverride();
  args = ['--kubeconfig', '/nonexistent/kubelet.conf', ...args];
  cmd.configureOutput({ writeErr: () => undefined });
  cmd.action(() => undefined);
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('k8ts agent flags', () => {
  it("defaults: no cluster DNS, cluster.local, the host's resolv.conf, a 1 m pod resync", () => {
    const f = parse([]);
    assert.deepEqual(
      [f['clusterDns'], f['clusterDomain'], f['resolvConf'], f['syncFrequency']],
      [[], 'cluster.local', '/etc/resolv.conf', 60_000],
    );
  });
  it('takes the values kubelet takes', () => {
    const f = parse([
      '--cluster-dns=10.96.0.10,10.96.0.11',
      '--cluster-dns',
      'fd00::a',
      '--cluster-domain=example.internal',
      '--resolv-conf=/run/systemd/resolve/resolv.conf',
      '--sync-frequency=30s',
    ]);
    assert.deepEqual(f['clusterDns'], ['10.96.0.10', '10.96.0.11', 'fd00::a']);
    assert.equal(f['clusterDomain'], 'example.internal');
    assert.equal(f['resolvConf'], '/run/systemd/resolve/resolv.conf');
    assert.equal(f['syncFrequency'], 30_000);
  });
  it('refuses bad values, naming the flag', () => {
    for (const [args, pattern] of [
      [['--cluster-dns=not-an-ip'], /--cluster-dns.*not-an-ip is not an IP address/],
      [['--cluster-domain=Bad_Domain'], /--cluster-domain.*not a DNS subdomain/],
      [['--sync-frequency=0s'], /--sync-frequency.*must be positive/],
      [['--sync-frequency=soon'], /--sync-frequency/],
    ] as const) {
      assert.throws(() => parse([...args]), pattern, args.join(' '));
    }
  });
});
