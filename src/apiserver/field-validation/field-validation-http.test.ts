import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../storage/memory/memory-store.ts';
import { ApiServer } from '../api-server.ts';

const store = new MemoryStore();
const server = new ApiServer({ store, endpointReconciler: false });
let base = '';

async function send(
  method: string,
  path: string,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; json: Record<string, unknown>; warnings: string[] }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': contentType },
    body,
  });
  const warning = res.headers.get('warning');
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    // fetch joins repeated headers with ", "; split on the boundary between two warnings.
    warnings: warning === null ? [] : warning.split(/, (?=299 - ")/),
  };
}

const cm = (name: string, extra = ''): string =>
  `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"${extra}},"data":{"a":"b"}}`;
const CMS = '/api/v1/namespaces/default/configmaps';

before(async () => {
  base = (await server.start()).url;
});
after(async () => {
  await server.stop();
  await store.close();
});

describe('fieldValidation on create and update over HTTP', () => {
  it('default (Warn): created, one Warning header per problem', async () => {
    const r = await send('POST', CMS, cm('warn', ',"foo":1,"labels":{"a":"1"},"labels":{"b":"2"}'));
    assert.equal(r.status, 201);
    assert.deepEqual(r.warnings, [
      '299 - "unknown field \\"metadata.foo\\""',
      '299 - "duplicate field \\"metadata.labels\\""',
    ]);
    // Unknown fields are dropped, as decoding into Go structs drops them.
    const meta = r.json['metadata'] as Record<string, unknown>;
    assert.equal(meta['foo'], undefined);
    assert.deepEqual(meta['labels'], { b: '2' });
  });

  it('Strict: 400 BadRequest with upstream wording', async () => {
    const r = await send('POST', `${CMS}?fieldValidation=Strict`, cm('strict', ',"foo":1'));
    assert.equal(r.status, 400);
    assert.equal(r.json['reason'], 'BadRequest');
    assert.equal(
      r.json['message'],
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.foo"',
    );
    assert.equal((await fetch(`${base}${CMS}/strict`)).status, 404);
  });

  it('Ignore: created, no warnings', async () => {
    const r = await send('POST', `${CMS}?fieldValidation=Ignore`, cm('ignore', ',"foo":1'));
    assert.equal(r.status, 201);
    assert.deepEqual(r.warnings, []);
    assert.equal((r.json['metadata'] as Record<string, unknown>)['foo'], undefined);
  });

  it('an unsupported value is a 422 on CreateOptions', async () => {
    const r = await send('POST', `${CMS}?fieldValidation=strict`, cm('bad'));
    assert.equal(r.status, 422);
    assert.match(
      String(r.json['message']),
      /^CreateOptions\.meta\.k8s\.io "" is invalid: fieldValidation: Unsupported value: "strict"/,
    );
  });

  it('update (PUT) checks the same way; YAML bodies too', async () => {
    const strict = await send('PUT', `${CMS}/warn?fieldValidation=Strict`, cm('warn', ',"x":1'));
    assert.equal(strict.status, 400);
    assert.match(
      String(strict.json['message']),
      /strict decoding error: unknown field "metadata.x"$/,
    );
    const current = (await (await fetch(`${base}${CMS}/warn`)).json()) as {
      metadata: { resourceVersion: string };
    };
    const rv = current.metadata.resourceVersion;
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: warn\n  resourceVersion: "${rv}"\ndatax: {}\n`;
    const warned = await send('PUT', `${CMS}/warn`, yaml, 'application/yaml');
    assert.equal(warned.status, 200, JSON.stringify(warned.json));
    assert.deepEqual(warned.warnings, ['299 - "unknown field \\"datax\\""']);
  });

  it('a /scale body is checked as autoscaling/v1 Scale', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    };
    const deployments = '/apis/apps/v1/namespaces/default/deployments';
    assert.equal((await send('POST', deployments, JSON.stringify(deployment))).status, 201);
    const scale = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 3, replicasx: 1 },
    };
    const r = await send(
      'PUT',
      `${deployments}/web/scale?fieldValidation=Strict`,
      JSON.stringify(scale),
    );
    assert.equal(r.status, 400);
    assert.equal(
      r.json['message'],
      'Scale in version "v1" cannot be handled as a Scale: strict decoding error: unknown field "spec.replicasx"',
    );
  });
});
