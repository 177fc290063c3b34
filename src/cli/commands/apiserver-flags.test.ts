// `k8ts apiserver`'s flag parsing (no server started): Go booleans, durations and pflag string
// slices through the shared flag parsers, kube-apiserver's range for the token expiration, and
// a clear error naming the flag for a bad value.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { apiserverCommand } from './apiserver.ts';

function command(): Command {
  const cmd = apiserverCommand().exitOverride();
  cmd.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  // Parse only: the real action would start a server.
  cmd.action(() => undefined);
  return cmd;
}

function parse(args: string[]): Record<string, unknown> {
  const cmd = command();
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('k8ts apiserver flag parsing', () => {
  it('defaults', () => {
    const o = parse([]);
    assert.equal(o['enableBootstrapTokenAuth'], true);
    assert.equal(o['anonymousAuth'], true);
    assert.equal(o['serviceAccountMaxTokenExpiration'], undefined);
    assert.deepEqual(o['apiAudiences'], []);
    assert.deepEqual(o['kubeletPreferredAddressTypes'], []);
    assert.deepEqual(o['enableAdmissionPlugins'], []);
    assert.deepEqual(o['disableAdmissionPlugins'], []);
    assert.equal(o['securePort'], '6443');
  });

  const bools: [string, boolean][] = [
    ['--enable-bootstrap-token-auth', true],
    ['--enable-bootstrap-token-auth=false', false],
    ['--enable-bootstrap-token-auth=0', false],
    ['--enable-bootstrap-token-auth=F', false],
    ['--enable-bootstrap-token-auth=True', true],
    ['--enable-bootstrap-token-auth=1', true],
  ];
  for (const [flag, want] of bools) {
    it(`${flag} is ${String(want)} (Go's ParseBool)`, () => {
      assert.equal(parse([flag])['enableBootstrapTokenAuth'], want);
    });
  }

  it('--service-account-max-token-expiration takes Go durations, in seconds', () => {
    assert.equal(
      parse(['--service-account-max-token-expiration=48h'])['serviceAccountMaxTokenExpiration'],
      172_800,
    );
    assert.equal(
      parse(['--service-account-max-token-expiration=1h30m'])['serviceAccountMaxTokenExpiration'],
      5400,
    );
    // 0 means no limit, as upstream.
    assert.equal(
      parse(['--service-account-max-token-expiration=0'])['serviceAccountMaxTokenExpiration'],
      0,
    );
  });

  it('string slices repeat and split on commas, empty values dropped', () => {
    const o = parse([
      '--api-audiences=a,b',
      '--api-audiences=c,,',
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      '--enable-admission-plugins=NodeRestriction',
      '--disable-admission-plugins=ServiceAccount',
    ]);
    assert.deepEqual(o['apiAudiences'], ['a', 'b', 'c']);
    assert.deepEqual(o['kubeletPreferredAddressTypes'], ['InternalIP', 'Hostname']);
    assert.deepEqual(o['enableAdmissionPlugins'], ['NodeRestriction']);
    assert.deepEqual(o['disableAdmissionPlugins'], ['ServiceAccount']);
  });

  it('toleration seconds are whole numbers', () => {
    const o = parse(['--default-not-ready-toleration-seconds=300']);
    assert.equal(o['defaultNotReadyTolerationSeconds'], 300);
  });

  const bad: [string, RegExp][] = [
    ['--enable-bootstrap-token-auth=yes', /--enable-bootstrap-token-auth.*invalid boolean "yes"/],
    ['--service-account-max-token-expiration=30m', /between 1 hour and 2\^32 seconds/],
    ['--service-account-max-token-expiration=-2h', /--service-account-max-token-expiration/],
    ['--service-account-max-token-expiration=2 days', /--service-account-max-token-expiration/],
    ['--default-unreachable-toleration-seconds=1.5', /not a whole number of seconds/],
  ];
  for (const [flag, message] of bad) {
    it(`refuses ${flag} with the flag's name`, () => {
      assert.throws(
        () => command().parse([flag], { from: 'user' }),
        (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
