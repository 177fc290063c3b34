/**
 * A k8ts control-plane command (`controller-manager`, `scheduler`) as a child process for e2e
 * tests and benchmarks, started with `--kubeconfig`, `--identity` and the caller's flags: its
 * JSON-line stderr is parsed as it arrives, so a test can wait for a message ("started
 * leading") and read the child's own timestamp of it (`ts`). Stopped by PID only (`kill`);
 * a process-exit hook SIGKILLs whatever the test left running.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LogLine {
  readonly ts: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

export type Component = 'controller-manager' | 'scheduler';

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export class ComponentProcess {
  readonly component: Component;
  readonly identity: string;
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  #waiters: (() => void)[] = [];
  #buffer = '';

  constructor(
    component: Component,
    kubeconfigPath: string,
    identity: string,
    extraArgs: readonly string[] = [],
    options: { readonly nodeArgs?: readonly string[] } = {},
  ) {
    this.component = component;
    this.identity = identity;
    this.child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        BIN,
        component,
        '--kubeconfig',
        kubeconfigPath,
        '--identity',
        identity,
        ...extraArgs,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    running.add(this.child);
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
        running.delete(this.child);
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

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it exited. */
  async stop(graceMs = 5_000): Promise<void> {
    this.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
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
