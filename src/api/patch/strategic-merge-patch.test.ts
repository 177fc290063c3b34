import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject, JsonValue } from '../json.ts';
import { loadPatchMetaForKind } from './openapi-patch-meta.ts';
import type { PatchMetaSource } from './patch-meta.ts';
import { NO_PATCH_META } from './patch-meta.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

async function metaFor(group: string, version: string, kind: string): Promise<PatchMetaSource> {
  const meta = await loadPatchMetaForKind({ group, version, kind });
  assert.ok(meta !== undefined, `${kind} has a schema`);
  return meta;
}
const deploymentMeta = await metaFor('apps', 'v1', 'Deployment');
const podMeta = await metaFor('', 'v1', 'Pod');
const nodeMeta = await metaFor('', 'v1', 'Node');

/** A Deployment as the server stores it after defaulting. */
function newDeployment(): JsonObject {
  const container = (name: string, image: string, env: JsonValue[]): JsonObject => ({
    name,
    image,
    env,
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: '0d7a3f4e-0000-4000-8000-000000000001',
      resourceVersion: '1234',
      generation: 1,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' },
      finalizers: ['example.com/a'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            container('web', 'nginx:1.25', [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ]),
            container('sidecar', 'busybox:1.36', []),
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'k1', operator: 'Exists' }],
          restartPolicy: 'Always',
        },
      },
    },
  };
}

/** The value at a dotted path, through list indexes too (`spec.template.spec.containers.0`). */
function at(obj: JsonValue, path: string): JsonValue | undefined {
  let v: JsonValue | undefined = obj;
  for (const part of path.split('.')) {
    if (Array.isArray(v)) v = v[Number(part)];
    else if (v !== null && typeof v === 'object') v = v[part];
    else return undefined;
  }
  return v;
}

test('kubectl apply (second apply): change an image, drop an env var, $setElementOrder', () => {
  const live = newDeployment();
  // What kubectl 1.27-1.33 sends: a three-way patch with $setElementOrder for merge lists.
  const patch = {
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' },
    },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'A' }],
              env: [{ $patch: 'delete', name: 'B' }],
              image: 'nginx:1.26',
              name: 'web',
            },
          ],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(live, patch, deploymentMeta);
  const web = at(out, 'spec.template.spec.containers.0') as JsonObject;
  assert.equal(web['name'], 'web');
  assert.equal(web['image'], 'nginx:1.26');
  assert.deepStrictEqual(web['env'], [{ name: 'A', value: '1' }]);
  assert.equal(web['imagePullPolicy'], 'IfNotPresent', 'server-set fields survive');
  assert.deepStrictEqual(web['ports'], [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(at(out, 'spec.template.spec.containers.1.name'), 'sidecar');
  const annotations = at(out, 'metadata.annotations') as JsonObject;
  assert.equal(annotations['kubectl.kubernetes.io/last-applied-configuration'], '{"new":true}\n');
  assert.equal(at(out, 'metadata.resourceVersion'), '1234');
  assert.equal(at(live, 'spec.template.spec.containers.0.image'), 'nginx:1.25', 'input untouched');
});

test('kubectl apply: switching to Recreate clears rollingUpdate through $retainKeys', () => {
  const patch = {
    spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } },
  };
  const out = applyStrategicMergePatch(newDeployment(), patch, deploymentMeta);
  assert.deepStrictEqual(at(out, 'spec.strategy'), { type: 'Recreate' });
});

test('kubectl apply: a volume changes source through $retainKeys (merge,retainKeys)', () => {
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/volumes': [{ name: 'data' }],
          volumes: [
            { $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, name: 'data' },
          ],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(newDeployment(), patch, deploymentMeta);
  assert.deepStrictEqual(at(out, 'spec.template.spec.volumes'), [
    { name: 'data', configMap: { name: 'cm' } },
  ]);
});

test('kubectl edit: $setElementOrder/containers reorders and changes one container', () => {
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
          containers: [{ image: 'busybox:1.37', name: 'sidecar' }],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(newDeployment(), patch, deploymentMeta);
  const containers = at(out, 'spec.template.spec.containers') as JsonObject[];
  assert.deepStrictEqual(
    containers.map((c) => [c['name'], c['image']]),
    [
      ['sidecar', 'busybox:1.37'],
      ['web', 'nginx:1.25'],
    ],
  );
  assert.equal(containers[1]?.['terminationMessagePolicy'], 'File');
});

