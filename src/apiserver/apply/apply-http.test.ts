/**
 * Server-side apply and managedFields over HTTP against a real ApiServer on a MemoryStore:
 * status codes, upstream's messages and the managedFields every write records.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../api-server.ts';
import { MemoryStore } from '../../storage/memory/memory-store.ts';

type Json = Record<string, unknown>;

const store = new MemoryStore();
const server = new ApiServer({ store, endpointReconciler: false });
let base = '';

const APPLY = 'application/apply-patch+yaml';
const KUBECTL_UA = 'kubectl/v1.33.0 (linux/amd64) kubernetes/abcdef0';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': contentType, 'user-agent': KUBECTL_UA },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
}

const meta = (o: Json): Json => o['metadata'] as Json;
const managed = (o: Json): Json[] => (meta(o)['managedFields'] as Json[] | undefined) ?? [];
const managers = (o: Json): string[] =>
  managed(o).map((e) => `${String(e['manager'])}/${String(e['operation'])}`);

function deployment(name: string, image: string, env: Json[] = [{ name: 'A', value: '1' }]): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image, env }] },
      },
    },
  };
}

const apply = (name: string, body: unknown, query = 'fieldManager=kubectl&force=false') =>
  call('PATCH', `${DEPLOYMENTS}/${name}?${query}`, body, APPLY);

before(async () => {
  base = (await server.start()).url;
});
after(async () => {
  await server.stop();
  await store.close();
});

describe('server-side apply over HTTP', () => {
  it('creates a missing object (201), then applies changes (200)', async () => {
    const created = await apply('d1', deployment('d1', 'nginx:1'));
    assert.equal(created.status, 201);
    assert.deepEqual(managers(created.json), ['kubectl/Apply']);
    const changed = await apply('d1', deployment('d1', 'nginx:2'));
    assert.equal(changed.status, 200);
    const spec = (changed.json['spec'] as Json)['template'] as Json;
    assert.match(JSON.stringify(spec), /nginx:2/);
    assert.equal(meta(changed.json)['generation'], 2);
  });

  it('accepts YAML bodies', async () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: y1
data:
  a: "1"
`;
    const r = await call(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/y1?fieldManager=m',
      yaml,
      APPLY,
    );
    assert.equal(r.status, 201);
    assert.deepEqual(r.json['data'], { a: '1' });
    assert.deepEqual(managed(r.json)[0]?.['fieldsV1'], { 'f:data': { 'f:a': {} } });
  });

  it('answers a conflict with 409 and FieldManagerConflict causes; force takes the field', async () => {
    await apply('d2', deployment('d2', 'nginx:1'));
    const set = await call(
      'PATCH',
      `${DEPLOYMENTS}/d2?fieldManager=kubectl-set`,
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:3' }] } } } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(set.status, 200);
    assert.deepEqual(managers(set.json), ['kubectl/Apply', 'kubectl-set/Update']);
    const r = await apply('d2', deployment('d2', 'nginx:2'));
    assert.equal(r.status, 409);
    assert.deepEqual(r.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="web"].image',
      reason: 'Conflict',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-set" using apps/v1',
            field: '.spec.template.spec.containers[name="web"].image',
          },
        ],
      },
      code: 409,
    });
    const forced = await apply(
      'd2',
      deployment('d2', 'nginx:2'),
      'fieldManager=kubectl&force=true',
    );
    assert.equal(forced.status, 200);
    assert.deepEqual(managers(forced.json), ['kubectl/Apply']);
  });

  it('removes a field the manager no longer applies', async () => {
    const two = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ];
    await apply('d3', deployment('d3', 'nginx:1', two));
    const r = await apply('d3', deployment('d3', 'nginx:1'));
    const containers = ((r.json['spec'] as Json)['template'] as Json)['spec'] as Json;
    assert.deepEqual((containers['containers'] as Json[])[0]?.['env'], [{ name: 'A', value: '1' }]);
  });

  it('dryRun=All stores nothing', async () => {
    const r = await apply('d4', deployment('d4', 'x'), 'fieldManager=kubectl&dryRun=All');
    assert.equal(r.status, 201);
    assert.equal((await call('GET', `${DEPLOYMENTS}/d4`)).status, 404);
  });

  it('validates options, type, name, managedFields and the schema as upstream', async () => {
    const noManager = await apply('d5', deployment('d5', 'x'), 'force=true');
    assert.equal(noManager.status, 422);
    assert.equal(
      noManager.json['message'],
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const wrongKind = await apply('d5', { ...deployment('d5', 'x'), kind: 'ReplicaSet' });
    assert.equal(wrongKind.status, 400);
    assert.equal(wrongKind.json['message'], 'invalid object type: apps/v1, Kind=ReplicaSet');
    const wrongName = await apply('d5', deployment('other', 'x'));
    assert.equal(wrongName.status, 400);
    assert.equal(
      wrongName.json['message'],
      'the name of the object (other) does not match the name on the URL (d5)',
    );
    const withManaged = deployment('d5', 'x');
    meta(withManaged)['managedFields'] = [];
    assert.equal(
      (await apply('d5', withManaged)).json['message'],
      'metadata.managedFields must be nil',
    );
    const unknown = deployment('d5', 'x');
    (unknown['spec'] as Json)['bogus'] = 1;
    const u = await apply('d5', unknown);
    assert.equal(u.status, 500);
    assert.equal(
      u.json['message'],
      'failed to create typed patch object (default/d5; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema',
    );
    const twice = deployment('d5', 'x');
    const podSpec = ((twice['spec'] as Json)['template'] as Json)['spec'] as Json;
    podSpec['containers'] = [
      { name: 'web', image: 'a' },
      { name: 'web', image: 'b' },
    ];
    assert.equal(
      (await apply('d5', twice)).json['message'],
      'failed to create typed patch object (default/d5; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="web"]',
    );
    const missingNs = await call(
      'PATCH',
      '/api/v1/namespaces/nope/configmaps/c?fieldManager=m',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
      APPLY,
    );
    assert.equal(missingNs.status, 404);
    assert.equal(missingNs.json['message'], 'namespaces "nope" not found');
    const scale = await call('PATCH', `${DEPLOYMENTS}/d1/scale?fieldManager=m`, {}, APPLY);
    assert.equal(scale.status, 415);
  });

  it('kubectl scale takes spec.replicas (subresource scale, no time, as upstream)', async () => {
    await apply('d7', deployment('d7', 'x'));
    const scaled = await call(
      'PATCH',
      `${DEPLOYMENTS}/d7/scale?fieldManager=kubectl-scale`,
      { spec: { replicas: 4 } },
      'application/merge-patch+json',
    );
    assert.equal(scaled.status, 200);
    const obj = (await call('GET', `${DEPLOYMENTS}/d7`)).json;
    assert.deepEqual(managed(obj)[1], {
      manager: 'kubectl-scale',
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      subresource: 'scale',
    });
    const r = await apply('d7', deployment('d7', 'x'));
    assert.equal(r.status, 409);
    assert.equal(
      r.json['message'],
      'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas',
    );
  });

  it('applies status through the status subresource, owned with subresource status', async () => {
    await apply('d6', deployment('d6', 'x'));
    const r = await call(
      'PATCH',
      `${DEPLOYMENTS}/d6/status?fieldManager=controller`,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd6' },
        status: { replicas: 3 },
      },
      APPLY,
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.json['status'], { replicas: 3 });
    const entry = managed(r.json).find((e) => e['manager'] === 'controller');
    assert.equal(entry?.['subresource'], 'status');
    assert.deepEqual(entry['fieldsV1'], { 'f:status': { 'f:replicas': {} } });
    const missing = await call(
      'PATCH',
      `${DEPLOYMENTS}/none/status?fieldManager=controller`,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'none' } },
      APPLY,
    );
    assert.equal(missing.status, 404);
  });
});

describe('managedFields on every write', () => {
  const cm = (data: Json): Json => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'm1', labels: { a: 'b' } },
    data,
  });
  const CMS = '/api/v1/namespaces/default/configmaps';

  it('create, update and patch record Update entries; the manager defaults from the User-Agent', async () => {
    const created = await call('POST', CMS, cm({ k: 'v' }));
    assert.equal(created.status, 201);
    const [entry] = managed(created.json);
    assert.equal(entry?.['manager'], 'kubectl');
    assert.equal(entry['operation'], 'Update');
    assert.equal(entry['apiVersion'], 'v1');
    assert.match(String(entry['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(entry['fieldsV1'], {
      'f:data': { '.': {}, 'f:k': {} },
      'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
    });
    const put = await call('PUT', `${CMS}/m1?fieldManager=kubectl-replace`, {
      ...cm({ k: 'v', k2: 'v2' }),
      metadata: meta(created.json),
    });
    assert.equal(put.status, 200);
    assert.deepEqual(managers(put.json), ['kubectl/Update', 'kubectl-replace/Update']);
    const patched = await call(
      'PATCH',
      `${CMS}/m1?fieldManager=kubectl-label`,
      { metadata: { labels: { c: 'd' } } },
      'application/merge-patch+json',
    );
    const label = managed(patched.json).find((e) => e['manager'] === 'kubectl-label');
    assert.deepEqual(label?.['fieldsV1'], {
      'f:metadata': { 'f:labels': { 'f:c': {} } },
    });
  });

  it('lets a client reset managedFields with [{}]', async () => {
    const r = await call(
      'PATCH',
      `${CMS}/m1`,
      { metadata: { managedFields: [{}] } },
      'application/merge-patch+json',
    );
    assert.equal(r.status, 200);
    assert.equal(meta(r.json)['managedFields'], undefined);
  });

  it('refuses a bad fieldManager (422) as upstream', async () => {
    const long = await call('POST', `${CMS}?fieldManager=${'x'.repeat(129)}`, cm({}));
    assert.equal(long.status, 422);
    assert.equal(
      long.json['message'],
      'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    );
    const bell = await call('PUT', `${CMS}/m1?fieldManager=a%07`, cm({}));
    assert.equal(
      bell.json['message'],
      'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\a": invalid character U+0007 (at position 1)',
    );
    const force = await call('PATCH', `${CMS}/m1?force=true`, {}, 'application/merge-patch+json');
    assert.equal(
      force.json['message'],
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });
});
