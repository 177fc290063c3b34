/**
 * The kubectl scenario suite: one scripted session run with real kubectl 1.27, 1.29, 1.31 and
 * 1.33 against a k8ts API server over HTTPS (client certificates), on a real 3-member etcd and
 * on embedded SQLite. Each step checks kubectl's exit code and its exact output (ages masked).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.ts';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { startEtcdCluster } from '../harness/etcd-cluster.ts';
import type { EtcdCluster } from '../harness/etcd-cluster.ts';
import { KUBECTL_VERSIONS, hasKubectl, kubectl } from '../harness/kubectl.ts';

const DEPLOYMENT = (image: string, replicas = 2): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${String(replicas)}
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
        - {name: A, value: "1"}
        - {name: B, value: "2"}
`;

/**
 * Ages change between runs (`0s`, `5s`, `2m` become `<age>`), and with them kubectl's column
 * padding, so runs of spaces compare as one. The cells themselves must match exactly.
 */
const maskAges = (s: string): string =>
  s.replace(/(?<![\w-])(\d+[smhd])+(?![\w-])/g, '<age>').replace(/ {2,}/g, '  ');

interface Step {
  readonly args: readonly string[];
  readonly stdin?: string;
  /** Expected stdout (ages masked), or a pattern. */
  readonly out?: string | RegExp;
  readonly err?: RegExp;
  readonly code?: number;
  /** Run these kubectl args 1 s after the step started, while it runs (for `get -w`). */
  readonly during?: readonly string[];
  /** Versions this step applies to (default: all). */
  readonly only?: (v: string) => boolean;
}

const minor = (v: string): number => Number(v.split('.')[1]);

function scenario(ns: string): Step[] {
  const n = ['-n', ns];
  return [
    { args: ['create', 'namespace', ns], out: `namespace/${ns} created\n` },
    {
      args: ['get', 'namespace', ns],
      out: `NAME${' '.repeat(ns.length - 1)}STATUS   AGE\n${ns}   Active   <age>\n`,
    },
    {
      args: [...n, 'create', 'configmap', 'cm1', '--from-literal=a=b'],
      out: 'configmap/cm1 created\n',
    },
    { args: [...n, 'get', 'configmap', 'cm1', '-o', 'jsonpath={.data.a}'], out: 'b' },
    { args: [...n, 'get', 'configmaps'], out: 'NAME   DATA   AGE\ncm1    1      <age>\n' },
    {
      args: [...n, 'describe', 'configmap', 'cm1'],
      out: new RegExp(
        `^Name: +cm1\nNamespace: +${ns}\nLabels: +<none>\nAnnotations: +<none>\n\nData\n====\na:\n----\nb\n\n+BinaryData\n====\n\nEvents: +<none>\n$`,
      ),
    },
    {
      args: [...n, 'get', 'configmap', 'cm1', '-o', 'yaml'],
      out: new RegExp(
        `^apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  creationTimestamp: "[0-9T:-]+Z"\n  name: cm1\n  namespace: ${ns}\n  resourceVersion: "\\d+"\n  uid: [0-9a-f-]{36}\n$`,
      ),
    },
    {
      args: [...n, 'get', 'configmaps', '--watch-only', '--request-timeout=4s'],
      during: [...n, 'create', 'configmap', 'watched'],
      out: 'NAME      DATA   AGE\nwatched   0      <age>\n',
    },
    { args: [...n, 'delete', 'configmap', 'watched'], out: 'configmap "watched" deleted\n' },
    {
      args: [...n, 'get', 'configmap', 'nope'],
      code: 1,
      err: /Error from server \(NotFound\): configmaps "nope" not found/,
    },
    { args: [...n, 'create', 'configmap', 'cm1'], code: 1, err: /already exists/ },
    { args: [...n, 'label', 'configmap', 'cm1', 'tier=db'], out: 'configmap/cm1 labeled\n' },
    {
      args: [...n, 'annotate', 'configmap', 'cm1', 'note=hello'],
      // kubectl 1.27 printed "annotate" (fixed in 1.28).
      out: /^configmap\/cm1 annotated?\n$/,
    },
    { args: [...n, 'get', 'configmaps', '-l', 'tier=db', '-o', 'name'], out: 'configmap/cm1\n' },
    {
      args: [...n, 'get', 'configmaps', '-l', 'tier!=db'],
      out: '',
      err: /No resources found in ns-1-\d+ namespace/,
    },
    {
      args: [...n, 'get', 'configmaps', '--field-selector', 'metadata.name=cm1', '-o', 'name'],
      out: 'configmap/cm1\n',
    },
    {
      args: [
        ...n,
        'patch',
        'configmap',
        'cm1',
        '--type=json',
        '-p',
        '[{"op":"add","path":"/data/c","value":"d"}]',
      ],
      out: 'configmap/cm1 patched\n',
    },
    {
      args: [...n, 'patch', 'configmap', 'cm1', '--type=merge', '-p', '{"data":{"e":"f"}}'],
      out: 'configmap/cm1 patched\n',
    },
    {
      args: [...n, 'get', 'configmap', 'cm1', '-o', 'jsonpath={.data}'],
      out: '{"a":"b","c":"d","e":"f"}',
    },
    {
      args: [...n, 'create', 'configmap', 'cm2', '--from-literal=x=y'],
      out: 'configmap/cm2 created\n',
    },
    {
      args: [...n, 'get', 'configmaps', '--chunk-size=1', '-o', 'name'],
      out: 'configmap/cm1\nconfigmap/cm2\n',
    },
    {
      args: [...n, 'apply', '-f', '-'],
      stdin: DEPLOYMENT('busybox:1'),
      out: 'deployment.apps/web created\n',
    },
    {
      args: [...n, 'get', 'deployments'],
      out: 'NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    0/2     0            0           <age>\n',
    },
    {
      args: [...n, 'get', 'deployment', 'web', '-o', 'wide'],
      out: 'NAME   READY   UP-TO-DATE   AVAILABLE   AGE     CONTAINERS   IMAGES      SELECTOR\nweb    0/2     0            0           <age>   web          busybox:1   app=web\n',
    },
    {
      args: [...n, 'apply', '-f', '-'],
      stdin: DEPLOYMENT('busybox:2'),
      out: 'deployment.apps/web configured\n',
    },
    {
      args: [
        ...n,
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}',
      ],
      out: 'busybox:2 2',
    },
    {
      args: [...n, 'scale', 'deployment', 'web', '--replicas=3'],
      out: 'deployment.apps/web scaled\n',
    },
    { args: [...n, 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'], out: '3' },
    {
      args: [
        ...n,
        'patch',
        'deployment',
        'web',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"C","value":"3"}]}]}}}}',
      ],
      out: 'deployment.apps/web patched\n',
    },
    {
      args: [
        ...n,
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}={.value} {end}',
      ],
      out: 'C=3 A=1 B=2 ',
    },
    {
      args: [...n, 'set', 'image', 'deployment/web', 'web=busybox:3'],
      out: 'deployment.apps/web image updated\n',
    },
    {
      // After `set image` the image belongs to kubectl-set: applying another one conflicts,
      // exactly as kube-apiserver answers (kubectl exits 1 and prints the conflict).
      args: [...n, 'apply', '--server-side', '-f', '-'],
      stdin: DEPLOYMENT('busybox:4', 3),
      code: 1,
      out: '',
      err: /^error: Apply failed with 1 conflict: conflict with "kubectl-set" using apps\/v1: \.spec\.template\.spec\.containers\[name="web"\]\.image\n/,
    },
    {
      args: [...n, 'apply', '--server-side', '--force-conflicts', '-f', '-'],
      stdin: DEPLOYMENT('busybox:4', 3),
      out: 'deployment.apps/web serverside-applied\n',
    },
    {
      args: [
        ...n,
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      ],
      out: 'busybox:4',
    },
    {
      args: [...n, 'wait', '--for=jsonpath={.data.a}=b', 'configmap/cm1', '--timeout=10s'],
      out: 'configmap/cm1 condition met\n',
    },
    {
      args: ['explain', 'deployment.spec.replicas'],
      out: /FIELD: *replicas|FIELD:\s+replicas/,
      only: (v) => minor(v) >= 29,
    },
    {
      args: ['api-resources', '--api-group=apps', '--no-headers'],
      out: /^daemonsets +ds +apps\/v1 +true +DaemonSet\ndeployments +deploy +apps\/v1 +true +Deployment\n/,
    },
    { args: ['auth', 'can-i', 'create', 'deployments'], out: 'yes\n' },
    { args: [...n, 'delete', 'configmap', 'cm1'], out: 'configmap "cm1" deleted\n' },
    { args: [...n, 'delete', 'deployment', 'web'], out: 'deployment.apps "web" deleted\n' },
    { args: [...n, 'get', 'configmaps', '-o', 'name'], out: 'configmap/cm2\n' },
  ];
}

