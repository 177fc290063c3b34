/**
 * OpenAPI and server-side field validation with real kubectl: 1.29+ read /openapi/v3, see the
 * `fieldValidation` parameter and send `fieldValidation=Strict`; 1.27/1.28 learn the same from
 * the gnostic protobuf of /openapi/v2. A typo fails with upstream's exact message, a valid
 * object is created, `--validate=warn` prints the server's warnings, and `explain` works.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';

const deployment = (name: string, typo = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1${typo}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        image: nginx
`;

const VERSIONS = ['1.27', '1.29', '1.33'].filter(hasKubectl);

let fixture: ApiServerFixture;
before(async () => {
  fixture = await startApiServerFixture(new MemoryStore());
});
after(async () => {
  await fixture.stop();
});

for (const v of VERSIONS) {
  describe(`kubectl ${v}`, () => {
    const name = `web-${v.replace('.', '-')}`;
    const run = (args: readonly string[], stdin?: string): ReturnType<typeof kubectl> =>
      kubectl(v, fixture.kubeconfigPath, args, stdin);

    it('create -f with an unknown field fails with the strict decoding error', async () => {
      const r = await run(['create', '-f', '-'], deployment(name, '\n  replicasx: 2'));
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" ' +
          'cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicasx"\n',
      );
    });

    it('create -f of a valid object succeeds', async () => {
      const r = await run(['create', '-f', '-'], deployment(name));
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, `deployment.apps/${name} created\n`, '']);
    });

    it('--validate=warn creates and prints the server warnings', async () => {
      const r = await run(
        ['create', '--validate=warn', '-f', '-'],
        deployment(`${name}-w`, '\n  foo: 1'),
      );
      assert.deepEqual(
        [r.code, r.stdout, r.stderr],
        [0, `deployment.apps/${name}-w created\n`, 'Warning: unknown field "spec.foo"\n'],
      );
    });

    it('explain reads the schema', async () => {
      const r = await run(['explain', 'deployment.spec.replicas']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: replicas <integer>\n/,
      );
      assert.match(r.stdout, /Number of desired pods\./);
    });
  });
}
