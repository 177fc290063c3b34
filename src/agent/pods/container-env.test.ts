import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Service } from 'kubernetes-types/core/v1.d.ts';
import { containerEnv, expand } from './container-env.ts';
import type { ConfigObjects, EnvContext } from './container-env.ts';
import { newPod } from './pod-fixtures.test-support.ts';

const objects: ConfigObjects = {
  configMap: (_ns, name) =>
    Promise.resolve(name === 'cfg' ? { data: { mode: 'fast', 'log.level': 'debug' } } : undefined),
  secret: (_ns, name) =>
    Promise.resolve(
      name === 'creds'
        ? { data: { password: Buffer.from('s3cret').toString('base64') } }
        : undefined,
    ),
};

const svc = (
  namespace: string,
  name: string,
  ip: string,
  port: number,
  portName?: string,
): Service => ({
  metadata: { namespace, name },
  spec: {
    clusterIP: ip,
    ports: [{ port, protocol: 'TCP', ...(portName === undefined ? {} : { name: portName }) }],
  },
});

function ctx(container: Container, extra: Partial<EnvContext> = {}): EnvContext {
  const pod = newPod({ nodeName: 'w1', serviceAccountName: 'sa' }, [container]);
  return {
    pod: {
      ...pod,
      metadata: { ...pod.metadata, labels: { app: 'web' }, annotations: { note: 'x' } },
    },
    container,
    objects,
    services: [
      svc('default', 'kubernetes', '10.96.0.1', 443, 'https'),
      svc('default', 'my-svc', '10.96.0.9', 80, 'http'),
      svc('other', 'far', '10.96.0.7', 81),
    ],
    hostIp: '10.1.0.1',
    podIps: ['10.244.1.5'],
    allocatable: { cpu: '2', memory: '4Gi' },
    ...extra,
  };
}

const asMap = async (c: EnvContext): Promise<Map<string, string>> =>
  new Map((await containerEnv(c)).map((e) => [e.name, e.value ?? '']));

describe('containerEnv', () => {
  it('adds service links for the namespace and the kubernetes service', async () => {
    const env = await asMap(ctx({ name: 'c' }));
    assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
    assert.equal(env.get('KUBERNETES_PORT'), 'tcp://10.96.0.1:443');
    assert.equal(env.get('MY_SVC_SERVICE_HOST'), '10.96.0.9');
    assert.equal(env.get('MY_SVC_PORT_80_TCP_ADDR'), '10.96.0.9');
    assert.equal(env.has('FAR_SERVICE_HOST'), false, 'other namespaces are not linked');
  });

  it('keeps only the kubernetes service when enableServiceLinks is false', async () => {
    const c = ctx({ name: 'c' });
    const env = await asMap({
      ...c,
      pod: { ...c.pod, spec: { ...c.pod.spec!, enableServiceLinks: false } },
    });
    assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(env.has('MY_SVC_SERVICE_HOST'), false);
  });

  it('resolves fieldRef, resourceFieldRef, configMapKeyRef and secretKeyRef, and expands $(VAR)', async () => {
    const env = await asMap(
      ctx({
        name: 'c',
        resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
        env: [
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          {
            name: 'MEM',
            valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
          },
          {
            name: 'CPU_REQ',
            valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } },
          },
          { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
          { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'GREETING', value: 'hi $(POD) in $(NS), $$(NOT) and $(UNKNOWN)' },
        ],
      }),
    );
    assert.equal(env.get('POD'), 'p');
    assert.equal(env.get('NS'), 'default');
    assert.equal(env.get('APP'), 'web');
    assert.equal(env.get('NODE'), 'w1');
    assert.equal(env.get('IP'), '10.244.1.5');
    assert.equal(env.get('HOST'), '10.1.0.1');
    assert.equal(env.get('MEM'), '64');
    assert.equal(env.get('CPU_REQ'), '250');
    assert.equal(env.get('CPU_LIM'), '2', 'an unset limit is the node allocatable');
    assert.equal(env.get('MODE'), 'fast');
    assert.equal(env.get('PASS'), 's3cret');
    assert.equal(env.get('CFG_mode'), 'fast');
    assert.equal(env.get('GREETING'), 'hi p in default, $(NOT) and $(UNKNOWN)');
  });

  const bad: { name: string; env: NonNullable<Container['env']>; message: string }[] = [
    {
      name: 'a missing ConfigMap',
      env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }],
      message: 'configmap "nope" not found',
    },
    {
      name: 'a missing ConfigMap key',
      env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }],
      message: "couldn't find key k in ConfigMap default/cfg",
    },
    {
      name: 'a missing Secret',
      env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }],
      message: 'secret "nope" not found',
    },
    {
      name: 'a missing Secret key',
      env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }],
      message: "couldn't find key k in Secret default/creds",
    },
  ];
  for (const c of bad)
    it(`fails on ${c.name} with upstream's message`, async () => {
      await assert.rejects(containerEnv(ctx({ name: 'c', env: c.env })), {
        code: 'AGENT_CONTAINER_CONFIG',
        message: c.message,
      });
    });

  it('skips optional references that are missing', async () => {
    const env = await asMap(
      ctx({
        name: 'c',
        env: [
          { name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
          { name: 'B', valueFrom: { secretKeyRef: { name: 'creds', key: 'k', optional: true } } },
        ],
        envFrom: [{ secretRef: { name: 'nope', optional: true } }],
      }),
    );
    assert.equal(env.has('A'), false);
    assert.equal(env.has('B'), false);
  });

  it('expands like upstream', () => {
    const vars = new Map([['A', 'x']]);
    assert.equal(expand('$(A)$(A)', vars), 'xx');
    assert.equal(expand('$$(A)', vars), '$(A)');
    assert.equal(expand('$(A', vars), '$(A');
    assert.equal(expand('a$', vars), 'a$');
  });
});
