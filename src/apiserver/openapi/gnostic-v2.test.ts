import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { GnosticV2Encoder, OpenApiConversionError } from './gnostic-v2.ts';

const encoder = new GnosticV2Encoder();

const swagger: JsonObject = {
  swagger: '2.0',
  info: { title: 'Kubernetes', version: 'unversioned' },
  paths: {
    '/api/v1/namespaces/{namespace}/pods/{name}': {
      parameters: [
        { name: 'name', in: 'path', required: true, type: 'string', uniqueItems: true },
        { $ref: '#/parameters/namespace' },
      ],
      patch: {
        operationId: 'patchCoreV1NamespacedPod',
        consumes: ['application/merge-patch+json'],
        parameters: [
          { name: 'body', in: 'body', required: true, schema: { type: 'object' } },
          { name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true },
        ],
        responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/Pod' } } },
        'x-kubernetes-group-version-kind': { group: '', kind: 'Pod', version: 'v1' },
      },
    },
    'x-paths-extension': true,
  },
  definitions: {
    Pod: {
      type: 'object',
      required: ['spec'],
      properties: {
        spec: { $ref: '#/definitions/PodSpec' },
        tags: { type: 'array', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', additionalProperties: true },
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Pod', version: 'v1' }],
    },
  },
  parameters: { namespace: { name: 'namespace', in: 'path', required: true, type: 'string' } },
  securityDefinitions: {
    BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer' },
  },
  security: [{ BearerToken: [] }],
};

describe('GnosticV2Encoder', () => {
  it('maps keys to proto fields and chooses oneofs as gnostic does', () => {
    const plain = encoder.toPlain(swagger);
    assert.deepEqual(plain['info'], { title: 'Kubernetes', version: 'unversioned' });
    const paths = plain['paths'] as {
      path: { name: string; value: JsonObject }[];
      vendor_extension: unknown[];
    };
    assert.deepEqual(paths.vendor_extension, [
      { name: 'x-paths-extension', value: { yaml: 'true\n' } },
    ]);
    const item = paths.path[0]?.value;
    assert.deepEqual(item?.['parameters'], [
      {
        parameter: {
          non_body_parameter: {
            path_parameter_sub_schema: {
              name: 'name',
              in: 'path',
              required: true,
              type: 'string',
              unique_items: true,
            },
          },
        },
      },
      { json_reference: { _ref: '#/parameters/namespace' } },
    ]);
    const patch = item['patch'] as JsonObject;
    assert.deepEqual(patch['operation_id'], 'patchCoreV1NamespacedPod');
    assert.deepEqual(patch['parameters'], [
      {
        parameter: {
          body_parameter: {
            name: 'body',
            in: 'body',
            required: true,
            schema: { type: { value: ['object'] } },
          },
        },
      },
      {
        parameter: {
          non_body_parameter: {
            query_parameter_sub_schema: {
              name: 'fieldValidation',
              in: 'query',
              type: 'string',
              unique_items: true,
            },
          },
        },
      },
    ]);
    assert.deepEqual(patch['responses'], {
      response_code: [
        {
          name: '200',
          value: {
            response: { description: 'OK', schema: { schema: { _ref: '#/definitions/Pod' } } },
          },
        },
      ],
      vendor_extension: [],
    });
    assert.deepEqual(patch['vendor_extension'], [
      {
        name: 'x-kubernetes-group-version-kind',
        value: { yaml: 'group: ""\nkind: Pod\nversion: v1\n' },
      },
    ]);
  });

  it('round-trips through protobuf', () => {
    const doc = encoder.decode(encoder.encode(swagger)) as {
      definitions: { additional_properties: { name: string; value: JsonObject }[] };
      security_definitions: JsonObject;
      security: JsonObject[];
    };
    const pod = doc.definitions.additional_properties[0];
    assert.equal(pod?.name, 'Pod');
    const props = (
      pod.value['properties'] as { additional_properties: { name: string; value: JsonObject }[] }
    ).additional_properties;
    assert.deepEqual(
      props.map((p) => p.name),
      ['spec', 'tags', 'labels', 'free'],
    );
    assert.deepEqual(props[1]?.value['items'], { schema: [{ type: { value: ['string'] } }] });
    assert.deepEqual(props[2]?.value['additional_properties'], {
      schema: { type: { value: ['string'] } },
    });
    assert.deepEqual(props[3]?.value['additional_properties'], { boolean: true });
    assert.deepEqual(doc.security_definitions, {
      additional_properties: [
        {
          name: 'BearerToken',
          value: {
            api_key_security: {
              type: 'apiKey',
              name: 'authorization',
              in: 'header',
              description: 'Bearer',
            },
          },
        },
      ],
    });
    assert.deepEqual(doc.security, [
      { additional_properties: [{ name: 'BearerToken', value: {} }] },
    ]);
  });

  it('refuses what gnostic would refuse', () => {
    const bad = (doc: JsonObject): void => {
      assert.throws(() => encoder.toPlain(doc), OpenApiConversionError);
    };
    bad({ swagger: '2.0', bogus: 1 });
    bad({ swagger: 2 });
    bad({ swagger: '2.0', paths: { 'no-slash': {} } });
    bad({ swagger: '2.0', parameters: { p: { name: 'p', in: 'cookie', type: 'string' } } });
  });
});
