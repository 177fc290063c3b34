// `k8ts controller-manager`'s node flags: k8ts defaults, upstream's values one flag away, and
// bad combinations refused before anything starts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addNodeControllerFlags, nodeControllerConfig } from './node-controller-flags.ts';
import type { NodeControllerFlags } from './node-controller-flags.ts';

function parse(args: string[]): NodeControllerFlags {
  const cmd = addNodeControllerFlags(new Command('cm')).exitOverride();
  cmd.configureOutput({ writeErr: () => undefined });
  cmd.parse(args, { from: 'user' });
  return cmd.opts<NodeControllerFlags>();
}

describe('node controller flags', () => {
  it('defaults: 1 s / 20 s / 60 s, upstream eviction rates, no CIDR allocation', () => {
    const c = nodeControllerConfig(parse([]));
    assert.deepEqual(c.nodeLifecycle, {
      nodeMonitorPeriodMs: 1000,
      nodeMonitorGracePeriodMs: 20_000,
      nodeStartupGracePeriodMs: 60_000,
      evictionRate: 0.1,
      secondaryEvictionRate: 0.01,
      largeClusterSizeThreshold: 50,
      unhealthyZoneThreshold: 0.55,
    });
    assert.equal(c.nodeIpam.allocateNodeCidrs, false);
  });
  it("upstream's timings are one flag each away", () => {
    const c = nodeControllerConfig(
      parse(['--node-monitor-period=5s', '--node-monitor-grace-period=40s']),
    );
    assert.deepEqual(
      [c.nodeLifecycle.nodeMonitorPeriodMs, c.nodeLifecycle.nodeMonitorGracePeriodMs],
      [5000, 40_000],
    );
  });
  it('CIDR allocation', () => {
    const c = nodeControllerConfig(
      parse(['--allocate-node-cidrs', '--cluster-cidr=10.244.0.0/16', '--node-cidr-mask-size=25']),
    );
    assert.deepEqual(c.nodeIpam, {
      allocateNodeCidrs: true,
      clusterCidr: '10.244.0.0/16',
      nodeCidrMaskSize: 25,
      serviceClusterIpRange: undefined,
    });
  });
  const bad: [string, string[], RegExp][] = [
    ['allocation without a range', ['--allocate-node-cidrs=true'], /needs --cluster-cidr/],
    [
      'a mask wider than the range',
      ['--allocate-node-cidrs', '--cluster-cidr=10.244.0.0/16', '--node-cidr-mask-size=8'],
      /mask size 8/,
    ],
    [
      'grace not longer than the period',
      ['--node-monitor-period=5s', '--node-monitor-grace-period=5s'],
      /longer than/,
    ],
    ['a zone threshold above 1', ['--unhealthy-zone-threshold=2'], /\(0, 1\]/],
  ];
  for (const [name, args, msg] of bad)
    it(`refuses ${name}`, () => {
      assert.throws(() => nodeControllerConfig(parse(args)), msg);
    });
  it('refuses malformed values at parse time', () => {
    assert.throws(() => parse(['--node-monitor-grace-period=soon']));
    assert.throws(() => parse(['--node-eviction-rate=-1']));
    assert.throws(() => parse(['--allocate-node-cidrs=maybe']));
  });
});
