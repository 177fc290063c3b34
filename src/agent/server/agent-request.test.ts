import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentPath, parseLogOptions, parsePorts, parseStreamFlags } from './agent-request.ts';

test('kubelet paths', () => {
  assert.deepEqual(parseAgentPath('/containerLogs/ns/p/c'), {
    kind: 'containerLogs',
    namespace: 'ns',
    pod: 'p',
    container: 'c',
  });
  assert.deepEqual(parseAgentPath('/exec/ns/p/c'), {
    kind: 'exec',
    namespace: 'ns',
    pod: 'p',
    uid: undefined,
    container: 'c',
  });
  assert.deepEqual(parseAgentPath('/attach/ns/p/uid-1/c'), {
    kind: 'attach',
    namespace: 'ns',
    pod: 'p',
    uid: 'uid-1',
    container: 'c',
  });
  assert.deepEqual(parseAgentPath('/portForward/ns/p'), {
    kind: 'portForward',
    namespace: 'ns',
    pod: 'p',
    uid: undefined,
  });
  for (const bad of [
    '/',
    '/exec/ns/p',
    '/containerLogs/ns/p',
    '/portForward/ns',
    '/stats/summary',
    '/exec/%E0%A4%A/p/c',
  ])
    assert.equal(parseAgentPath(bad), undefined, bad);
});

test('log options as the kubelet reads them', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const o = parseLogOptions(
    new URLSearchParams(
      'follow=true&previous=1&timestamps=true&tail=5&limitBytes=10&sinceSeconds=60',
    ),
    now,
  );
  assert.deepEqual(o, {
    follow: true,
    previous: true,
    timestamps: true,
    tailLines: 5,
    limitBytes: 10,
    sinceNs: 1767225600000000000n,
  });
  assert.equal(parseLogOptions(new URLSearchParams('tail=all'), now).tailLines, undefined);
  assert.equal(
    parseLogOptions(new URLSearchParams('sinceTime=2026-01-01T00:00:00Z'), now).sinceNs,
    1767225600000000000n,
  );
  for (const bad of [
    'tailLines=-1',
    'tailLines=x',
    'limitBytes=0',
    'sinceSeconds=0',
    'sinceSeconds=1&sinceTime=2026-01-01T00:00:00Z',
    'sinceTime=never',
  ])
    assert.throws(() => parseLogOptions(new URLSearchParams(bad), now), { code: 400 }, bad);
});

test('stream flags and ports', () => {
  assert.deepEqual(parseStreamFlags(new URLSearchParams('input=1&output=1&error=1&tty=1')), {
    stdin: true,
    stdout: true,
    stderr: false,
    tty: true,
  });
  assert.throws(
    () => parseStreamFlags(new URLSearchParams('tty=1')),
    /at least 1 of stdin, stdout, stderr/,
  );
  assert.deepEqual(parsePorts(new URLSearchParams('port=80,8080&port=9090')), [80, 8080, 9090]);
  assert.throws(() => parsePorts(new URLSearchParams('port=0')), /as a port/);
  assert.throws(() => parsePorts(new URLSearchParams('port=http')), /as a port/);
});
