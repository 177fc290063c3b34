// Kinds that k8ts serves but no kubectl 1.33 command sends as protobuf (drain's Eviction and
// scale's patch are JSON), so there is no captured body: each is encoded here with protobufjs from
// the upstream schema, and the expected JSON is what Go's encoding/json writes for the same struct.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { decodeProtobufObject } from './protobuf-body.ts';
import { defaultProtoSchemas } from './protobuf/proto-schemas.ts';

/** A `k8s\0` body: the envelope naming apiVersion/kind around `message` encoded as `typeName`. */
function encodeBody(apiVersion: string, kind: string, typeName: string, message: object): Buffer {
  const type = defaultProtoSchemas.lookupType(typeName);
  const unknown = defaultProtoSchemas.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  assert.ok(type && unknown, typeName);
  const raw = type.encode(type.fromObject(message)).finish();
  const bytes = unknown
    .encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw }))
    .finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes]);
}

interface Case {
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly typeName: string;
  readonly message: object;
  readonly want: JsonObject;
}

const cases: Case[] = [
  {
    // The JSON is what kubectl 1.33 `drain` sent (see testdata/README.md).
    name: 'policy/v1 Eviction',
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    typeName: 'k8s.io.api.policy.v1.Eviction',
    message: {
      metadata: { name: 'p1', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 5 },
    },
    want: {
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: 'p1', namespace: 'default', creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 5 },
    },
  },
  {
    // ScaleSpec.replicas is omitempty, ScaleStatus.replicas is not.
    name: 'autoscaling/v1 Scale',
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    typeName: 'k8s.io.api.autoscaling.v1.Scale',
    message: { metadata: { name: 'd1', namespace: 'default', resourceVersion: '5' }, spec: {} },
    want: {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'd1', namespace: 'default', resourceVersion: '5', creationTimestamp: null },
      spec: {},
      status: { replicas: 0 },
    },
  },
  {
    // eventTime is a MicroTime; the zero deprecated Times are null, the zero EventSource {}.
    name: 'events.k8s.io/v1 Event',
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    typeName: 'k8s.io.api.events.v1.Event',
    message: {
      metadata: { name: 'e1', namespace: 'default' },
      eventTime: { seconds: 1_700_000_000, nanos: 123_456_000 },
      reportingController: 'k8ts.io/kubelet',
      reportingInstance: 'n1',
      action: 'Pulling',
      reason: 'Pulling',
      regarding: { kind: 'Pod', namespace: 'default', name: 'p1', uid: 'u1', apiVersion: 'v1' },
      note: 'Pulling image "busybox"',
      type: 'Normal',
    },
    want: {
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'e1', namespace: 'default', creationTimestamp: null },
      eventTime: '2023-11-14T22:13:20.123456Z',
      reportingController: 'k8ts.io/kubelet',
      reportingInstance: 'n1',
      action: 'Pulling',
      reason: 'Pulling',
      regarding: { kind: 'Pod', namespace: 'default', name: 'p1', uid: 'u1', apiVersion: 'v1' },
      note: 'Pulling image "busybox"',
      type: 'Normal',
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    },
  },
  {
    // Pointers inside Endpoint and EndpointPort; a nil ports slice is null (no omitempty).
    name: 'discovery.k8s.io/v1 EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    typeName: 'k8s.io.api.discovery.v1.EndpointSlice',
    message: {
      metadata: { name: 's1', namespace: 'default', labels: { 'kubernetes.io/service-name': 's' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: true, serving: false }, nodeName: 'n1' },
        { addresses: ['10.0.0.2'] },
      ],
    },
    want: {
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: {
        name: 's1',
        namespace: 'default',
        creationTimestamp: null,
        labels: { 'kubernetes.io/service-name': 's' },
      },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: true, serving: false }, nodeName: 'n1' },
        { addresses: ['10.0.0.2'], conditions: {} },
      ],
      ports: null,
    },
  },
  {
    // extra is a map of ExtraValue, a Go named slice: JSON arrays.
    name: 'authorization.k8s.io/v1 SubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    typeName: 'k8s.io.api.authorization.v1.SubjectAccessReview',
    message: {
      spec: {
        resourceAttributes: { verb: 'get', resource: 'pods' },
        user: 'bob',
        groups: ['system:authenticated'],
        extra: { scopes: { items: ['a', 'b'] } },
        uid: 'u1',
      },
    },
    want: {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: { verb: 'get', resource: 'pods' },
        user: 'bob',
        groups: ['system:authenticated'],
        extra: { scopes: ['a', 'b'] },
        uid: 'u1',
      },
      status: { allowed: false },
    },
  },
  {
    name: 'authentication.k8s.io/v1 TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    typeName: 'k8s.io.api.authentication.v1.TokenReview',
    message: { spec: { token: 'abc', audiences: ['https://k8ts.local'] } },
    want: {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { token: 'abc', audiences: ['https://k8ts.local'] },
      status: { user: {} },
    },
  },
];

describe('kinds no kubectl command sends as protobuf decode as Go would write them', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = decodeProtobufObject(encodeBody(c.apiVersion, c.kind, c.typeName, c.message));
      assert.deepStrictEqual(got, c.want);
      assert.equal(JSON.stringify(got), JSON.stringify(c.want)); // key order too
    });
  }
});
