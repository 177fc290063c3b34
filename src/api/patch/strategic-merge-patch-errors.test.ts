import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject, JsonValue } from '../json.ts';
import { PatchMalformedError, PatchTooDeepError, StrategicMergePatchError } from './errors.ts';
import { DEFAULT_MAX_DEPTH } from './json-values.ts';
import { OpenApiPatchMetaIndex, loadPatchMetaForKind } from './openapi-patch-meta.ts';
import type { PatchMetaSource } from './patch-meta.ts';
import { NO_PATCH_META } from './patch-meta.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

async function metaFor(group: string, version: string, kind: string): Promise<PatchMetaSource> {
  const meta = await loadPatchMetaForKind({ group, version, kind });
  assert.ok(meta !== undefined, `${kind} has a schema`);
  return meta;
}
const podMeta = await metaFor('', 'v1', 'Pod');

interface ErrorCase {
  readonly name: string;
  readonly original: JsonObject;
  readonly patch: JsonValue;
  readonly httpStatus: number;
  readonly message: string;
  readonly meta?: PatchMetaSource;
}

const csrMeta = await metaFor('certificates.k8s.io', 'v1', 'CertificateSigningRequest');
const errorCases: readonly ErrorCase[] = [
  {
    name: 'a list item without its merge key (500, as upstream leaves it unclassified)',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { containers: [{ image: 'x' }] } },
    httpStatus: 500,
    message: 'map: map[image:x] does not contain declared merge key: name',
  },
  {
    name: '$patch: merge in a list',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } },
    httpStatus: 500,
    message: 'merging lists cannot yet be specified in the patch',
  },
  {
    name: 'an unknown $patch on a map',
    original: { spec: {} },
    patch: { spec: { $patch: 'explode' } },
    httpStatus: 500,
    message: 'unknown patch type: explode in map: map[$patch:explode]',
  },
  {
    name: '$retainKeys that is not a list (400)',
    original: { spec: { strategy: { type: 'A' } } },
    patch: { spec: { strategy: { $retainKeys: 'type' } } },
    httpStatus: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: 'a patch key missing from $retainKeys (400)',
    original: { spec: { strategy: { type: 'A' } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } },
    httpStatus: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: 'a malformed $deleteFromPrimitiveList key (400)',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } },
    httpStatus: 400,
    message: 'invalid patch format of primitive list',
  },
  {
    name: 'a $setElementOrder that is not a list',
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { '$setElementOrder/containers': 'a' } },
    httpStatus: 500,
    message: 'expected a []interface {}, but received a string',
  },
  {
    name: 'a $setElementOrder that does not match the patch order',
    original: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
        containers: [{ name: 'b' }, { name: 'a' }],
      },
    },
    httpStatus: 500,
    message:
      "The order in patch list:\n[map[name:b] map[name:a]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]\n",
  },
  {
    name: 'a list of lists (422)',
    original: { metadata: { finalizers: [['a']] } },
    patch: { metadata: { finalizers: ['b'] } },
    httpStatus: 422,
    message: 'lists of lists are not supported',
  },
  {
    name: 'mixed element types',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { finalizers: [1] } },
    httpStatus: 500,
    message: 'list element types are not identical: [[a] [1]]',
  },
  {
    name: 'merging inside a map of lists (CSR spec.extra), where upstream lookup fails',
    original: { spec: { extra: { k: ['a'] } } },
    patch: { spec: { extra: { k: ['b'] } } },
    httpStatus: 500,
    message: 'merging an object in json but data type is not struct, instead is: map',
    meta: csrMeta,
  },
];
for (const c of errorCases) {
  test(`error: ${c.name}`, () => {
    assert.throws(
      () => applyStrategicMergePatch(c.original, c.patch, c.meta ?? podMeta),
      (err: unknown) => {
        assert.ok(err instanceof StrategicMergePatchError, String(err));
        assert.equal(err.message, c.message);
        assert.equal(err.httpStatus, c.httpStatus);
        return true;
      },
    );
  });
}

