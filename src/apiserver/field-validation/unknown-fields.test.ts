import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { FieldSchemas, SchemaCompiler, shippedFieldSchemas } from './field-schema.ts';
import type { FieldNode } from './field-schema.ts';
import { findUnknownFields } from './unknown-fields.ts';

async function kind(group: string, version: string, k: string): Promise<FieldNode> {
  const node = await shippedFieldSchemas.forKind({ group, version, kind: k });
  assert.ok(node !== undefined, `no schema for ${k}`);
  return node;
}

const deployment = (spec: JsonObject, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x', labels: { app: 'x' }, annotations: { 'a/b': 'c' } },
  spec,
  ...extra,
});

const podSpec = (container: JsonObject): JsonObject => ({
  selector: { matchLabels: { app: 'x' } },
  template: {
    metadata: { labels: { app: 'x' } },
    spec: { containers: [{ name: 'a', image: 'nginx' }, container] },
  },
});

describe('findUnknownFields against the shipped OpenAPI v3 schemas', () => {
  const cases: { name: string; obj: JsonObject; want: string[] }[] = [
    {
      name: 'a valid Deployment with status has none',
      obj: deployment(podSpec({ name: 'b', image: 'busybox', ports: [{ containerPort: 80 }] }), {
        status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
      }),
      want: [],
    },
    {
      name: 'top-level spec typo',
      obj: deployment({ ...podSpec({ name: 'b' }), replicasx: 2 }),
      want: ['spec.replicasx'],
    },
    {
      name: 'nested list items, in document order',
      obj: deployment(podSpec({ name: 'b', foo: 1, ports: [{ containerPort: 1, bar: { x: 1 } }] })),
      want: [
        'spec.template.spec.containers[1].foo',
        'spec.template.spec.containers[1].ports[0].bar',
      ],
    },
    {
      name: 'metadata is ObjectMeta',
      obj: { ...deployment(podSpec({ name: 'b' })), metadata: { name: 'x', nam: 'y' } },
      want: ['metadata.nam'],
    },
    {
      name: 'apiVersion/kind only at the root',
      obj: deployment({
        template: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } },
      }),
      want: ['spec.template.apiVersion', 'spec.template.kind'],
    },
    {
      name: 'case-sensitive like Go strict decoding',
      obj: deployment({ Replicas: 1 }),
      want: ['spec.Replicas'],
    },
    {
      name: 'int-or-string and quantity values are opaque',
      obj: deployment({
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: {
          spec: {
            containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: { odd: 1 } } } }],
          },
        },
      }),
      want: [],
    },
    {
      name: 'maps: any key, values checked by their schema',
      obj: deployment({
        template: { spec: { nodeSelector: { anything: 'goes' }, overhead: { cpu: '1' } } },
      }),
      want: [],
    },
    {
      name: 'the value of an unknown field is not looked into',
      obj: deployment({ extra: { deeper: { still: 1 } } }),
      want: ['spec.extra'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      assert.deepEqual(findUnknownFields(await kind('apps', 'v1', 'Deployment'), c.obj), c.want);
    });
  }

  it('core kinds: ConfigMap data is a map, managedFields fieldsV1 is opaque', async () => {
    const node = await kind('', 'v1', 'ConfigMap');
    const cm: JsonObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        managedFields: [{ manager: 'k', fieldsV1: { 'f:data': { 'f:a': {} } } }],
      },
      data: { a: 'b' },
      binaryData: {},
      immutable: false,
      extra: 1,
    };
    assert.deepEqual(findUnknownFields(node, cm), ['extra']);
  });

  it('stops at the limit', async () => {
    const node = await kind('', 'v1', 'ConfigMap');
    const obj: JsonObject = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}`, 1]));
    assert.equal(findUnknownFields(node, obj).length, 100);
    assert.equal(findUnknownFields(node, obj, 3).length, 3);
  });

  it('unknown kinds have no schema', async () => {
    assert.equal(
      await shippedFieldSchemas.forKind({ group: 'x.io', version: 'v1', kind: 'Y' }),
      undefined,
    );
    assert.equal(
      await shippedFieldSchemas.forKind({ group: 'apps', version: 'v1', kind: 'Nope' }),
      undefined,
    );
  });
});

describe('SchemaCompiler extensions', () => {
  const doc: JsonObject = {
    components: {
      schemas: {
        'x.Thing': {
          type: 'object',
          'x-kubernetes-group-version-kind': [{ group: 'x.io', version: 'v1', kind: 'Thing' }],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            spec: { allOf: [{ $ref: '#/components/schemas/x.Spec' }], default: {} },
          },
        },
        'x.Spec': {
          type: 'object',
          properties: {
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            port: { 'x-kubernetes-int-or-string': true },
            embedded: {
              type: 'object',
              'x-kubernetes-embedded-resource': true,
              properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
            },
            tree: { $ref: '#/components/schemas/x.Tree' },
            byName: {
              type: 'object',
              additionalProperties: { $ref: '#/components/schemas/x.Tree' },
            },
            anyMap: { type: 'object', additionalProperties: true },
          },
        },
        'x.Tree': {
          type: 'object',
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/components/schemas/x.Tree' } },
          },
        },
      },
    },
  };

  it('handles preserve-unknown, int-or-string, embedded resources, recursion and maps', async () => {
    const schemas = new FieldSchemas(() => Promise.resolve(doc));
    const node = await schemas.forKind({ group: 'x.io', version: 'v1', kind: 'Thing' });
    assert.ok(node !== undefined);
    const obj: JsonObject = {
      apiVersion: 'x.io/v1',
      kind: 'Thing',
      spec: {
        free: { anything: { at: ['all'] } },
        port: { weird: 1 },
        embedded: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          spec: { a: 'x', b: 1 },
        },
        tree: { name: 'r', children: [{ name: 'c', children: [{ nam: 'typo' }] }] },
        byName: { one: { name: 'x', oops: true } },
        anyMap: { k: { deep: 1 } },
      },
    };
    assert.deepEqual(findUnknownFields(node, obj), [
      'spec.embedded.spec.b',
      'spec.tree.children[0].children[0].nam',
      'spec.byName.one.oops',
    ]);
  });

  it('finds a kind by x-kubernetes-group-version-kind', () => {
    assert.equal(
      new SchemaCompiler(doc).nameOf({ group: 'x.io', version: 'v1', kind: 'Thing' }),
      'x.Thing',
    );
    assert.equal(
      new SchemaCompiler(doc).nameOf({ group: 'x.io', version: 'v2', kind: 'Thing' }),
      undefined,
    );
  });
});
