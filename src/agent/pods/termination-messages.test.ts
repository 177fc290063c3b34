import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, runtimePod, sandbox } from './pod-fixtures.test-support.ts';
import type { RuntimeContainer } from './runtime-state.ts';
import { logTail, withTerminationMessages } from './termination-messages.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-termination-messages-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `<podDir>/containers/<name>/<restartCount>-termination-log`. */
function terminationLog(podDir: string, name: string, restartCount: number, text: string): void {
  mkdirSync(join(podDir, 'containers', name), { recursive: true });
  writeFileSync(join(podDir, 'containers', name, `${String(restartCount)}-termination-log`), text);
}

/** A CRI log file: `<time> <stream> <tag> <line>` per line. */
function criLog(name: string, lines: readonly string[]): string {
  const path = join(dir, `${name}.log`);
  writeFileSync(path, lines.map((l) => `2025-01-01T00:00:00.000000000Z stdout F ${l}\n`).join(''));
  return path;
}

function messageOf(podDir: string, c: RuntimeContainer): string | undefined {
  return withTerminationMessages(runtimePod([sandbox()], [c]), podDir)?.containers[0]?.message;
}

describe('withTerminationMessages', () => {
  const podDir = join(dir, 'pod');
  terminationLog(podDir, 'wrote', 0, 'bye');
  terminationLog(podDir, 'long', 0, 'x'.repeat(5000));
  terminationLog(podDir, 'restarted', 1, 'second run');
  const log = criLog('app', ['first', 'panic: boom']);
  const exited = (name: string, extra: Partial<RuntimeContainer> = {}): RuntimeContainer =>
    container(name, { state: 'exited', exitCode: 1, ...extra });

  const cases: { name: string; c: RuntimeContainer; want: string }[] = [
    { name: 'reads the file the container wrote', c: exited('wrote'), want: 'bye' },
    { name: 'keeps at most 4 KiB of it', c: exited('long'), want: 'x'.repeat(4096) },
    {
      name: 'reads the file of the instance (restart count)',
      c: exited('restarted', { restartCount: 1 }),
      want: 'second run',
    },
    {
      name: 'keeps the message the runtime gave',
      c: exited('wrote', { message: 'from runtime' }),
      want: 'from runtime',
    },
    { name: 'leaves a running container alone', c: container('wrote'), want: '' },
    { name: 'no file, policy File: no message', c: exited('none', { logPath: log }), want: '' },
    {
      name: 'no file, FallbackToLogsOnError and a failure: the log tail',
      c: exited('none', { logPath: log, terminationMessagePolicy: 'FallbackToLogsOnError' }),
      want: 'first\npanic: boom',
    },
    {
      name: 'FallbackToLogsOnError after exit 0: no message',
      c: exited('none', {
        logPath: log,
        exitCode: 0,
        terminationMessagePolicy: 'FallbackToLogsOnError',
      }),
      want: '',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(messageOf(podDir, c.c), c.want);
    });

  it('answers undefined when the runtime has no pod', () => {
    assert.equal(withTerminationMessages(undefined, podDir), undefined);
  });
});

describe('logTail', () => {
  it('keeps the last 80 lines without the CRI prefixes', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${String(i)}`);
    const tail = logTail(criLog('many', lines)).split('\n');
    assert.equal(tail.length, 80);
    assert.equal(tail[0], 'line 20');
    assert.equal(tail[79], 'line 99');
  });

  it('keeps at most 2 KiB', () => {
    const tail = logTail(
      criLog(
        'wide',
        Array.from({ length: 10 }, () => 'y'.repeat(500)),
      ),
    );
    assert.equal(tail.length, 2048);
  });

  it('answers empty for a missing file', () => {
    assert.equal(logTail(join(dir, 'missing.log')), '');
  });
});