async function runScenario(fixture: ApiServerFixture, version: string): Promise<void> {
  const ns = `ns-${version.replace('.', '-')}`;
  for (const step of scenario(ns)) {
    if (step.only !== undefined && !step.only(version)) continue;
    const running = kubectl(version, fixture.kubeconfigPath, step.args, step.stdin);
    if (step.during !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const side = await kubectl(version, fixture.kubeconfigPath, step.during);
      assert.equal(side.code, 0, `kubectl.${version} ${step.during.join(' ')}: ${side.stderr}`);
    }
    const r = await running;
    const what = `kubectl.${version} ${step.args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
    assert.equal(r.code, step.code ?? 0, what);
    const out = maskAges(r.stdout);
    if (typeof step.out === 'string') assert.equal(out, maskAges(step.out), what);
    else if (step.out !== undefined) assert.match(out, step.out, what);
    if (step.err !== undefined) assert.match(r.stderr, step.err, what);
  }
}

const versions = KUBECTL_VERSIONS.filter(hasKubectl);

for (const backend of ['etcd', 'sqlite'] as const) {
  describe(
    `kubectl scenario on ${backend}`,
    { skip: versions.length === 0 ? 'no kubectl binaries' : false },
    () => {
      let cluster: EtcdCluster | undefined;
      let fixture: ApiServerFixture;
      let dir = '';
      before(async () => {
        let store: Store;
        if (backend === 'etcd') {
          cluster = await startEtcdCluster({ members: 3 });
          store = new EtcdStore({ endpoints: cluster.endpoints });
        } else {
          dir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-sqlite-'));
          store = new SqliteStore({ path: join(dir, 'state.db') });
        }
        // An API server alone, no controller manager: the exact `get configmaps` outputs below
        // have no kube-root-ca.crt (it would appear at a moment the script cannot know), and
        // the scenario creates no pods.
        fixture = await startApiServerFixture(store, { serviceAccountControllers: false });
      });
      after(async () => {
        await fixture.stop();
        await cluster?.stop();
        if (dir !== '') rmSync(dir, { recursive: true, force: true });
      });
      for (const version of versions) {
        it(`kubectl ${version}`, async () => {
          await runScenario(fixture, version);
        });
      }
    },
  );
}
