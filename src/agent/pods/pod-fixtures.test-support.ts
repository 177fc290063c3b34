/**
 * Builders for pod-sync unit tests: pods and the runtime's view of them.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { RuntimeContainer, RuntimePod, RuntimeSandbox } from './runtime-state.ts';

export function newPod(
  extra: Partial<NonNullable<Pod['spec']>> = {},
  containers: Container[] = [{ name: 'app', image: 'busybox:1' }],
): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: '11111111-2222-3333-4444-555555555555' },
    spec: { containers, restartPolicy: 'Always', ...extra },
  };
}

export function sandbox(extra: Partial<RuntimeSandbox> = {}): RuntimeSandbox {
  return { id: 's1', attempt: 0, ready: true, createdAtMs: 1000, ips: ['10.0.0.2'], ...extra };
}

export function container(name: string, extra: Partial<RuntimeContainer> = {}): RuntimeContainer {
  return {
    id: `${name}-${String(extra.restartCount ?? 0)}`,
    sandboxId: 's1',
    name,
    kind: 'app',
    state: 'running',
    restartCount: 0,
    hash: '',
    createdAtMs: 2000 + (extra.restartCount ?? 0),
    startedAtMs: 2000,
    finishedAtMs: 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: 'busybox:1',
    imageRef: 'sha256:abc',
    logPath: '',
    terminationMessagePath: '',
    terminationMessagePolicy: 'File',
    gracePeriodSeconds: 30,
    ...extra,
  };
}

export function runtimePod(
  sandboxes: RuntimeSandbox[],
  containers: RuntimeContainer[],
): RuntimePod {
  return {
    uid: '11111111-2222-3333-4444-555555555555',
    name: 'p',
    namespace: 'default',
    sandboxes,
    containers: [...containers].sort((a, b) => b.createdAtMs - a.createdAtMs),
  };
}
