import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodePaths } from './node-paths.ts';
import {
  SYSTEMD_UNIT_NAME,
  isProcessAlive,
  startNode,
  stopNode,
  systemdUnit,
} from './node-service.ts';
import type { SystemdHost } from './node-service.ts';

test('the unit runs the supervisor, restarts it, and reloads with SIGHUP', () => {
  const unit = systemdUnit([
    '/usr/bin/node',
    '/opt/k 8ts/bin/k8ts.js',
    'node',
    'run',
    '--rootfs',
    '/',
  ]);
  assert.match(
    unit,
    /^ExecStart=\/usr\/bin\/node "\/opt\/k 8ts\/bin\/k8ts.js" node run --rootfs \/$/m,
  );
  assert.match(unit, /^Restart=always$/m);
  assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(unit, /^KillMode=mixed$/m);
  assert.match(unit, /^WantedBy=multi-user.target$/m);
});

test('where systemd is PID 1 the node is a unit: written, enabled, then disabled and removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-systemd-'));
  // Stands in for the supervisor systemd would start: a process of this test's own.
  const supervisor = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const rootfs = join(dir, 'root');
    const paths = nodePaths(rootfs);
    const calls = join(dir, 'calls');
    const systemctl = join(dir, 'systemctl');
    writeFileSync(
      systemctl,
      [
        '#!/bin/sh',
        `echo "$*" >> ${calls}`,
        'case "$1" in',
        `  enable) mkdir -p ${paths.runDir} && echo ${String(supervisor.pid)} > ${paths.pidFile} ;;`,
        `  disable) kill ${String(supervisor.pid)} ;;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(systemctl, 0o755);
    mkdirSync(join(dir, 'run-systemd-system'));
    const host: SystemdHost = {
      root: rootfs,
      bootedMarker: join(dir, 'run-systemd-system'),
      unitDir: join(dir, 'units'),
      systemctl,
    };
    const started = await startNode(rootfs, 5000, host);
    assert.deepEqual(started, { how: 'systemd', pid: supervisor.pid });
    const unit = readFileSync(join(host.unitDir, SYSTEMD_UNIT_NAME), 'utf8');
    assert.match(unit, new RegExp(`^ExecStart=.* node run --rootfs ${rootfs}$`, 'm'));
    assert.deepEqual(readFileSync(calls, 'utf8').split('\n'), [
      'daemon-reload',
      `enable --now ${SYSTEMD_UNIT_NAME}`,
      '',
    ]);

    const stopped = await stopNode(rootfs, 5000, host);
    assert.equal(stopped.supervisorPid, supervisor.pid);
    assert.deepEqual(readFileSync(calls, 'utf8').split('\n').slice(2), [
      `disable --now ${SYSTEMD_UNIT_NAME}`,
      'daemon-reload',
      '',
    ]);
    assert.equal(existsSync(join(host.unitDir, SYSTEMD_UNIT_NAME)), false);
    assert.equal(isProcessAlive(supervisor.pid ?? 0), false);
  } finally {
    if (supervisor.exitCode === null) supervisor.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without systemd the supervisor is a detached process with a pid file and a log file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-detached-'));
  const host: SystemdHost = {
    root: dir,
    bootedMarker: join(dir, 'no-systemd-here'),
    unitDir: join(dir, 'units'),
    systemctl: join(dir, 'no-systemctl'),
  };
  const paths = nodePaths(dir);
  let pid: number | undefined;
  try {
    const started = await startNode(dir, 60_000, host);
    pid = started.pid;
    assert.equal(started.how, 'detached');
    assert.ok(pid !== undefined && isProcessAlive(pid));
    assert.equal(readFileSync(paths.pidFile, 'utf8').trim(), String(pid));
    assert.ok(existsSync(paths.supervisorLog));
    assert.equal(existsSync(host.unitDir), false);
    const again = await startNode(dir, 60_000, host);
    assert.deepEqual(again, { how: 'already-running', pid });
    const stopped = await stopNode(dir, 20_000, host);
    assert.equal(stopped.supervisorPid, pid);
    assert.equal(isProcessAlive(pid), false);
    assert.equal(existsSync(paths.pidFile), false);
  } finally {
    if (pid !== undefined && isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
