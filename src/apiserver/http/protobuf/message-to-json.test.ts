import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../api/status.ts';
import type { JsonObject } from '../../../api/json.ts';
import { decodeProtobufObject } from '../protobuf-body.ts';
import { defaultProtoSchemas } from './proto-schemas.ts';

const MAGIC = Buffer.from('k8s\0', 'latin1');
const API = 'k8s.io.api';

/** Encodes `object` (protobufjs fromObject form) as kubectl does: magic + runtime.Unknown. */
function encodeBody(apiVersion: string, kind: string, typeName: string, object: object): Buffer {
  const type = defaultProtoSchemas.lookupType(typeName)!;
  const raw = type.encode(type.fromObject(object)).finish();
  const unknown = defaultProtoSchemas.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')!;
  const envelope = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw }));
  return Buffer.concat([MAGIC, envelope.finish()]);
}

const decode = (apiVersion: string, kind: string, typeName: string, object: object): JsonObject =>
  decodeProtobufObject(encodeBody(apiVersion, kind, typeName, object));

const deployment = (spec: object): JsonObject =>
  decode('apps/v1', 'Deployment', `${API}.apps.v1.Deployment`, { metadata: { name: 'd' }, spec });

const podSpec = (spec: object): JsonObject => {
  const pod = decode('v1', 'Pod', `${API}.core.v1.Pod`, { metadata: { name: 'p' }, spec });
  return pod['spec'] as JsonObject;
};

describe('Go pointer and omitempty rules', () => {
  it('keeps a pointer set to zero and drops omitempty zeros', () => {
    const spec = deployment({ replicas: 0, minReadySeconds: 0, paused: false })[
      'spec'
    ] as JsonObject;
    assert.equal(spec['replicas'], 0); // *int32: present means non-nil
    assert.equal('minReadySeconds' in spec, false); // int32,omitempty
    assert.equal('paused' in spec, false);
    assert.equal('revisionHistoryLimit' in spec, false); // nil pointer
  });

  it('writes non-omitempty zeros, nil slices as null, and empty structs', () => {
    const spec = podSpec({
      containers: [{ name: 'c', ports: [{ containerPort: 0, hostPort: 0 }] }],
    });
    const container = (spec['containers'] as JsonObject[])[0]!;
    assert.deepEqual(container, { name: 'c', ports: [{ containerPort: 0 }], resources: {} });
    assert.deepEqual(podSpec({})['containers'], null); // `json:"containers"`, no omitempty
  });

  it('keeps false in pointer booleans', () => {
    const pod = decode('v1', 'Pod', `${API}.core.v1.Pod`, {
      metadata: {
        name: 'p',
        ownerReferences: [{ kind: 'RS', name: 'r', uid: 'u', controller: false }],
      },
    });
    const meta = pod['metadata'] as JsonObject;
    // apiVersion is `json:"apiVersion"` (no omitempty), so its zero value is written too.
    assert.deepEqual(meta['ownerReferences'], [
      { apiVersion: '', kind: 'RS', name: 'r', uid: 'u', controller: false },
    ]);
  });
});

