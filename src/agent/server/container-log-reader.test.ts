import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseCriLogLine, parseTimestamp, readContainerLog } from './container-log-reader.ts';
import type { LogReadOptions } from './container-log-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-logs-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const LOG = [
  '2026-01-01T00:00:01.5Z stdout F one',
  '2026-01-01T00:00:02.000000001Z stderr F two',
  '2026-01-01T00:00:03Z stdout P thr',
  '2026-01-01T00:00:03.1Z stdout F ee',
  'garbage line that is skipped',
  '2026-01-01T00:00:04+01:00 stdout F four',
].join('\n');

function logFile(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function read(
  path: string,
  o: Partial<LogReadOptions>,
  isRunning = () => Promise.resolve(false),
) {
  const out: Buffer[] = [];
  await readContainerLog(
    path,
    { follow: false, timestamps: false, ...o },
    { write: (c) => (out.push(Buffer.from(c)), Promise.resolve()), isRunning, pollMs: 20 },
  );
  return Buffer.concat(out).toString();
}

test('CRI lines parse; timestamps come back with nine fraction digits', () => {
  assert.equal(parseTimestamp('2026-01-01T00:00:01.5Z')?.fixed, '2026-01-01T00:00:01.500000000Z');
  assert.equal(parseTimestamp('2026-01-01T00:00:01Z')?.epochNs, 1767225601000000000n);
  assert.equal(parseTimestamp('yesterday'), undefined);
  const r = parseCriLogLine(Buffer.from('2026-01-01T00:00:03Z stdout P:x thr\n'));
  assert.deepEqual(r && { s: r.stream, p: r.partial, c: r.content.toString() }, {
    s: 'stdout',
    p: true,
    c: 'thr',
  });
  assert.equal(parseCriLogLine(Buffer.from('2026-01-01T00:00:03Z stdin F x\n')), undefined);
});

const cases: { name: string; o: Partial<LogReadOptions>; want: string }[] = [
  {
    name: 'whole file, partial lines joined, the unterminated last line too',
    o: {},
    want: 'one\ntwo\nthree\nfour',
  },
  { name: 'tailLines counts file lines (as the kubelet)', o: { tailLines: 2 }, want: 'ee\nfour' },
  { name: 'tailLines 0', o: { tailLines: 0 }, want: '' },
  { name: 'tailLines past the start', o: { tailLines: 99 }, want: 'one\ntwo\nthree\nfour' },
  {
    name: 'timestamps',
    o: { timestamps: true, tailLines: 3 },
    want: '2026-01-01T00:00:03.000000000Z thr2026-01-01T00:00:03.100000000Z ee\n2026-01-01T00:00:04.000000000+01:00 four',
  },
  {
    name: 'sinceNs skips older records',
    o: { sinceNs: 1767225602000000001n },
    want: 'two\nthree\n',
  },
  { name: 'limitBytes cuts mid-line', o: { limitBytes: 6 }, want: 'one\ntw' },
];
for (const c of cases) {
  test(`log: ${c.name}`, async () => {
    assert.equal(await read(logFile(`${c.name.replace(/\W/g, '')}.log`, LOG), c.o), c.want);
  });
}

test('follow sees new lines, survives a rotation, and stops once the container stopped', async () => {
  const path = logFile('follow.log', '2026-01-01T00:00:01Z stdout F first\n');
  let running = true;
  const out: string[] = [];
  const done = readContainerLog(
    path,
    { follow: true, timestamps: false },
    {
      write: (c) => {
        out.push(c.toString());
        return Promise.resolve();
      },
      isRunning: () => Promise.resolve(running),
      pollMs: 20,
    },
  );
  await new Promise((r) => setTimeout(r, 60));
  appendFileSync(path, '2026-01-01T00:00:02Z stdout F second\n2026-01-01T00:00:03Z stdout F thi');
  await new Promise((r) => setTimeout(r, 60));
  appendFileSync(path, 'rd\n');
  await new Promise((r) => setTimeout(r, 60));
  renameSync(path, `${path}.1`);
  writeFileSync(path, '2026-01-01T00:00:04Z stdout F rotated\n');
  await new Promise((r) => setTimeout(r, 100));
  running = false;
  appendFileSync(path, '2026-01-01T00:00:05Z stdout F last words\n');
  await done;
  assert.equal(out.join(''), 'first\nsecond\nthird\nrotated\nlast words\n');
});

test('follow ends when the caller aborts', async () => {
  const path = logFile('abort.log', '2026-01-01T00:00:01Z stdout F x\n');
  const ac = new AbortController();
  const done = readContainerLog(
    path,
    { follow: true, timestamps: false },
    {
      write: () => Promise.resolve(),
      isRunning: () => Promise.resolve(true),
      signal: ac.signal,
      pollMs: 5_000,
    },
  );
  setTimeout(() => {
    ac.abort();
  }, 30);
  await done;
});
