import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { OpenApiDocumentInvalidError, OpenApiDocumentNotFoundError } from './errors.ts';
import {
  OPENAPI_DATA_DIR,
  OpenApiDocuments,
  groupVersionPath,
  listOpenApiV3,
  loadOpenApiV3,
  loadOpenApiV3Bytes,
  openApiV3FileName,
} from './openapi-documents.ts';

test('file names follow upstream api/openapi-spec/v3', () => {
  assert.equal(groupVersionPath('', 'v1'), 'api/v1');
  assert.equal(groupVersionPath('apps', 'v1'), 'apis/apps/v1');
  assert.equal(openApiV3FileName('api/v1'), 'api__v1_openapi.json');
  assert.equal(
    openApiV3FileName('apis/rbac.authorization.k8s.io/v1'),
    'apis__rbac.authorization.k8s.io__v1_openapi.json',
  );
  for (const bad of ['../../etc/passwd', 'apis/apps/../v1', 'api/v1/x', 'apis//v1', '']) {
    assert.throws(() => openApiV3FileName(bad), OpenApiDocumentNotFoundError);
  }
});

test('the shipped documents: 21 group-versions, parsed once, bytes as shipped', async () => {
  const paths = await listOpenApiV3();
  assert.equal(paths.length, 21);
  assert.ok(paths.includes('api/v1') && paths.includes('apis/apps/v1'));
  const apps = await loadOpenApiV3('apis/apps/v1');
  assert.equal(await loadOpenApiV3('apis/apps/v1'), apps, 'cached');
  const components = apps['components'];
  assert.ok(typeof components === 'object' && components !== null && !Array.isArray(components));
  assert.ok('io.k8s.api.apps.v1.Deployment' in (components['schemas'] as object));
  const bytes = await loadOpenApiV3Bytes('apis/apps/v1');
  const onDisk = await readFile(new URL('v3/apis__apps__v1_openapi.json', OPENAPI_DATA_DIR));
  assert.ok(bytes.equals(onDisk));
});

test('unknown and malformed paths reject with NotFound', async () => {
  await assert.rejects(loadOpenApiV3('apis/example.com/v1'), OpenApiDocumentNotFoundError);
  await assert.rejects(loadOpenApiV3('../secret'), OpenApiDocumentNotFoundError);
});

test('an invalid document is a typed error, and failures are not cached', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-openapi-'));
  try {
    await mkdir(join(dir, 'v3'));
    await mkdir(join(dir, 'v2'));
    const docs = new OpenApiDocuments(pathToFileURL(`${dir}/`));
    await assert.rejects(docs.v3('api/v1'), OpenApiDocumentNotFoundError);
    await writeFile(join(dir, 'v3', 'api__v1_openapi.json'), '{"openapi":"3.0.0"}');
    await assert.rejects(docs.v3('api/v1'), OpenApiDocumentInvalidError);
    await writeFile(
      join(dir, 'v3', 'apis__apps__v1_openapi.json'),
      '{"components":{"schemas":{}}}',
    );
    assert.deepStrictEqual(await docs.v3('apis/apps/v1'), { components: { schemas: {} } });
    await writeFile(join(dir, 'v2', 'swagger.json'), '{"swagger":"2.0"}');
    assert.equal((await docs.v2Bytes()).toString(), '{"swagger":"2.0"}');
    assert.deepStrictEqual(await docs.listV3(), ['api/v1', 'apis/apps/v1']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the shipped v2 document is there', async () => {
  const bytes = await new OpenApiDocuments().v2Bytes();
  assert.ok(bytes.length > 1_000_000);
  assert.equal(bytes.subarray(0, 1).toString(), '{');
});