describe('well-known types', () => {
  it('Time as RFC 3339, the empty Time as null', () => {
    const ns = decode('v1', 'Namespace', `${API}.core.v1.Namespace`, {
      metadata: { name: 'n', creationTimestamp: { seconds: 1767225600, nanos: 5 } },
    });
    assert.deepEqual(ns['metadata'], { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' });
  });

  it('MicroTime with six digits; pointer scalars set to zero values stay', () => {
    const lease = decode('coordination.k8s.io/v1', 'Lease', `${API}.coordination.v1.Lease`, {
      metadata: { name: 'l' },
      spec: {
        holderIdentity: '',
        leaseDurationSeconds: 0,
        acquireTime: { seconds: 1767225600, nanos: 123456789 },
      },
    });
    assert.deepEqual(lease['spec'], {
      holderIdentity: '',
      leaseDurationSeconds: 0,
      acquireTime: '2026-01-01T00:00:00.123456Z',
    });
  });

  it('IntOrString as a number or a string', () => {
    const svc = decode('v1', 'Service', `${API}.core.v1.Service`, {
      metadata: { name: 's' },
      spec: {
        ports: [
          { port: 80, targetPort: { type: 0, intVal: 8080 } },
          { port: 443, targetPort: { type: 1, strVal: 'https' } },
          { port: 53 },
        ],
      },
    });
    const ports = (svc['spec'] as JsonObject)['ports'] as JsonObject[];
    assert.deepEqual(
      ports.map((p) => p['targetPort']),
      [8080, 'https', 0], // a zero IntOrString struct is still written
    );
  });

  it('bytes as base64, Quantity maps, slice messages as arrays', () => {
    const csr = decode(
      'certificates.k8s.io/v1',
      'CertificateSigningRequest',
      `${API}.certificates.v1.CertificateSigningRequest`,
      {
        metadata: { name: 'c' },
        spec: { request: Buffer.from('PEM'), signerName: 's', extra: { g: { items: ['a', 'b'] } } },
      },
    );
    assert.deepEqual(csr['spec'], { request: 'UEVN', signerName: 's', extra: { g: ['a', 'b'] } });
  });

  it('inline embedded structs are promoted (Volume, Probe)', () => {
    const spec = podSpec({
      volumes: [{ name: 'v', volumeSource: { emptyDir: {} } }],
      containers: [
        {
          name: 'c',
          livenessProbe: { handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } } },
        },
      ],
    });
    assert.deepEqual(spec['volumes'], [{ name: 'v', emptyDir: {} }]);
    const probe = (spec['containers'] as JsonObject[])[0]!['livenessProbe'];
    assert.deepEqual(probe, { httpGet: { path: '/', port: 'http' } });
  });
});

describe('embedded objects (RawExtension)', () => {
  const revision = (raw: Uint8Array): JsonObject =>
    decode('apps/v1', 'ControllerRevision', `${API}.apps.v1.ControllerRevision`, {
      metadata: { name: 'r' },
      data: { raw },
      revision: 1,
    });

  it('parses JSON bytes', () => {
    assert.deepEqual(revision(Buffer.from('{"spec":{"a":[1]}}'))['data'], { spec: { a: [1] } });
  });

  it('decodes a nested protobuf object', () => {
    const nested = encodeBody('v1', 'ConfigMap', `${API}.core.v1.ConfigMap`, {
      metadata: { name: 'inner' },
      data: { k: 'v' },
    });
    assert.deepEqual(revision(nested)['data'], {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'inner', creationTimestamp: null }, // an absent Time is the zero time
      data: { k: 'v' },
    });
  });

  it('rejects bytes that are neither, and nesting past the limit', () => {
    assert.throws(() => revision(Buffer.from([0xff, 0x00])), { code: 400 });
    let body = encodeBody('v1', 'Namespace', `${API}.core.v1.Namespace`, {});
    for (let i = 0; i < 12; i++) {
      body = encodeBody('apps/v1', 'ControllerRevision', `${API}.apps.v1.ControllerRevision`, {
        data: { raw: body },
      });
    }
    assert.throws(() => decodeProtobufObject(body), { code: 400 });
  });
});

describe('hostile values', () => {
  it('keeps a "__proto__" map key as an own property', () => {
    const cm = decode('v1', 'ConfigMap', `${API}.core.v1.ConfigMap`, {
      metadata: { name: 'c' },
      data: JSON.parse('{"__proto__":"x","a":"b"}') as object,
    });
    const data = cm['data'] as JsonObject;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(JSON.stringify(data), '{"__proto__":"x","a":"b"}');
  });

  it('rejects an int64 beyond 2^53 with a 400', () => {
    const body = encodeBody(
      'v1',
      'DeleteOptions',
      'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      {
        gracePeriodSeconds: '9007199254740993',
      },
    );
    assert.throws(
      () => decodeProtobufObject(body),
      (err: unknown) =>
        err instanceof ApiError && err.code === 400 && /gracePeriodSeconds/.test(err.message),
    );
  });
});
