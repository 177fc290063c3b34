import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../api/status.ts';
import { RuntimeContainerLocator } from './container-locator.ts';
import type { ContainerSummary, SandboxSummary } from './streaming-runtime.ts';

const podLabels = (uid: string): Record<string, string> => ({
  'io.kubernetes.pod.namespace': 'ns',
  'io.kubernetes.pod.name': 'p',
  'io.kubernetes.pod.uid': uid,
});
const sandbox = (id: string, uid: string, created: string, ready = true): SandboxSummary => ({
  id,
  state: ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
  created_at: created,
  labels: podLabels(uid),
});
const ctr = (
  id: string,
  uid: string,
  attempt: number,
  created: string,
  running: boolean,
): ContainerSummary => ({
  id,
  pod_sandbox_id: 's',
  metadata: { name: 'c', attempt },
  state: running ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED',
  created_at: created,
  labels: { ...podLabels(uid), 'io.kubernetes.container.name': 'c' },
});

function locator(
  sandboxes: SandboxSummary[],
  containers: ContainerSummary[],
): RuntimeContainerLocator {
  const matches = (
    labels: Readonly<Record<string, string>>,
    sel?: Record<string, string>,
  ): boolean => Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);
  return new RuntimeContainerLocator({
    listPodSandbox: (f) =>
      Promise.resolve(sandboxes.filter((s) => matches(s.labels, f?.label_selector))),
    listContainers: (f) =>
      Promise.resolve(containers.filter((c) => matches(c.labels, f?.label_selector))),
  });
}

const pod = { namespace: 'ns', name: 'p' };

test('the current and the previous instance, of the pod incarnation that is current', async () => {
  // An older pod of the same name (uid old) left a newer-numbered container behind.
  const l = locator(
    [sandbox('s-old', 'old', '5'), sandbox('s-new', 'new', '10')],
    [
      ctr('gone', 'old', 7, '6', false),
      ctr('c0', 'new', 0, '11', false),
      ctr('c1', 'new', 1, '12', true),
    ],
  );
  assert.equal(await l.logContainer(pod, 'c', false), 'c1');
  assert.equal(await l.logContainer(pod, 'c', true), 'c0');
  assert.equal(await l.runningContainer(pod, 'c'), 'c1');
  assert.equal(await l.readySandbox(pod), 's-new');
});

const failures: {
  name: string;
  run: (l: RuntimeContainerLocator) => Promise<unknown>;
  code: number;
  message: string;
}[] = [
  {
    name: 'logs before any container exists',
    run: (l) => l.logContainer(pod, 'c', false),
    code: 400,
    message: 'container "c" in pod "p" is waiting to start: ContainerCreating',
  },
  {
    name: 'previous with only one instance',
    run: (l) => l.logContainer({ ...pod }, 'c', true),
    code: 400,
    message: 'previous terminated container "c" in pod "p" not found',
  },
  {
    name: 'exec into a container that exited',
    run: (l) => l.runningContainer(pod, 'c'),
    code: 400,
    message: 'container "c" in pod "p" is not running',
  },
  {
    name: 'exec into an unknown container',
    run: (l) => l.runningContainer(pod, 'x'),
    code: 404,
    message: 'container not found ("x")',
  },
  {
    name: 'port-forward without a ready sandbox',
    run: (l) => l.readySandbox(pod),
    code: 404,
    message: 'pod "p" has no ready sandbox',
  },
];
for (const f of failures) {
  test(`locator: ${f.name}`, async () => {
    const empty = f.name.startsWith('logs before');
    const l = empty
      ? locator([sandbox('s', 'u', '1')], [])
      : locator([sandbox('s', 'u', '1', false)], [ctr('c0', 'u', 0, '2', false)]);
    await assert.rejects(f.run(l), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, f.code);
      assert.equal(err.message, f.message);
      return true;
    });
  });
}
