/**
 * `kubectl apply --server-side` with real kubectl 1.27 and 1.33 against a k8ts API server over
 * HTTPS (MemoryStore): create and re-apply, a conflict with `kubectl set image` (kubectl's exact
 * error text), `--force-conflicts`, removal of a field no longer applied, the managedFields
 * kubectl shows with `--show-managed-fields`, and the client-side to server-side apply upgrade
 * (kubectl's four requests: apply, kubectl-last-applied apply, managedFields migration patch,
 * re-apply), which ends as upstream: `kubectl` owns what client-side apply owned, and fields it
 * no longer applies are removed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';
import type { KubectlResult } from '../harness/kubectl.ts';

const VERSIONS = ['1.27', '1.33'] as const;

const ENV_AB = '        - {name: A, value: "1"}\n        - {name: B, value: "2"}\n';
const ENV_A = '        - {name: A, value: "1"}\n';

const DEPLOYMENT = (image: string, env = ENV_AB): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        env:
${env}`;

const CONFIGMAP = (data: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n${data}`;

/** What kubectl prints around the server's 409 (apply.go). */
const CONFLICT = `error: Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="web"].image
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

/** The `managedFields:` block of `get -o yaml --show-managed-fields`, times masked. */
function managedFieldsBlock(yaml: string): string {
  const m = /^ {2}managedFields:\n((?: {2}[- ] .*\n)+)/m.exec(yaml);
  assert.ok(m, `no managedFields in:\n${yaml}`);
  return (m[1] ?? '').replace(/time: "[^"]+"/g, 'time: <time>');
}

const APPLY_ENTRY_TEMPLATE = (image: boolean, envB: boolean): string =>
  `  - apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:replicas: {}
        f:selector: {}
        f:template:
          f:metadata:
            f:labels:
              f:app: {}
          f:spec:
            f:containers:
              k:{"name":"web"}:
                .: {}
                f:env:
                  k:{"name":"A"}:
                    .: {}
                    f:name: {}
                    f:value: {}
${
  envB
    ? `                  k:{"name":"B"}:
                    .: {}
                    f:name: {}
                    f:value: {}
`
    : ''
}${image ? '                f:image: {}\n' : ''}                f:name: {}
    manager: kubectl
    operation: Apply
    time: <time>
`;

let fx: ApiServerFixture;

before(async () => {
  fx = await startApiServerFixture(new MemoryStore());
});
after(async () => {
  await fx.stop();
});

for (const version of VERSIONS) {
  describe(`kubectl ${version} apply --server-side`, { skip: !hasKubectl(version) }, () => {
    const ns = `ssa-${version.replace('.', '-')}`;
    const k = (args: readonly string[], stdin?: string): Promise<KubectlResult> =>
      kubectl(version, fx.kubeconfigPath, ['-n', ns, ...args], stdin);
    const ok = async (args: readonly string[], stdin?: string): Promise<string> => {
      const r = await k(args, stdin);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    const ssa = ['apply', '--server-side', '-f', '-'];

    it('creates and re-applies a Deployment', async () => {
      assert.equal(await ok(['create', 'namespace', ns]), `namespace/${ns} created\n`);
      assert.equal(
        await ok(ssa, DEPLOYMENT('nginx:1')),
        'deployment.apps/web serverside-applied\n',
      );
      assert.equal(
        await ok(ssa, DEPLOYMENT('nginx:2')),
        'deployment.apps/web serverside-applied\n',
      );
      assert.equal(
        await ok([
          'get',
          'deployment',
          'web',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ]),
        'nginx:2',
      );
    });

    it('reports the conflict with kubectl set image, then takes the field with --force-conflicts', async () => {
      assert.equal(
        await ok(['set', 'image', 'deployment/web', 'web=nginx:3']),
        'deployment.apps/web image updated\n',
      );
      const yaml = await ok(['get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields']);
      assert.equal(
        managedFieldsBlock(yaml),
        APPLY_ENTRY_TEMPLATE(false, true) +
          `  - apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:template:
          f:spec:
            f:containers:
              k:{"name":"web"}:
                f:image: {}
    manager: kubectl-set
    operation: Update
    time: <time>
`,
      );
      const conflict = await k(ssa, DEPLOYMENT('nginx:2'));
      assert.equal(conflict.code, 1);
      assert.equal(conflict.stdout, '');
      assert.equal(conflict.stderr, CONFLICT);
      assert.equal(
        await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], DEPLOYMENT('nginx:2')),
        'deployment.apps/web serverside-applied\n',
      );
      const after = await ok(['get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields']);
      assert.equal(managedFieldsBlock(after), APPLY_ENTRY_TEMPLATE(true, true));
    });

    it('removes an env var the applied configuration no longer has', async () => {
      assert.equal(
        await ok(ssa, DEPLOYMENT('nginx:2', ENV_A)),
        'deployment.apps/web serverside-applied\n',
      );
      assert.equal(
        await ok([
          'get',
          'deployment',
          'web',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].env}',
        ]),
        '[{"name":"A","value":"1"}]',
      );
      const yaml = await ok(['get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields']);
      assert.equal(managedFieldsBlock(yaml), APPLY_ENTRY_TEMPLATE(true, false));
      // Without the flag kubectl hides them.
      assert.doesNotMatch(await ok(['get', 'deployment', 'web', '-o', 'yaml']), /managedFields/);
    });

    it('upgrades an object created by client-side apply', async () => {
      assert.equal(
        await ok(['apply', '-f', '-'], CONFIGMAP('  a: "1"\n  b: "2"\n')),
        'configmap/cfg created\n',
      );
      const csa = await ok(['get', 'configmap', 'cfg', '-o', 'yaml', '--show-managed-fields']);
      assert.equal(
        managedFieldsBlock(csa),
        `  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:data:
        .: {}
        f:a: {}
        f:b: {}
      f:metadata:
        f:annotations:
          .: {}
          f:kubectl.kubernetes.io/last-applied-configuration: {}
    manager: kubectl-client-side-apply
    operation: Update
    time: <time>
`,
      );
      assert.equal(
        await ok(ssa, CONFIGMAP('  a: "1"\n  c: "3"\n')),
        'configmap/cfg serverside-applied\n',
      );
      assert.equal(
        await ok(['get', 'configmap', 'cfg', '-o', 'jsonpath={.data}']),
        '{"a":"1","c":"3"}',
      );
      const ssaYaml = await ok(['get', 'configmap', 'cfg', '-o', 'yaml', '--show-managed-fields']);
      assert.equal(
        managedFieldsBlock(ssaYaml),
        `  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata:
        f:annotations:
          f:kubectl.kubernetes.io/last-applied-configuration: {}
    manager: kubectl-last-applied
    operation: Apply
  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:data:
        f:a: {}
        f:c: {}
    manager: kubectl
    operation: Apply
    time: <time>
`,
      );
      assert.match(
        ssaYaml,
        new RegExp(
          `last-applied-configuration: \\|\\n +\\{"apiVersion":"v1","data":\\{"a":"1","c":"3"\\},"kind":"ConfigMap","metadata":\\{"name":"cfg","namespace":"${ns}"\\}\\}\\n`,
        ),
      );
    });
  });
}
