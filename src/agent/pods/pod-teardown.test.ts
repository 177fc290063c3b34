import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CriCallError, CriNotFoundError } from '../cri/cri-errors.ts';
import type { ContainerRuntime } from '../cri/runtime-service.ts';
import type { VolumeManager } from '../volumes/volume-manager.ts';
import type { ContainerRunner } from './container-runner.ts';
import type { PodCgroups } from './pod-cgroups.ts';
import { container, runtimePod, sandbox } from './pod-fixtures.test-support.ts';
import { PodTeardown } from './pod-teardown.ts';

/** Records removals; ids in `gone` answer NotFound, in `broken` another error. */
function fakeRuntime(gone: readonly string[] = [], broken: readonly string[] = []) {
  const removed: string[] = [];
  const remove = (id: string): Promise<void> => {
    if (gone.includes(id))
      return Promise.reject(new CriNotFoundError('RuntimeService/Remove', `no ${id}`));
    if (broken.includes(id))
      return Promise.reject(new CriCallError('RuntimeService/Remove', 2, `cannot remove ${id}`));
    removed.push(id);
    return Promise.resolve();
  };
  const runtime = { removeContainer: remove, removePodSandbox: remove };
  return { removed, runtime: runtime as unknown as ContainerRuntime };
}

function teardown(runtime: ContainerRuntime): PodTeardown {
  // pruneExited talks to the runtime only.
  return new PodTeardown({
    runtime,
    runner: {} as unknown as ContainerRunner,
    volumes: {} as unknown as VolumeManager,
    cgroups: {} as unknown as PodCgroups,
    podLogsDir: '/nonexistent',
  });
}

describe('PodTeardown.pruneExited', () => {
  const exited = (name: string, restartCount: number, kind: 'app' | 'init' = 'app') =>
    container(name, { state: 'exited', restartCount, kind });

  it('keeps the two newest instances of each container and removes older exited ones', async () => {
    const { removed, runtime } = fakeRuntime();
    const pod = runtimePod(
      [sandbox({ id: 's2', attempt: 1 }), sandbox({ id: 's1', ready: false })],
      [
        container('app', { restartCount: 3 }),
        exited('app', 2),
        exited('app', 1),
        exited('app', 0),
        exited('init', 2, 'init'),
        exited('init', 1, 'init'),
        exited('init', 0, 'init'),
        exited('other', 0),
      ],
    );
    await teardown(runtime).pruneExited(pod);
    assert.deepEqual(removed.sort(), ['app-0', 'app-1', 'init-0', 's1']);
  });

  it('does not remove a ready older sandbox', async () => {
    const { removed, runtime } = fakeRuntime();
    await teardown(runtime).pruneExited(
      runtimePod([sandbox({ id: 's2' }), sandbox({ id: 's1' })], []),
    );
    assert.deepEqual(removed, []);
  });

  it('takes what is already gone as removed, and fails on other errors', async () => {
    const pod = runtimePod([sandbox()], [exited('a', 2), exited('a', 1), exited('a', 0)]);
    await teardown(fakeRuntime(['a-0']).runtime).pruneExited(pod);
    await assert.rejects(teardown(fakeRuntime([], ['a-0']).runtime).pruneExited(pod), {
      code: 'CRI_CALL_FAILED',
    });
  });

  it('does nothing without a runtime pod', async () => {
    const { removed, runtime } = fakeRuntime();
    await teardown(runtime).pruneExited(undefined);
    assert.deepEqual(removed, []);
  });
});
