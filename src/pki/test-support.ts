/**
 * Test-only helpers for the pki tests: run the system `openssl` binary (the independent
 * implementation the tests cross-check against) and manage a per-file temporary directory.
 * Not exported from index.ts; nothing outside `*.test.ts` may import it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Split a command line on whitespace (test arguments never contain spaces). */
function argv(args: string | readonly string[]): readonly string[] {
  return typeof args === 'string' ? args.trim().split(/\s+/) : args;
}

/**
 * Run `openssl ...args` (an array, or one whitespace-separated string) and return stdout;
 * throws (with stderr) on a non-zero exit.
 */
export function openssl(args: string | readonly string[], input?: string | Uint8Array): Buffer {
  return execFileSync('openssl', argv(args), {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Like `openssl`, but returns the exit status and combined output instead of throwing. */
export function opensslStatus(args: string | readonly string[]): {
  status: number;
  output: string;
} {
  try {
    return { status: 0, output: openssl(args).toString('utf8') };
  } catch (err: unknown) {
    const e = err as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return {
      status: e.status ?? 1,
      output: `${e.stdout?.toString('utf8') ?? ''}${e.stderr?.toString('utf8') ?? ''}`,
    };
  }
}

/** A temporary directory with write/read helpers; call `remove()` in `after`. */
export class TempDir {
  readonly path: string;

  constructor(prefix = 'k8ts-pki-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
  }

  file(name: string): string {
    return join(this.path, name);
  }

  write(name: string, content: string | Uint8Array): string {
    const path = this.file(name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  read(name: string): string {
    return readFileSync(this.file(name), 'utf8');
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
