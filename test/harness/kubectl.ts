/**
 * Runs the real, versioned kubectl binaries (`kubectl.1.27` … `kubectl.1.33` beside the
 * machine's kubectl dispatcher) with a kubeconfig and a private cache dir, bounded in time (or,
 * for commands that keep running, until stopped).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const KUBECTL_VERSIONS = ['1.27', '1.29', '1.31', '1.33'] as const;

function kubectlDir(): string {
  for (const p of ['/usr/lib/google-cloud-sdk/bin', '/usr/bin']) {
    if (existsSync(join(p, 'kubectl.1.33'))) return p;
  }
  try {
    return dirname(realpathSync('/usr/bin/kubectl'));
  } catch {
    return dirname(readlinkSync('/usr/bin/kubectl'));
  }
}

export function kubectlPath(version: string): string {
  return join(kubectlDir(), `kubectl.${version}`);
}

export function hasKubectl(version: string): boolean {
  return existsSync(kubectlPath(version));
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function kubectl(
  version: string,
  kubeconfig: string,
  args: readonly string[],
  input?: string,
  timeoutMs = 30_000,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlPath(version),
      [
        `--kubeconfig=${kubeconfig}`,
        `--cache-dir=${dirname(kubeconfig)}/cache-${version}`,
        ...args,
      ],
      {
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, KUBECONFIG: '', HOME: dirname(kubeconfig) },
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface BackgroundKubectl {
  /** What it printed so far. */
  readonly out: { stdout: string; stderr: string };
  /** Kills it (SIGTERM) and resolves once it exited. */
  stop(): Promise<void>;
}

/** A kubectl that keeps running (`logs -f`, `attach`, `port-forward`) until `stop()`. */
export function kubectlBackground(
  version: string,
  kubeconfig: string,
  args: readonly string[],
): BackgroundKubectl {
  const child = spawn(
    kubectlPath(version),
    [`--kubeconfig=${kubeconfig}`, `--cache-dir=${dirname(kubeconfig)}/cache-${version}`, ...args],
    { env: { ...process.env, KUBECONFIG: '', HOME: dirname(kubeconfig) } },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  return {
    out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}
