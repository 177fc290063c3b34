import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { parseGoJsonTag } from './go-json-tags.ts';
import { defaultProtoSchemas, messageName } from './proto-schemas.ts';
import { wellKnownToJson } from './well-known.ts';

const schemas = defaultProtoSchemas;

describe('ProtoSchemas.objectType', () => {
  const cases: { apiVersion: string; kind: string; want: string | undefined }[] = [
    { apiVersion: 'v1', kind: 'Namespace', want: 'k8s.io.api.core.v1.Namespace' },
    { apiVersion: 'v1', kind: 'PodList', want: 'k8s.io.api.core.v1.PodList' },
    { apiVersion: 'apps/v1', kind: 'Deployment', want: 'k8s.io.api.apps.v1.Deployment' },
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      want: 'k8s.io.api.coordination.v1.Lease',
    },
    {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      want: 'k8s.io.api.certificates.v1.CertificateSigningRequest',
    },
    // One kind of each group version added for kubectl 1.33's typed commands and k8ts's API.
    ...(
      [
        ['authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'authorization'],
        ['authorization.k8s.io/v1', 'SubjectAccessReview', 'authorization'],
        ['authentication.k8s.io/v1', 'TokenRequest', 'authentication'],
        ['authentication.k8s.io/v1', 'SelfSubjectReview', 'authentication'],
        ['batch/v1', 'Job', 'batch'],
        ['batch/v1', 'CronJob', 'batch'],
        ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'rbac'],
        ['policy/v1', 'PodDisruptionBudget', 'policy'],
        ['policy/v1', 'Eviction', 'policy'],
        ['discovery.k8s.io/v1', 'EndpointSlice', 'discovery'],
        ['events.k8s.io/v1', 'Event', 'events'],
        ['autoscaling/v1', 'Scale', 'autoscaling'],
        ['autoscaling/v1', 'HorizontalPodAutoscaler', 'autoscaling'],
        ['autoscaling/v2', 'HorizontalPodAutoscaler', 'autoscaling'],
        ['networking.k8s.io/v1', 'Ingress', 'networking'],
        ['scheduling.k8s.io/v1', 'PriorityClass', 'scheduling'],
      ] as const
    ).map(([apiVersion, kind, folder]) => ({
      apiVersion,
      kind,
      want: `k8s.io.api.${folder}.${apiVersion.replace(/^.*\//, '')}.${kind}`,
    })),
    // meta/v1 options travel with the resource's group version or meta.k8s.io/v1.
    {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      want: `k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions`,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      want: `k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions`,
    },
    {
      apiVersion: 'meta.k8s.io/v1',
      kind: 'CreateOptions',
      want: `k8s.io.apimachinery.pkg.apis.meta.v1.CreateOptions`,
    },
    {
      apiVersion: 'meta.k8s.io/v1',
      kind: 'PartialObjectMetadata',
      want: 'k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata',
    },
    // Not top-level objects, or groups/versions without a schema here.
    { apiVersion: 'v1', kind: 'PodSpec', want: undefined },
    { apiVersion: 'v1', kind: 'Deployment', want: undefined },
    { apiVersion: 'apps/v1', kind: 'Pod', want: undefined },
    { apiVersion: 'apps.example.com/v1', kind: 'Deployment', want: undefined },
    { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', want: undefined },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', want: undefined },
    { apiVersion: 'batch/v1', kind: 'Pod', want: undefined },
    // Messages with ObjectMeta that are never sent on their own.
    { apiVersion: 'v1', kind: 'PodTemplateSpec', want: undefined },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaimTemplate', want: undefined },
    { apiVersion: 'batch/v1', kind: 'JobTemplateSpec', want: undefined },
    { apiVersion: 'apps/v1beta1', kind: 'Deployment', want: undefined },
    { apiVersion: 'apps/v1/x', kind: 'Deployment', want: undefined },
    { apiVersion: 'v1', kind: 'v1.Pod', want: undefined },
    { apiVersion: 'v1', kind: 'Status', want: undefined },
  ];
  for (const c of cases) {
    it(`${c.apiVersion} ${c.kind} → ${c.want ?? 'none'}`, () => {
      const type = schemas.objectType(c.apiVersion, c.kind);
      assert.equal(type === undefined ? undefined : messageName(type), c.want);
    });
  }
});

