import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../../api/json.ts';
import { NodeGraph } from './node-graph.ts';
import { podReferences } from './pod-references.ts';

function pod(name: string, nodeName: string | undefined, spec: JsonObject = {}): JsonObject {
  return {
    metadata: { namespace: 'ns', name },
    spec: { ...(nodeName === undefined ? {} : { nodeName }), ...spec },
  };
}

const everything: JsonObject = {
  serviceAccountName: 'sa1',
  imagePullSecrets: [{ name: 'pull' }],
  initContainers: [
    {
      name: 'i',
      env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }],
    },
  ],
  containers: [
    {
      name: 'c',
      env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'env-cm', key: 'k' } } }],
      envFrom: [{ secretRef: { name: 'from-secret' } }, { configMapRef: { name: 'from-cm' } }],
    },
  ],
  volumes: [
    { name: 'v1', secret: { secretName: 'vol-secret' } },
    { name: 'v2', configMap: { name: 'vol-cm' } },
    {
      name: 'v3',
      projected: {
        sources: [{ secret: { name: 'proj-secret' } }, { configMap: { name: 'proj-cm' } }],
      },
    },
    { name: 'v4', persistentVolumeClaim: { claimName: 'claim' } },
    { name: 'v5', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi-secret' } } },
    { name: 'v6', ephemeral: { volumeClaimTemplate: {} } },
  ],
};

test('podReferences finds every Secret, ConfigMap, claim and the service account', () => {
  const refs = podReferences(pod('p', 'n1', everything));
  assert.deepEqual([...refs.secrets].sort(), [
    'csi-secret',
    'env-secret',
    'from-secret',
    'proj-secret',
    'pull',
    'vol-secret',
  ]);
  assert.deepEqual([...refs.configMaps].sort(), ['env-cm', 'from-cm', 'proj-cm', 'vol-cm']);
  assert.deepEqual([...refs.pvcs].sort(), ['claim', 'p-v6']);
  assert.equal(refs.serviceAccount, 'sa1');
});

test('podReferences reads junk without throwing', () => {
  const refs = podReferences({ spec: { containers: 'x', volumes: [1, null, { secret: 7 }] } });
  assert.deepEqual(refs, { secrets: [], configMaps: [], serviceAccount: undefined, pvcs: [] });
});

test('only bound pods link their objects to their node; links go when the last pod goes', () => {
  const g = new NodeGraph();
  g.putPod(pod('unbound', undefined, { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  assert.equal(g.podCount, 0);
  g.putPod(pod('a', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  g.putPod(pod('b', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  g.putPod(pod('c', 'n2', { serviceAccountName: 'sa' }));
  assert.equal(g.hasPath('n1', 'secret', 'ns', 's'), true);
  assert.equal(g.hasPath('n2', 'secret', 'ns', 's'), false);
  assert.equal(g.hasPath('n1', 'secret', 'other', 's'), false);
  assert.equal(g.hasPath('n1', 'pod', 'ns', 'a'), true);
  assert.equal(g.hasPath('n2', 'pod', 'ns', 'a'), false);
  assert.equal(g.hasPath('n2', 'serviceaccount', 'ns', 'sa'), true);
  assert.equal(g.nodeOfPod('ns', 'c'), 'n2');
  g.deletePod('ns', 'a');
  assert.equal(g.hasPath('n1', 'secret', 'ns', 's'), true, 'b still uses it');
  g.putPod(pod('b', 'n1', {})); // an update that drops the volume
  assert.equal(g.hasPath('n1', 'secret', 'ns', 's'), false);
  g.putPod(pod('c', 'n3', { serviceAccountName: 'sa' })); // moved (recreated elsewhere)
  assert.equal(g.hasPath('n2', 'serviceaccount', 'ns', 'sa'), false);
  assert.equal(g.hasPath('n3', 'serviceaccount', 'ns', 'sa'), true);
  g.clear();
  assert.equal(g.podCount, 0);
});
