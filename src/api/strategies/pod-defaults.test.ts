import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { defaultPullPolicy, imageTag } from './image-reference.ts';
import { defaultPod, defaultPodSpec } from './pod-defaults.ts';

const CONTAINER_DEFAULTS = {
  resources: {},
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};
const SPEC_DEFAULTS = {
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  schedulerName: 'default-scheduler',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

const newPod = (spec: JsonObject): JsonObject => ({ metadata: { name: 'p' }, spec });
const defaulted = (spec: JsonObject): JsonObject => {
  const pod = newPod(spec);
  defaultPod(pod);
  return pod['spec'] as JsonObject;
};

describe('pod defaults (SetObjectDefaults_Pod)', () => {
  it('fills a minimal pod as `kubectl get pod -o yaml` shows it', () => {
    assert.deepEqual(defaulted({ containers: [{ name: 'c', image: 'nginx' }] }), {
      containers: [{ name: 'c', image: 'nginx', imagePullPolicy: 'Always', ...CONTAINER_DEFAULTS }],
      enableServiceLinks: true,
      ...SPEC_DEFAULTS,
    });
  });

  it('a pod template gets the PodSpec defaults but not SetDefaults_Pod', () => {
    const spec: JsonObject = { containers: [{ name: 'c', image: 'nginx:1.27' }] };
    defaultPodSpec(spec);
    assert.deepEqual(spec, {
      containers: [
        { name: 'c', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', ...CONTAINER_DEFAULTS },
      ],
      ...SPEC_DEFAULTS,
    });
  });

  it('keeps what the user set and is idempotent', () => {
    const spec = defaulted({
      containers: [{ name: 'c', image: 'i', imagePullPolicy: 'Never' }],
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      enableServiceLinks: false,
    });
    const again = structuredClone(spec);
    defaultPod(newPod(again));
    assert.deepEqual(again, spec);
    assert.equal((spec['containers'] as JsonObject[])[0]?.['imagePullPolicy'], 'Never');
    assert.equal(spec['restartPolicy'], 'Never');
    assert.equal(spec['terminationGracePeriodSeconds'], 0);
    assert.equal(spec['enableServiceLinks'], false);
  });

  it('ports, env fieldRef, probes and lifecycle hooks', () => {
    const spec = defaulted({
      initContainers: [{ name: 'init', image: 'busybox', ports: [{ containerPort: 53 }] }],
      containers: [
        {
          name: 'c',
          image: 'i:v1',
          ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
          startupProbe: { tcpSocket: { port: 'http' } },
          lifecycle: { preStop: { httpGet: { port: 8080, path: '/stop' } } },
        },
      ],
    });
    const c = (spec['containers'] as JsonObject[])[0] ?? {};
    assert.deepEqual(c['ports'], [
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
    ]);
    assert.deepEqual(c['env'], [
      { name: 'N', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ]);
    const probe = {
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    };
    assert.deepEqual(c['livenessProbe'], {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      ...probe,
    });
    assert.deepEqual(c['readinessProbe'], {
      grpc: { port: 9000, service: '' },
      ...probe,
      periodSeconds: 5,
    });
    assert.deepEqual(c['startupProbe'], { tcpSocket: { port: 'http' }, ...probe });
    assert.deepEqual(c['lifecycle'], {
      preStop: { httpGet: { port: 8080, path: '/stop', scheme: 'HTTP' } },
    });
    const init = (spec['initContainers'] as JsonObject[])[0] ?? {};
    assert.deepEqual(init['ports'], [{ containerPort: 53, protocol: 'TCP' }]);
  });

  it('volumes: emptyDir when no source, file modes, hostPath type, token expiry', () => {
    const spec = defaulted({
      containers: [{ name: 'c', image: 'i' }],
      volumes: [
        { name: 'scratch' },
        { name: 's', secret: { secretName: 's' } },
        { name: 'cm', configMap: { name: 'cm', defaultMode: 256 } },
        { name: 'h', hostPath: { path: '/data' } },
        {
          name: 'd',
          downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] },
        },
        { name: 'p', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      ],
    });
    assert.deepEqual(spec['volumes'], [
      { name: 'scratch', emptyDir: {} },
      { name: 's', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'cm', configMap: { name: 'cm', defaultMode: 256 } },
      { name: 'h', hostPath: { path: '/data', type: '' } },
      {
        name: 'd',
        downwardAPI: {
          defaultMode: 420,
          items: [{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }],
        },
      },
      {
        name: 'p',
        projected: {
          defaultMode: 420,
          sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }],
        },
      },
    ]);
  });

  it('requests default to limits (TestSetDefaultRequestsPod), pods only', () => {
    const spec = defaulted({
      containers: [
        {
          name: 'c',
          image: 'i',
          resources: { limits: { cpu: '100m', memory: '1Gi' }, requests: { memory: '512Mi' } },
        },
      ],
    });
    assert.deepEqual((spec['containers'] as JsonObject[])[0]?.['resources'], {
      limits: { cpu: '100m', memory: '1Gi' },
      requests: { memory: '512Mi', cpu: '100m' },
    });
    const template: JsonObject = {
      containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1' } } }],
    };
    defaultPodSpec(template);
    assert.deepEqual((template['containers'] as JsonObject[])[0]?.['resources'], {
      limits: { cpu: '1' },
    });
  });

  it('host network: container ports get a hostPort', () => {
    const spec = defaulted({
      hostNetwork: true,
      containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 8080 }] }],
    });
    assert.deepEqual((spec['containers'] as JsonObject[])[0]?.['ports'], [
      { containerPort: 8080, hostPort: 8080, protocol: 'TCP' },
    ]);
  });

  it('serviceAccount is an alias of serviceAccountName, printed both ways', () => {
    const old = defaulted({ serviceAccount: 'sa', containers: [] });
    assert.equal(old['serviceAccountName'], 'sa');
    assert.equal(old['serviceAccount'], 'sa');
    const both = defaulted({ serviceAccount: 'x', serviceAccountName: 'y', containers: [] });
    assert.equal(both['serviceAccount'], 'y');
  });
});

describe('imagePullPolicy default (parsers.ParseImageName)', () => {
  const cases: [string, string, string][] = [
    ['nginx', 'latest', 'Always'],
    ['nginx:latest', 'latest', 'Always'],
    ['nginx:1.27', '1.27', 'IfNotPresent'],
    ['registry.k8s.io/pause:3.10', '3.10', 'IfNotPresent'],
    ['localhost:5000/app', 'latest', 'Always'],
    ['localhost:5000/app:v2', 'v2', 'IfNotPresent'],
    [`busybox@sha256:${'a'.repeat(64)}`, '', 'IfNotPresent'],
    [`busybox:latest@sha256:${'a'.repeat(64)}`, 'latest', 'Always'],
    ['Nginx', '', 'IfNotPresent'],
    ['', '', 'IfNotPresent'],
  ];
  for (const [image, tag, policy] of cases) {
    it(`${image || '(empty)'} -> ${policy}`, () => {
      assert.equal(imageTag(image), tag);
      assert.equal(defaultPullPolicy(image), policy);
    });
  }
});
