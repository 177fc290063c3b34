/**
 * The `k8ts` executable's entry point: runs the command tree and turns an unexpected error into
 * a one-line message and exit code 1 (never a stack trace, never a secret).
 */
import { buildProgram } from './program.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err: unknown) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
