/**
 * Exited containers' termination messages (kubelet's kuberuntime getTerminationMessage and
 * readLastStringFromContainerLogs, v1.33): the file the container wrote at its
 * terminationMessagePath (kept per restart under the pod's dir; at most 4 KiB), else, with
 * FallbackToLogsOnError and a non-zero exit, the tail of its CRI log. A message the runtime gave
 * wins; a missing or unreadable file means no message. Reads files only, never writes.
 */
import { readFileSync } from 'node:fs';
import type { RuntimeContainer, RuntimePod } from './runtime-state.ts';

/** upstream's MaxContainerTerminationMessageLength. */
const MAX_TERMINATION_MESSAGE = 4096;

/**
 * `runtime` with each exited container's message filled in. `podDir` is the pod's directory
 * under `/var/lib/kubelet/pods`, where `containers/<name>/<restartCount>-termination-log` is the
 * file mounted at the container's terminationMessagePath.
 */
export function withTerminationMessages(
  runtime: RuntimePod | undefined,
  podDir: string,
): RuntimePod | undefined {
  if (runtime === undefined) return undefined;
  return {
    ...runtime,
    containers: runtime.containers.map((c): RuntimeContainer => {
      if (c.state !== 'exited' || c.message !== '') return c;
      let message = '';
      try {
        message = readFileSync(
          `${podDir}/containers/${c.name}/${String(c.restartCount)}-termination-log`,
          'utf8',
        ).slice(0, MAX_TERMINATION_MESSAGE);
      } catch {
        message = '';
      }
      if (
        message === '' &&
        c.terminationMessagePolicy === 'FallbackToLogsOnError' &&
        c.exitCode !== 0
      )
        message = logTail(c.logPath);
      return message === '' ? c : { ...c, message };
    }),
  };
}

/** The last 80 lines (at most 2 KiB) of a CRI log file, without the CRI prefixes. */
export function logTail(path: string): string {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  const lines = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').slice(3).join(' '))
    .slice(-80)
    .join('\n');
  return lines.slice(-2048);
}
