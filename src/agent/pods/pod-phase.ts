/**
 * A pod's phase from its container statuses, as kubelet's getPhase (v1.33): Pending while a
 * regular init container has not succeeded (unless an app container already ran) or an app
 * container waits without history; Running while one runs or a restart is due; Succeeded or
 * Failed once every app container stopped and the restart policy (or a terminating pod) says
 * none comes back. `statuses` holds the app containers' statuses first, then the init ones'.
 * Pure.
 */
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.d.ts';
import { isRestartableInitContainer } from './pod-actions.ts';

/** upstream's getPhase. */
export function podPhase(
  pod: Pod,
  statuses: readonly ContainerStatus[],
  podIsTerminal: boolean,
): string {
  const spec = pod.spec;
  const find = (name: string, list: readonly ContainerStatus[]): ContainerStatus | undefined =>
    list.find((s) => s.name === name);
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec?.initContainers ?? []) {
    const s = find(c.name, statuses.slice(spec?.containers.length ?? 0));
    if (isRestartableInitContainer(c)) {
      if (s === undefined) unknown++;
      else if (s.state?.running !== undefined) {
        if (s.started !== true) pendingInit++;
        running++;
      } else if (s.state?.waiting !== undefined && s.lastState?.terminated === undefined) {
        pendingInit++;
        waiting++;
      }
      continue;
    }
    if (s === undefined) pendingInit++;
    else if (s.state?.running !== undefined) pendingInit++;
    else if (s.state?.terminated !== undefined) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting !== undefined) {
      if (s.lastState?.terminated !== undefined) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  const appStatuses = statuses.slice(0, spec?.containers.length ?? 0);
  for (const c of spec?.containers ?? []) {
    const s = find(c.name, appStatuses);
    if (s === undefined) unknown++;
    else if (s.state?.running !== undefined) running++;
    else if (s.state?.terminated !== undefined) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting !== undefined) {
      if (s.lastState?.terminated !== undefined) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = spec?.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  const anyAppStarted = appStatuses.some(
    (s) =>
      s.state?.running !== undefined ||
      s.state?.terminated !== undefined ||
      s.lastState?.terminated !== undefined,
  );
  if ((pendingInit > 0 && !anyAppStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}
