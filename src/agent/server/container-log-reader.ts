/**
 * Reads a container's CRI log file as the kubelet serves it (pkg/kubelet/kuberuntime/logs): lines
 * `<RFC3339Nano> <stdout|stderr> <P|F> <content>`, partial (P) records joined, with tailLines
 * (counted in file lines from the end), sinceTime, timestamps (RFC3339 with nine fraction
 * digits), limitBytes, and follow: new lines as they are written, until the container stops
 * (checked whenever the file is quiet, at least every second) or the caller aborts. A log file
 * replaced under a follower (rotation) is reopened. Unparsable lines are skipped.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

export interface LogReadOptions {
  readonly follow: boolean;
  readonly timestamps: boolean;
  /** Lines from the end to start at; undefined: the whole file. */
  readonly tailLines?: number | undefined;
  /** Skip records older than this (epoch nanoseconds); undefined: none. */
  readonly sinceNs?: bigint | undefined;
  /** Stop after this many bytes; undefined: no limit. */
  readonly limitBytes?: number | undefined;
}

export interface LogReadIo {
  /** Resolves when the chunk may be followed by more (back-pressure). */
  readonly write: (chunk: Buffer) => Promise<void>;
  /** Whether the container still runs (follow stops once it does not). */
  readonly isRunning: () => Promise<boolean>;
  readonly signal?: AbortSignal | undefined;
  /** Longest quiet wait before checking the file and the container again. Default: 1,000 ms. */
  readonly pollMs?: number | undefined;
}

export interface CriLogRecord {
  /** The timestamp with nine fraction digits (Go's RFC3339NanoFixed). */
  readonly timestamp: string;
  readonly epochNs: bigint;
  readonly stream: 'stdout' | 'stderr';
  readonly partial: boolean;
  /** The content, with the newline of a full (F) record. */
  readonly content: Buffer;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Parses an RFC 3339 timestamp with up to nanosecond precision. */
export function parseTimestamp(text: string): { fixed: string; epochNs: bigint } | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, base = '', fraction = '', zone = ''] = m;
  const ms = Date.parse(`${base}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const nanos = fraction.padEnd(9, '0');
  return { fixed: `${base}.${nanos}${zone}`, epochNs: BigInt(ms) * 1_000_000n + BigInt(nanos) };
}

/** One line of the file (its newline included, when it has one). */
export function parseCriLogLine(line: Buffer): CriLogRecord | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const ts = parseTimestamp(line.toString('latin1', 0, s1));
  if (ts === undefined) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const s3 = line.indexOf(0x20, s2 + 1);
  if (s3 < 0) return undefined;
  // Tags are colon-separated and forward compatible; the first says partial or full.
  const partial = line.toString('latin1', s2 + 1, s3).split(':')[0] === 'P';
  let content = line.subarray(s3 + 1);
  if (partial && content.at(-1) === 0x0a) content = content.subarray(0, -1);
  return { timestamp: ts.fixed, epochNs: ts.epochNs, stream, partial, content };
}

const BLOCK = 4096;

/** Where the last `n` lines start (an incomplete last line is not counted), as kubelet's tail. */
export async function tailStartOffset(file: FileHandle, size: number, n: number): Promise<number> {
  let left = size;
  let count = 0;
  let block = Buffer.alloc(0);
  for (let right = size; right > 0 && count <= n; right -= BLOCK) {
    left = Math.max(0, right - BLOCK);
    block = Buffer.alloc(right - left);
    await file.read(block, 0, block.length, left);
    for (const b of block) if (b === 0x0a) count += 1;
  }
  let offset = left;
  for (; count > n; count -= 1) {
    const idx = block.indexOf(0x0a) + 1;
    block = block.subarray(idx);
    offset += idx;
  }
  return offset;
}

class LogWriter {
  #remaining: number;
  readonly #o: LogReadOptions;
  readonly #write: LogReadIo['write'];

  constructor(o: LogReadOptions, write: LogReadIo['write']) {
    this.#o = o;
    this.#write = write;
    this.#remaining = o.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  isDone(): boolean {
    return this.#remaining <= 0;
  }

  async record(line: Buffer): Promise<boolean> {
    const r = parseCriLogLine(line);
    if (r === undefined) return false;
    if (this.#o.sinceNs !== undefined && r.epochNs < this.#o.sinceNs) return true;
    let out = this.#o.timestamps
      ? Buffer.concat([Buffer.from(`${r.timestamp} `), r.content])
      : r.content;
    if (out.length > this.#remaining) out = out.subarray(0, this.#remaining);
    this.#remaining -= out.length;
    if (out.length > 0) await this.#write(out);
    return true;
  }
}

/** Streams the log at `path` to `io.write`; resolves when done (or aborted). */
export async function readContainerLog(
  path: string,
  options: LogReadOptions,
  io: LogReadIo,
): Promise<void> {
  let file = await open(path, 'r');
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const onAbort = (): void => wake?.();
  io.signal?.addEventListener('abort', onAbort);
  try {
    const size = (await file.stat()).size;
    let position =
      options.tailLines === undefined ? 0 : await tailStartOffset(file, size, options.tailLines);
    // Without follow, tailLines also bounds how many records are written (kubelet's limitedMode).
    let left = options.tailLines !== undefined && !options.follow ? options.tailLines : Infinity;
    const writer = new LogWriter(options, io.write);
    let pending: Buffer = Buffer.alloc(0);
    let stillRunning = true;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      if (io.signal?.aborted === true || writer.isDone() || left <= 0) return;
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
        let nl: number;
        while ((nl = pending.indexOf(0x0a)) >= 0 && left > 0 && !writer.isDone()) {
          const line = pending.subarray(0, nl + 1);
          pending = pending.subarray(nl + 1);
          if (await writer.record(line)) left -= 1;
        }
        continue;
      }
      if (!options.follow || !stillRunning) {
        // The end: an incomplete last line is still shown (as the kubelet does).
        if (pending.length > 0 && left > 0) await writer.record(pending);
        return;
      }
      // At the end of what is written so far: wait for more while the container runs.
      stillRunning = await io.isRunning();
      if (!stillRunning) continue; // read what came meanwhile, then stop
      watcher ??= tryWatch(path, () => wake?.());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, io.pollMs ?? 1_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (await replaced(path, file)) {
        // Rotated: finish nothing more from the old file (it was read to its end), go on with
        // the new one from its start.
        await file.close();
        file = await open(path, 'r');
        position = 0;
        watcher?.close();
        watcher = undefined;
      }
    }
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    watcher?.close();
    await file.close();
  }
}

function tryWatch(path: string, onChange: () => void): FSWatcher | undefined {
  try {
    const w = watch(path, { persistent: false }, onChange);
    w.on('error', () => {
      w.close();
    });
    return w;
  } catch {
    return undefined; // polling alone still works
  }
}

async function replaced(path: string, file: FileHandle): Promise<boolean> {
  try {
    const [onDisk, open] = await Promise.all([stat(path), file.stat()]);
    return onDisk.ino !== open.ino;
  } catch {
    return false; // gone for now: keep the old file until a new one appears
  }
}
