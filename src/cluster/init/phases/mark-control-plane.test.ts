import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markControlPlane } from './mark-control-plane.ts';

test("adds kubeadm's labels and taint once, keeping what the node has", () => {
  const node = {
    metadata: { name: 'cp1', labels: { 'kubernetes.io/hostname': 'cp1' } },
    spec: { taints: [{ key: 'other', effect: 'NoExecute' as const }] },
  };
  assert.equal(markControlPlane(node), true);
  assert.deepEqual(node.metadata.labels, {
    'kubernetes.io/hostname': 'cp1',
    'node-role.kubernetes.io/control-plane': '',
    'node.kubernetes.io/exclude-from-external-load-balancers': '',
  });
  assert.deepEqual(node.spec.taints, [
    { key: 'other', effect: 'NoExecute' },
    { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
  ]);
  assert.equal(markControlPlane(node), false);
});