test('kubectl set image / rollout restart / cordon', () => {
  const setImage = {
    spec: { template: { spec: { containers: [{ image: 'nginx:1.27', name: 'web' }] } } },
  };
  let out = applyStrategicMergePatch(newDeployment(), setImage, deploymentMeta);
  assert.deepStrictEqual(
    (at(out, 'spec.template.spec.containers') as JsonObject[]).map((c) => c['image']),
    ['nginx:1.27', 'busybox:1.36'],
  );
  const restart = {
    spec: {
      template: {
        metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } },
      },
    },
  };
  out = applyStrategicMergePatch(out, restart, deploymentMeta);
  assert.deepStrictEqual(at(out, 'spec.template.metadata'), {
    labels: { app: 'web' },
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' },
  });
  const node = { metadata: { name: 'w1' }, spec: { podCIDR: '10.0.0.0/24' } };
  assert.deepStrictEqual(
    applyStrategicMergePatch(node, { spec: { unschedulable: true } }, nodeMeta),
    {
      metadata: { name: 'w1' },
      spec: { podCIDR: '10.0.0.0/24', unschedulable: true },
    },
  );
});

interface Case {
  readonly name: string;
  readonly original: JsonObject;
  readonly patch: JsonValue;
  readonly expected: JsonValue;
}

const podCases: readonly Case[] = [
  {
    name: 'finalizers (strategy merge, no key) are a union, new items first',
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    expected: { metadata: { finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: 'a new finalizer alone goes before server-only ones (mergeSortedSlice)',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { finalizers: ['b'] } },
    expected: { metadata: { finalizers: ['b', 'a'] } },
  },
  {
    name: '$deleteFromPrimitiveList/finalizers',
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } },
    expected: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: 'env merges by name inside containers merged by name',
    original: {
      spec: {
        containers: [
          {
            name: 'c',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
        ],
      },
    },
    patch: { spec: { containers: [{ name: 'c', env: [{ name: 'B', value: '3' }] }] } },
    expected: {
      spec: {
        containers: [
          {
            name: 'c',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '3' },
            ],
          },
        ],
      },
    },
  },
  {
    name: 'ports merge by containerPort',
    original: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } },
    patch: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] } },
    expected: {
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] },
    },
  },
  {
    name: 'tolerations have no patch strategy (atomic): replaced',
    original: { spec: { tolerations: [{ key: 'a' }] } },
    patch: { spec: { tolerations: [{ key: 'b' }] } },
    expected: { spec: { tolerations: [{ key: 'b' }] } },
  },
  {
    name: '$patch: delete on a list item removes every item with that key',
    original: { spec: { volumes: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] } },
    patch: { spec: { volumes: [{ $patch: 'delete', name: 'a' }] } },
    expected: { spec: { volumes: [{ name: 'b' }] } },
  },
  {
    name: '$patch: replace on a list',
    original: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
    patch: { spec: { containers: [{ name: 'c' }, { $patch: 'replace' }] } },
    expected: { spec: { containers: [{ name: 'c' }] } },
  },
  {
    name: '$patch: replace on a map',
    original: { spec: { nodeSelector: { a: '1', b: '2' } } },
    patch: { spec: { nodeSelector: { c: '3', $patch: 'replace' } } },
    expected: { spec: { nodeSelector: { c: '3' } } },
  },
  {
    name: '$patch: delete on a map leaves an empty map',
    original: { spec: { affinity: { nodeAffinity: {} } } },
    patch: { spec: { affinity: { $patch: 'delete' } } },
    expected: { spec: { affinity: {} } },
  },
  {
    name: 'null deletes a field; nulls in new values are dropped',
    original: { metadata: { labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { a: null }, annotations: { x: 'y', z: null } } },
    expected: { metadata: { labels: { b: '2' }, annotations: { x: 'y' } } },
  },
  {
    name: 'ownerReferences merge by uid',
    original: { metadata: { ownerReferences: [{ uid: 'u1', name: 'rs1' }] } },
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: true }] } },
    expected: { metadata: { ownerReferences: [{ uid: 'u1', name: 'rs1', controller: true }] } },
  },
  {
    name: 'a null patch changes nothing',
    original: { metadata: { name: 'p' } },
    patch: null,
    expected: { metadata: { name: 'p' } },
  },
];
for (const c of podCases) {
  test(`Pod: ${c.name}`, () => {
    assert.deepStrictEqual(applyStrategicMergePatch(c.original, c.patch, podMeta), c.expected);
  });
}

test('fields without patch metadata behave like a merge patch', () => {
  const out = applyStrategicMergePatch(
    { a: { b: 1, c: [1, 2] }, d: 1 },
    { a: { c: [3], e: { f: null } }, d: null },
    NO_PATCH_META,
  );
  assert.deepStrictEqual(out, { a: { b: 1, c: [3], e: {} } });
});