describe('parseGoJsonTag', () => {
  it('reads pointer, omitempty, inline and skip', () => {
    assert.deepEqual(parseGoJsonTag('*replicas,omitempty'), {
      jsonName: 'replicas',
      isPointer: true,
      isOmitEmpty: true,
      isInline: false,
      isSkipped: false,
    });
    assert.equal(parseGoJsonTag('containerPort').isOmitEmpty, false);
    assert.equal(parseGoJsonTag(',inline').isInline, true);
    assert.equal(parseGoJsonTag('-').isSkipped, true);
    assert.throws(() => parseGoJsonTag(',omitempty'));
  });
});

describe('go-json-tags.json covers the loaded schemas', () => {
  const ctx = { tags: schemas.tags, decodeNested: () => ({}) };
  const isWellKnown = (name: string): boolean =>
    wellKnownToJson(name, undefined, ctx, '') !== undefined;

  it('has exactly the proto fields of every message that is not well-known', () => {
    let checked = 0;
    for (const type of schemas.allTypes()) {
      const name = messageName(type);
      if (isWellKnown(name) || name.startsWith('k8s.io.apimachinery.pkg.runtime.')) continue;
      if (name === 'k8s.io.apimachinery.pkg.apis.meta.v1.Patch') continue; // no fields
      if (schemas.tags.isSliceMessage(name)) {
        assert.deepEqual(Object.keys(type.fields), ['items'], name);
        continue;
      }
      const tags = schemas.tags.message(name);
      assert.ok(tags, `no Go JSON tags for ${name}`);
      assert.deepEqual([...tags.keys()].sort(), Object.keys(type.fields).sort(), name);
      checked++;
    }
    assert.ok(checked > 450, `only ${String(checked)} messages checked`);
  });

  // The JSON names agree with the published OpenAPI (when the repo carries it): every tag name
  // is a schema property, and every property is a tag name or promoted from an inline field.
  const openapiDir = fileURLToPath(new URL('../../../../data/openapi/v3/', import.meta.url));
  it('agrees with the OpenAPI v3 property names', { skip: !existsSync(openapiDir) }, () => {
    const properties = new Map<string, Set<string>>();
    for (const file of readdirSync(openapiDir)) {
      const doc = JSON.parse(readFileSync(openapiDir + file, 'utf8')) as {
        components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
      };
      for (const [id, schema] of Object.entries(doc.components?.schemas ?? {})) {
        properties.set(id, new Set(Object.keys(schema.properties ?? {})));
      }
    }
    const namesOf = (typeName: string): Set<string> => {
      const names = new Set<string>();
      const tags = schemas.tags.message(typeName);
      for (const field of schemas.lookupType(typeName)?.fieldsArray ?? []) {
        const tag = tags?.get(field.name);
        if (tag === undefined || tag.isSkipped) continue;
        const inner = field.resolvedType;
        if (tag.isInline && inner instanceof protobuf.Type) {
          for (const n of namesOf(messageName(inner))) names.add(n);
        } else names.add(tag.jsonName);
      }
      return names;
    };
    let compared = 0;
    for (const type of schemas.allTypes()) {
      const name = messageName(type);
      const id = name.replace(/^k8s\.io\.(api|apimachinery)\./, 'io.k8s.$1.');
      const published = properties.get(id);
      if (published === undefined || schemas.tags.message(name) === undefined) continue;
      published.delete('apiVersion');
      published.delete('kind');
      const ours = namesOf(name);
      ours.delete('apiVersion');
      ours.delete('kind');
      assert.deepEqual([...ours].sort(), [...published].sort(), name);
      compared++;
    }
    assert.ok(compared > 350, `only ${String(compared)} schemas compared`);
  });
});