test('a patch that is not a map is 400, as upstream fails to decode it', () => {
  for (const [patch, kind] of [
    [[], 'array'],
    ['x', 'string'],
    [1, 'number'],
    [true, 'bool'],
  ] as const) {
    assert.throws(
      () => applyStrategicMergePatch({}, patch, podMeta),
      new PatchMalformedError(
        `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
      ),
    );
  }
});

test('hostile input: deep nesting is bounded, recursion at the bound fits the stack', () => {
  let deep: JsonValue = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  assert.throws(
    () => applyStrategicMergePatch({}, deep, NO_PATCH_META),
    (err: unknown) => err instanceof PatchTooDeepError && err.httpStatus === 400,
  );
  // Maps nested to the bound in both documents make the merge recurse the whole way down.
  const levels = DEFAULT_MAX_DEPTH;
  let original: JsonObject = { leaf: 1 };
  let patch: JsonObject = { leaf: 2 };
  for (let i = 0; i < levels - 1; i++) {
    original = { a: original };
    patch = { a: patch };
  }
  let v: JsonValue = applyStrategicMergePatch(original, patch, NO_PATCH_META);
  for (let i = 0; i < levels - 1; i++) v = (v as JsonObject)['a'] ?? null;
  assert.deepStrictEqual(v, { leaf: 2 });
  assert.throws(
    () => applyStrategicMergePatch({ a: original }, {}, NO_PATCH_META),
    (err: unknown) => err instanceof PatchTooDeepError && err.message.includes('object'),
  );
});

test('hostile input: merge lists of 50000 items in linear time', () => {
  const n = 50_000;
  const live = {
    metadata: { finalizers: Array.from({ length: n }, (_, i) => `f${String(i)}`) },
    spec: {
      containers: Array.from({ length: n }, (_, i) => ({ name: `c${String(i)}`, image: 'x' })),
    },
  };
  const order = Array.from({ length: n }, (_, i) => ({ name: `c${String(n - 1 - i)}` }));
  const patch = {
    metadata: { finalizers: Array.from({ length: n }, (_, i) => `g${String(i)}`) },
    spec: {
      '$setElementOrder/containers': order,
      containers: order.map((o) => ({ ...o, image: 'y' })),
    },
  };
  let out: JsonObject = {};
  const elapsed = cpuTimeMs(() => {
    out = applyStrategicMergePatch(live, patch, podMeta);
  });
  const metadata = out['metadata'] as JsonObject;
  const first = (out['spec'] as { containers: JsonObject[] }).containers[0];
  assert.equal((metadata['finalizers'] as JsonValue[]).length, 2 * n);
  assert.deepStrictEqual(first, { name: `c${String(n - 1)}`, image: 'y' });
  assert.ok(elapsed < 2000, `took ${String(elapsed)} ms of CPU`);
});

test('OpenApiPatchMetaIndex works on any document (upstream test schema)', () => {
  const index = new OpenApiPatchMetaIndex({
    components: {
      schemas: {
        item: {
          properties: {
            list: {
              type: 'array',
              items: { $ref: '#/components/schemas/item' },
              'x-kubernetes-patch-merge-key': 'name',
              'x-kubernetes-patch-strategy': 'merge',
            },
          },
          'x-kubernetes-group-version-kind': [{ group: 'g', version: 'v', kind: 'Item' }],
        },
      },
    },
  });
  const meta = index.forKind({ group: 'g', version: 'v', kind: 'Item' });
  assert.ok(meta !== undefined);
  const out = applyStrategicMergePatch(
    { list: [{ name: 'a', list: [{ name: 'x', v: 1 }] }] },
    { list: [{ name: 'a', list: [{ name: 'x', w: 2 }] }] },
    meta,
  );
  assert.deepStrictEqual(out, { list: [{ name: 'a', list: [{ name: 'x', v: 1, w: 2 }] }] });
});
