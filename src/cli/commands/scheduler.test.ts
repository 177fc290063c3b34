// `k8ts scheduler`'s flag parsing (no scheduler started): kube-scheduler's leader-election flags
// with Go booleans and durations through the shared flag parsers, k8ts defaults, and clear
// errors that name the flag.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { LEADER_ELECTION_DEFAULTS } from '../../client/leader-election/index.ts';
import { schedulerCommand } from './scheduler.ts';

function command(): Command {
  const cmd = schedulerCommand().exitOverride();
  cmd.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  // Parse only: the real action would start a scheduler.
  cmd.action(() => undefined);
  return cmd;
}

function parse(args: string[]): Record<string, unknown> {
  const cmd = command();
  cmd.parse(['--kubeconfig=/dev/null', ...args], { from: 'user' });
  return cmd.opts();
}

describe('k8ts scheduler flag parsing', () => {
  it('defaults: leader election on, k8ts timings', () => {
    const o = parse([]);
    assert.equal(o['leaderElect'], true);
    assert.equal(o['leaderElectLeaseDuration'], LEADER_ELECTION_DEFAULTS.leaseDurationMs);
    assert.equal(o['leaderElectRenewDeadline'], LEADER_ELECTION_DEFAULTS.renewDeadlineMs);
    assert.equal(o['leaderElectRetryPeriod'], LEADER_ELECTION_DEFAULTS.retryPeriodMs);
    assert.equal(o['leaderElectResourceNamespace'], 'kube-system');
    assert.equal(o['leaderElectResourceName'], 'kube-scheduler');
    assert.equal(o['v'], 0);
  });

  it("upstream's timings and --leader-elect=false parse as kube-scheduler's", () => {
    const o = parse([
      '--leader-elect=false',
      '--leader-elect-lease-duration=15s',
      '--leader-elect-renew-deadline=10s',
      '--leader-elect-retry-period=2s',
    ]);
    assert.equal(o['leaderElect'], false);
    assert.deepEqual(
      [o['leaderElectLeaseDuration'], o['leaderElectRenewDeadline'], o['leaderElectRetryPeriod']],
      [15_000, 10_000, 2000],
    );
    assert.equal(parse(['--leader-elect'])['leaderElect'], true);
    assert.equal(parse(['--leader-elect=0'])['leaderElect'], false);
    assert.equal(parse(['--leader-elect-retry-period=1m500ms'])['leaderElectRetryPeriod'], 60_500);
  });

  const bad: [string, RegExp][] = [
    ['--leader-elect=nope', /--leader-elect.*invalid boolean "nope"/],
    ['--leader-elect-lease-duration=0s', /--leader-elect-lease-duration.*must be positive/],
    ['--leader-elect-renew-deadline=10', /--leader-elect-renew-deadline/],
    ['--leader-elect-retry-period=-1s', /--leader-elect-retry-period/],
  ];
  for (const [flag, message] of bad) {
    it(`refuses ${flag} with the flag's name`, () => {
      assert.throws(
        () => command().parse(['--kubeconfig=/dev/null', flag], { from: 'user' }),
        (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('--kubeconfig is required', () => {
    assert.throws(() => command().parse([], { from: 'user' }), /--kubeconfig/);
  });
});
