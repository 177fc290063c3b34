import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountsUnder } from './run-reset.ts';

test('mountsUnder finds the mounts at or below a directory, deepest first', () => {
  const mounts = [
    'overlay / overlay rw 0 0',
    'tmpfs /r/var/lib/kubelet/pods/a/volumes/x tmpfs rw 0 0',
    'tmpfs /r/var/lib/kubelet tmpfs rw 0 0',
    'tmpfs /r/var/lib/kubelet-other tmpfs rw 0 0',
    'tmpfs /r/var/lib/kubelet/pods/with\\040space tmpfs rw 0 0',
  ].join('\n');
  assert.deepEqual(mountsUnder('/r/var/lib/kubelet', mounts), [
    '/r/var/lib/kubelet/pods/a/volumes/x',
    '/r/var/lib/kubelet/pods/with space',
    '/r/var/lib/kubelet',
  ]);
});
