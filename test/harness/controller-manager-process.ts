/**
 * `k8ts controller-manager` as a child process for e2e tests and benchmarks: its JSON-line
 * stderr is parsed as it arrives so a test can wait for a message ("started leading") and read
 * the child's own timestamp of it. Also a loopback TCP proxy that can be frozen (bytes stop
 * flowing both ways, connections stay open), to partition one child from the API server.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface LogLine {
  readonly ts: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

export class ControllerManagerProcess {
  readonly identity: string;
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  #waiters: (() => void)[] = [];
  #buffer = '';

  constructor(kubeconfigPath: string, identity: string, extraArgs: readonly string[] = []) {
    this.identity = identity;
    this.child = spawn(
      process.execPath,
      [
        BIN,
        'controller-manager',
        '--kubeconfig',
        kubeconfigPath,
        '--identity',
        identity,
        ...extraArgs,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const text = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#parse(text);
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        resolve(code);
        this.#wake();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The lines with this message, in order. */
  logged(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg);
  }

  /** Resolves with the `n`-th (1-based) line with this message; rejects after `timeoutMs`. */
  async waitFor(msg: string, timeoutMs: number, n = 1): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logged(msg)[n - 1];
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(
          `${this.identity}: no "${msg}" (#${String(n)}) within ${String(timeoutMs)} ms; last lines:\n${this.lines
            .slice(-8)
            .map((l) => JSON.stringify(l))
            .join('\n')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  #parse(text: string): void {
    try {
      const line = JSON.parse(text) as LogLine;
      if (typeof line.ts === 'number' && typeof line.msg === 'string') this.lines.push(line);
    } catch {
      this.lines.push({ ts: Date.now(), msg: 'unparsed', text });
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** A copy of a kubeconfig whose server is `server` (the same CA and credentials). */
export function kubeconfigWithServer(path: string, server: string, outPath: string): string {
  const text = readFileSync(path, 'utf8').replace(/server: \S+/, `server: ${server}`);
  writeFileSync(outPath, text, { mode: 0o600 });
  return outPath;
}

export interface FreezableProxy {
  readonly port: number;
  /** From now on no byte passes either way and new connections are held, never answered. */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to 127.0.0.1:`targetPort`. */
export async function startFreezableProxy(targetPort: number): Promise<FreezableProxy> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (frozen) return; // held open, never forwarded
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!frozen) client.destroy();
    });
    upstream.on('error', () => undefined);
    client.on('close', () => {
      if (!frozen) upstream.destroy();
    });
    client.on('data', (d: Buffer) => {
      if (!frozen) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!frozen) client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');
  return {
    port: address.port,
    freeze: () => {
      frozen = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
