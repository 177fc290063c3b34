/**
 * The node supervisor (`k8ts node run`): runs every process spec of a node as a child process,
 * appends each child's stdout/stderr to `<logDir>/<name>.log`, records its PID in
 * `<runDir>/<name>.pid`, and restarts a child that exits with exponential backoff (1 s doubling
 * to 30 s; reset once a child stayed up 60 s), as kubelet restarts a static pod. `reload()`
 * re-reads the specs: new ones start, removed ones stop, changed ones restart. Stopping (the
 * signal) sends SIGTERM to each child by PID, then SIGKILL after `stopTimeoutMs`, last-started
 * first. Not guaranteed: children outlive a supervisor killed with SIGKILL (reset kills them by
 * their pid files).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { childLogFile, childPidFile } from './node-paths.ts';
import type { NodePaths } from './node-paths.ts';
import { readProcessSpecs, sameProcessSpec } from './process-spec.ts';
import type { ProcessSpec } from './process-spec.ts';
import { RestartBackoff } from './restart-backoff.ts';
import type { RestartBackoffOptions } from './restart-backoff.ts';

export interface SupervisorOptions {
  readonly paths: NodePaths;
  readonly backoff?: RestartBackoffOptions;
  /** How long a child gets between SIGTERM and SIGKILL. Default: 10,000 ms. */
  readonly stopTimeoutMs?: number;
  /** One line per event (start, exit, restart). Default: stderr. */
  readonly log?: (line: string) => void;
}

interface Child {
  spec: ProcessSpec;
  process: ChildProcess | undefined;
  startedAtMs: number;
  exited: Promise<void>;
  restartTimer: NodeJS.Timeout | undefined;
  backoff: RestartBackoff;
  isStopping: boolean;
}

export class Supervisor {
  readonly #paths: NodePaths;
  readonly #backoffOptions: RestartBackoffOptions;
  readonly #stopTimeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #children = new Map<string, Child>();
  #isRunning = false;

  constructor(options: SupervisorOptions) {
    this.#paths = options.paths;
    this.#backoffOptions = options.backoff ?? {};
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** PIDs of the children running now, by name. */
  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.#children) {
      if (c.process?.pid !== undefined && c.process.exitCode === null) out[name] = c.process.pid;
    }
    return out;
  }

  /** Runs until `signal` aborts, then stops every child and resolves. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#isRunning) throw new Error('supervisor is already running');
    this.#isRunning = true;
    mkdirSync(this.#paths.runDir, { recursive: true, mode: 0o755 });
    mkdirSync(this.#paths.logDir, { recursive: true, mode: 0o755 });
    writeFileSync(this.#paths.pidFile, `${String(process.pid)}\n`);
    try {
      this.reload();
      if (!signal.aborted) {
        // A listener keeps no process alive: with no child (no specs yet) the event loop would
        // empty and Node exit (code 13) under a detached supervisor. This timer holds it.
        const keepAlive = setInterval(() => undefined, 1 << 30);
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            clearInterval(keepAlive);
            resolve();
          });
        });
      }
      await this.#stopAll();
    } finally {
      rmSync(this.#paths.pidFile, { force: true });
      this.#isRunning = false;
    }
  }

  /** Re-reads the specs and converges the children to them. A bad spec dir changes nothing. */
  reload(): void {
    let specs: ProcessSpec[];
    try {
      specs = readProcessSpecs(this.#paths.manifestsDir);
    } catch (err: unknown) {
      this.#log(`node: cannot read specs: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const wanted = new Map(specs.map((s) => [s.name, s]));
    for (const [name, child] of this.#children) {
      const spec = wanted.get(name);
      if (spec === undefined || !sameProcessSpec(spec, child.spec)) {
        this.#children.delete(name);
        void this.#stopChild(child).then(() => {
          if (spec !== undefined && this.#isRunning && !this.#children.has(name)) {
            this.#startNew(spec);
          }
        });
      }
    }
    for (const spec of specs) {
      if (!this.#children.has(spec.name)) this.#startNew(spec);
    }
  }

  #startNew(spec: ProcessSpec): void {
    const child: Child = {
      spec,
      process: undefined,
      startedAtMs: 0,
      exited: Promise.resolve(),
      restartTimer: undefined,
      backoff: new RestartBackoff(this.#backoffOptions),
      isStopping: false,
    };
    this.#children.set(spec.name, child);
    this.#spawn(child);
  }

  #spawn(child: Child): void {
    const { spec } = child;
    const logFd = openSync(childLogFile(this.#paths, spec.name), 'a', 0o600);
    let proc: ChildProcess;
    try {
      proc = spawn(spec.command, [...spec.args], {
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    child.process = proc;
    child.startedAtMs = Date.now();
    child.exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, sig) => {
        this.#onExit(child, proc, code, sig);
        resolve();
      });
      proc.once('error', (err) => {
        // spawn failure (ENOENT, EACCES): 'exit' may never come.
        this.#log(`node: ${spec.name}: ${err.message}`);
        if (proc.pid === undefined) {
          this.#onExit(child, proc, null, null);
          resolve();
        }
      });
    });
    if (proc.pid !== undefined) {
      writeFileSync(childPidFile(this.#paths, spec.name), `${String(proc.pid)}\n`);
      this.#log(`node: started ${spec.name} (pid ${String(proc.pid)})`);
    }
  }

  #onExit(child: Child, proc: ChildProcess, code: number | null, sig: string | null): void {
    if (child.process !== proc) return;
    child.process = undefined;
    rmSync(childPidFile(this.#paths, child.spec.name), { force: true });
    const how = sig === null ? `code ${String(code)}` : `signal ${sig}`;
    if (child.isStopping || !this.#isRunning) {
      this.#log(`node: ${child.spec.name} stopped (${how})`);
      return;
    }
    const delayMs = child.backoff.next(Date.now() - child.startedAtMs);
    this.#log(`node: ${child.spec.name} exited (${how}); restarting in ${String(delayMs)} ms`);
    child.restartTimer = setTimeout(() => {
      child.restartTimer = undefined;
      if (!child.isStopping && this.#isRunning) this.#spawn(child);
    }, delayMs);
  }

  async #stopChild(child: Child): Promise<void> {
    child.isStopping = true;
    if (child.restartTimer !== undefined) clearTimeout(child.restartTimer);
    const proc = child.process;
    if (proc?.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(true);
      }, this.#stopTimeoutMs);
    });
    const isTimedOut = await Promise.race([child.exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (isTimedOut) {
      this.#log(`node: ${child.spec.name} ignored SIGTERM for ${String(this.#stopTimeoutMs)} ms`);
      proc.kill('SIGKILL');
      await child.exited;
    }
  }

  /** Last-started first, so the API server leaves before etcd. */
  async #stopAll(): Promise<void> {
    const children = [...this.#children.values()].reverse();
    this.#children.clear();
    for (const child of children) await this.#stopChild(child);
  }
}
