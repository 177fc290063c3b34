import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { MemoryStore } from '../storage/memory/memory-store.ts';
import { ApiServer } from './api-server.ts';
import { GnosticV2Encoder } from './openapi/gnostic-v2.ts';

const DATA = new URL('../../data/openapi/', import.meta.url);
const shipped = (file: string): Buffer => readFileSync(new URL(file, DATA));
const sha512 = (b: Buffer): string => createHash('sha512').update(b).digest('hex').toUpperCase();

const store = new MemoryStore();
const server = new ApiServer({ store, endpointReconciler: false });
let base = '';

interface Raw {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A raw HTTP/1.1 request: no automatic decompression or redirects, unlike fetch. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The parts of a decoded gnostic Operation the test reads. */
interface PatchOp {
  parameters: {
    parameter?: { non_body_parameter?: { query_parameter_sub_schema?: { name: string } } };
  }[];
  vendor_extension: { name: string; value: { yaml: string } }[];
}

const json = (r: Raw): Record<string, unknown> =>
  JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

before(async () => {
  base = (await server.start()).url;
});
after(async () => {
  await server.stop();
  await store.close();
});

describe('GET /openapi/v3', () => {
  it('lists only served group-versions, each with the hash of its document', async () => {
    const r = await get('/openapi/v3');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['cache-control'], 'no-cache, private');
    assert.equal(r.headers['etag'], `"${sha512(r.body)}"`);
    const paths = json(r)['paths'] as Record<string, { serverRelativeURL: string }>;
    assert.ok('api/v1' in paths && 'apis/apps/v1' in paths);
    assert.ok(!('apis/storage.k8s.io/v1' in paths), 'storage.k8s.io is not served');
    assert.deepEqual(Object.keys(paths), [...Object.keys(paths)].sort());
    assert.equal(
      paths['apis/apps/v1'].serverRelativeURL,
      `/openapi/v3/apis/apps/v1?hash=${sha512(shipped('v3/apis__apps__v1_openapi.json'))}`,
    );
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get('/openapi/v3');
    const r = await get('/openapi/v3', { 'if-none-match': String(first.headers['etag']) });
    assert.equal(r.status, 304);
    assert.equal(r.body.length, 0);
  });
});

describe('GET /openapi/v3/<group-version>', () => {
  const file = shipped('v3/apis__apps__v1_openapi.json');
  const hash = sha512(file);

  it('serves the document bytes as shipped; immutable when the hash matches', async () => {
    const r = await get(`/openapi/v3/apis/apps/v1?hash=${hash}`, { accept: 'application/json' });
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(file));
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['etag'], `"${hash}"`);
    assert.equal(r.headers['cache-control'], 'public, immutable');
    assert.equal(r.headers['vary'], 'Accept');
    const expires = Date.parse(String(r.headers['expires']).replace(/UTC$/, 'GMT'));
    assert.ok(expires - Date.now() > 364 * 24 * 3600 * 1000);
  });

  it('without a hash: not cacheable', async () => {
    const r = await get('/openapi/v3/api/v1');
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(shipped('v3/api__v1_openapi.json')));
    assert.equal(r.headers['cache-control'], 'no-cache, private');
  });

  it('redirects a stale hash to the current URL', async () => {
    const r = await get('/openapi/v3/apis/apps/v1?hash=0123');
    assert.equal(r.status, 301);
    assert.equal(r.headers['location'], `/openapi/v3/apis/apps/v1?hash=${hash}`);
  });

  it('404 for group-versions not served (even if shipped) and unknown paths', async () => {
    for (const p of ['apis/storage.k8s.io/v1', 'apis/nope/v1', 'apis/apps', 'x/y']) {
      const r = await get(`/openapi/v3/${p}`);
      assert.equal(r.status, 404, p);
      assert.equal(json(r)['reason'], 'NotFound');
    }
  });

  it('406 when only protobuf is acceptable', async () => {
    const r = await get('/openapi/v3/api/v1', {
      accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf',
    });
    assert.equal(r.status, 406);
  });

  it('HEAD has the headers but no body', async () => {
    const r = await get('/openapi/v3/api/v1', {}, 'HEAD');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers['content-length'], String(shipped('v3/api__v1_openapi.json').length));
  });
});

describe('GET /openapi/v2', () => {
  const file = shipped('v2/swagger.json');

  it('JSON, gzipped when accepted, with the ETag of the JSON bytes', async () => {
    const r = await get('/openapi/v2', { accept: 'application/json', 'accept-encoding': 'gzip' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(r.body).equals(file));
    assert.equal(r.headers['etag'], `"${sha512(file)}"`);
    const plain = await get('/openapi/v2', { accept: 'application/json' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.equals(file));
  });

  it('gnostic protobuf for kubectl 1.27/1.28, readable as openapi.v2.Document', async () => {
    const r = await get('/openapi/v2', {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    assert.equal(r.status, 200);
    assert.equal(
      r.headers['content-type'],
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
    assert.equal(r.headers['etag'], `"${sha512(file)}"`);
    const doc = new GnosticV2Encoder().decode(r.body) as {
      swagger: string;
      paths: { path: { name: string; value: { patch?: PatchOp } }[] };
    };
    assert.equal(doc.swagger, '2.0');
    const patch = doc.paths.path.find(
      (p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
    )?.value.patch;
    assert.ok(patch !== undefined);
    const names = patch.parameters.map(
      (p) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name,
    );
    assert.ok(names.includes('fieldValidation'));
    const gvk = patch.vendor_extension.find((e) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(parseYaml(gvk?.value.yaml ?? ''), {
      group: 'apps',
      kind: 'Deployment',
      version: 'v1',
    });
  });

  it('406 with an empty body for other media types', async () => {
    const r = await get('/openapi/v2', { accept: 'application/xml' });
    assert.equal(r.status, 406);
    assert.equal(r.body.length, 0);
  });
});
