import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadOpenApiV3 } from '../openapi/openapi-documents.ts';
import { StrategicMergePatchError } from './errors.ts';
import { OpenApiPatchMetaIndex, loadPatchMetaForKind } from './openapi-patch-meta.ts';
import type { FieldPatchMeta, PatchMetaSource } from './patch-meta.ts';

/** Follows `fields` from `root` (the last one's metadata), items for lists. */
function field(root: PatchMetaSource, ...fields: string[]): FieldPatchMeta {
  let schema = root;
  let meta: FieldPatchMeta | undefined;
  for (const f of fields) {
    meta = schema.lookupField(f);
    schema = meta.itemSchema;
  }
  assert.ok(meta !== undefined);
  return meta;
}

const pod = await loadPatchMetaForKind({ group: '', version: 'v1', kind: 'Pod' });
const deployment = await loadPatchMetaForKind({ group: 'apps', version: 'v1', kind: 'Deployment' });
assert.ok(pod !== undefined && deployment !== undefined);

const cases: readonly {
  readonly name: string;
  readonly root: PatchMetaSource;
  readonly path: readonly string[];
  readonly strategies: readonly string[];
  readonly mergeKey: string;
  readonly listType?: string;
}[] = [
  {
    name: 'Pod spec.containers',
    root: pod,
    path: ['spec', 'containers'],
    strategies: ['merge'],
    mergeKey: 'name',
    listType: 'map',
  },
  {
    name: 'Pod spec.containers[].env',
    root: pod,
    path: ['spec', 'containers', 'env'],
    strategies: ['merge'],
    mergeKey: 'name',
    listType: 'map',
  },
  {
    name: 'Pod spec.containers[].ports (keyed by containerPort only)',
    root: pod,
    path: ['spec', 'containers', 'ports'],
    strategies: ['merge'],
    mergeKey: 'containerPort',
    listType: 'map',
  },
  {
    name: 'Pod spec.volumes',
    root: pod,
    path: ['spec', 'volumes'],
    strategies: ['merge', 'retainKeys'],
    mergeKey: 'name',
    listType: 'map',
  },
  {
    name: 'Pod spec.tolerations (atomic, no strategy)',
    root: pod,
    path: ['spec', 'tolerations'],
    strategies: [],
    mergeKey: '',
    listType: 'atomic',
  },
  {
    name: 'metadata.finalizers',
    root: pod,
    path: ['metadata', 'finalizers'],
    strategies: ['merge'],
    mergeKey: '',
    listType: 'set',
  },
  {
    name: 'metadata.ownerReferences',
    root: pod,
    path: ['metadata', 'ownerReferences'],
    strategies: ['merge'],
    mergeKey: 'uid',
    listType: 'map',
  },
  {
    name: 'Deployment spec.strategy',
    root: deployment,
    path: ['spec', 'strategy'],
    strategies: ['retainKeys'],
    mergeKey: '',
  },
  {
    name: 'Deployment spec.template.spec.initContainers',
    root: deployment,
    path: ['spec', 'template', 'spec', 'initContainers'],
    strategies: ['merge'],
    mergeKey: 'name',
    listType: 'map',
  },
  {
    name: 'a field the schema does not know has no metadata',
    root: pod,
    path: ['spec', 'noSuchField'],
    strategies: [],
    mergeKey: '',
  },
];
for (const c of cases) {
  test(c.name, () => {
    const meta = field(c.root, ...c.path);
    assert.deepStrictEqual(meta.strategies, c.strategies);
    assert.equal(meta.mergeKey, c.mergeKey);
    assert.equal(meta.listType, c.listType);
  });
}

test('list map keys are read for server-side apply', () => {
  assert.deepStrictEqual(field(pod, 'spec', 'containers', 'ports').listMapKeys, [
    'containerPort',
    'protocol',
  ]);
});

test('kinds are found by x-kubernetes-group-version-kind; unknown ones are undefined', async () => {
  assert.equal(
    await loadPatchMetaForKind({ group: 'apps', version: 'v1', kind: 'Nope' }),
    undefined,
  );
  assert.equal(
    await loadPatchMetaForKind({ group: 'example.com', version: 'v1', kind: 'Widget' }),
    undefined,
  );
  const index = new OpenApiPatchMetaIndex(await loadOpenApiV3('api/v1'));
  assert.equal(index.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' }), undefined);
  assert.ok(index.forKind({ group: '', version: 'v1', kind: 'ConfigMap' }) !== undefined);
});

test('where upstream lookup fails, this fails too: maps and opaque structs', async () => {
  const crd = await loadPatchMetaForKind({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
  });
  assert.ok(crd !== undefined);
  const props = field(crd, 'spec', 'versions', 'schema', 'openAPIV3Schema', 'properties');
  assert.equal(props.fieldSchema.name, 'map');
  assert.throws(() => props.fieldSchema.lookupField('spec'), {
    name: 'StrategicMergePatchError',
    message: 'merging an object in json but data type is not struct, instead is: map',
  });
  const example = field(crd, 'spec', 'versions', 'schema', 'openAPIV3Schema', 'default');
  assert.throws(
    () => example.fieldSchema.lookupField('x'),
    (err: unknown) =>
      err instanceof StrategicMergePatchError &&
      err.message === 'unable to find api field in struct JSON for the json field "x"' &&
      err.httpStatus === 500,
  );
});

test('an unresolvable $ref is an error when reached', () => {
  const index = new OpenApiPatchMetaIndex({
    components: { schemas: { a: { properties: { b: { $ref: '#/components/schemas/missing' } } } } },
  });
  const a = index.forSchema('a');
  assert.ok(a !== undefined);
  const b = a.lookupField('b');
  assert.throws(() => b.fieldSchema, {
    message: 'unable to resolve #/components/schemas/missing in OpenAPI V3',
  });
});
