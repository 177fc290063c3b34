import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { computePodQOS } from './pod-qos.ts';
import { podStrategy } from './pod-strategy.ts';
import { POD_UPDATE_FORBIDDEN } from './pod-update.ts';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** A created pod as the store would admit it: prepared, defaulted. */
function newPod(spec: JsonObject): JsonObject {
  const pod: JsonObject = { metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec };
  podStrategy.prepareForCreate?.(pod);
  podStrategy.defaults?.(pod);
  return pod;
}

const container = (over: JsonObject = {}): JsonObject => ({ name: 'c', image: 'nginx', ...over });
const create = (spec: JsonObject): string[] =>
  (podStrategy.validate?.(newPod(spec)) ?? []).map(formatFieldError);
const update = (old: JsonObject, change: (spec: JsonObject) => void): string[] => {
  const next = structuredClone(old);
  change(next['spec'] as JsonObject);
  podStrategy.defaults?.(next);
  return (podStrategy.validateUpdate?.(next, old) ?? []).map(formatFieldError);
};

describe('pod status on create (PrepareForCreate)', () => {
  it('is Pending with the QoS class, whatever the client sent', () => {
    const pod = newPod({ containers: [container()] });
    assert.deepEqual(pod['status'], { phase: 'Pending', qosClass: 'BestEffort' });
    const sent: JsonObject = {
      metadata: { name: 'p' },
      spec: { containers: [container()] },
      status: { phase: 'Running', podIP: '10.0.0.1' },
    };
    podStrategy.prepareForCreate?.(sent);
    assert.deepEqual(sent['status'], { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('scheduling gates add PodScheduled=False', () => {
    const pod = newPod({ containers: [container()], schedulingGates: [{ name: 'g' }] });
    assert.deepEqual((pod['status'] as JsonObject)['conditions'], [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: null,
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ]);
  });
});

describe('ComputePodQOS (qos_test.go)', () => {
  const res = (requests?: JsonObject, limits?: JsonObject): JsonObject => ({
    resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
  });
  const both = { cpu: '100m', memory: '100Mi' };
  const cases: { name: string; containers: JsonObject[]; init?: JsonObject[]; want: string }[] = [
    { name: 'no resources', containers: [container()], want: 'BestEffort' },
    { name: 'requests only', containers: [container(res({ cpu: '100m' }))], want: 'Burstable' },
    {
      name: 'equal requests and limits',
      containers: [container(res(both, both))],
      want: 'Guaranteed',
    },
    {
      name: 'limits only (requests default)',
      containers: [container(res(undefined, both))],
      want: 'Guaranteed',
    },
    {
      name: 'same quantity spelled differently',
      containers: [container(res({ cpu: '1', memory: '1Gi' }, { cpu: '1000m', memory: '1024Mi' }))],
      want: 'Guaranteed',
    },
    {
      name: 'memory limit only',
      containers: [container(res(undefined, { memory: '1Gi' }))],
      want: 'Burstable',
    },
    {
      name: 'one guaranteed, one best effort',
      containers: [container(res(both, both)), container({ name: 'd' })],
      want: 'Burstable',
    },
    {
      name: 'zero requests',
      containers: [container(res({ cpu: '0', memory: '0' }))],
      want: 'BestEffort',
    },
    {
      name: 'extended resources do not count',
      containers: [container(res({ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '1' }))],
      want: 'BestEffort',
    },
    {
      name: 'burstable init container',
      containers: [container(res(both, both))],
      init: [container({ name: 'i', ...res({ cpu: '50m' }) })],
      want: 'Burstable',
    },
    {
      name: 'requests below limits',
      containers: [container(res({ cpu: '50m', memory: '100Mi' }, both))],
      want: 'Burstable',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = newPod({
        containers: c.containers,
        ...(c.init ? { initContainers: c.init } : {}),
      });
      assert.equal(computePodQOS(pod['spec'] as JsonObject), c.want);
      assert.equal((pod['status'] as JsonObject)['qosClass'], c.want);
    });
  }
});

describe('pod validation on create', () => {
  const cases: { name: string; spec: JsonObject; want: string[] }[] = [
    { name: 'minimal pod', spec: { containers: [container()] }, want: [] },
    { name: 'no containers', spec: { containers: [] }, want: ['spec.containers: Required value'] },
    {
      name: 'container name not a DNS label',
      spec: { containers: [container({ name: 'C_1' })] },
      want: [`spec.containers[0].name: Invalid value: "C_1": ${LABEL_MSG}`],
    },
    {
      name: 'duplicate container names, missing image',
      spec: { containers: [container(), container({ image: '' })] },
      want: [
        'spec.containers[1].image: Required value',
        'spec.containers[1].name: Duplicate value: "c"',
      ],
    },
    {
      name: 'init container named like a container',
      spec: { containers: [container()], initContainers: [container()] },
      want: ['spec.initContainers[0].name: Duplicate value: "c"'],
    },
    {
      name: 'restart policy',
      spec: { containers: [container()], restartPolicy: 'Sometimes' },
      want: [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
    },
    {
      name: 'ports',
      spec: {
        containers: [
          container({
            ports: [
              { containerPort: 70000 },
              { containerPort: 80, protocol: 'HTTP', name: 'Web' },
              { containerPort: 81, hostPort: 8080 },
              { containerPort: 82, hostPort: 8080 },
            ],
          }),
        ],
      },
      want: [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].name: Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[3].hostPort: Duplicate value: "TCP//8080"',
      ],
    },
    {
      name: 'volumes and mounts',
      spec: {
        volumes: [{ name: 'v' }, { name: 'v' }, { name: 's', secret: {} }],
        containers: [
          container({
            volumeMounts: [
              { name: 'v', mountPath: '/a' },
              { name: 'data', mountPath: '/a' },
            ],
          }),
        ],
      },
      want: [
        'spec.volumes[1].name: Duplicate value: "v"',
        'spec.volumes[2].secret.secretName: Required value',
        'spec.containers[0].volumeMounts[1].name: Not found: "data"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
      ],
    },
    {
      name: 'probes',
      spec: {
        containers: [
          container({
            livenessProbe: { periodSeconds: 3 },
            readinessProbe: { exec: { command: [] }, httpGet: { port: 80 } },
            startupProbe: { tcpSocket: { port: 0 }, successThreshold: 2 },
          }),
        ],
      },
      want: [
        'spec.containers[0].livenessProbe: Required value: must specify a handler type',
        'spec.containers[0].readinessProbe.exec.command: Required value',
        'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
        'spec.containers[0].startupProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1',
      ],
    },
    {
      name: 'env',
      spec: {
        containers: [
          container({
            env: [
              { name: 'A=B', value: 'x' },
              { name: 'C', value: 'x', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
              { name: 'D', valueFrom: { fieldRef: { fieldPath: 'spec.containers' } } },
            ],
          }),
        ],
      },
      want: [
        `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
        'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Invalid value: "spec.containers": error converting fieldPath: field label not supported: spec.containers',
      ],
    },
    {
      name: 'tolerations',
      spec: {
        containers: [container()],
        tolerations: [
          { operator: 'Equal', value: 'x' },
          { key: 'k', effect: 'Never' },
        ],
      },
      want: [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
        'spec.tolerations[1].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ],
    },
    {
      name: 'ephemeral containers and gated node name',
      spec: {
        containers: [container()],
        ephemeralContainers: [container({ name: 'e' })],
        nodeName: 'n1',
        schedulingGates: [{ name: 'g' }],
      },
      want: [
        'spec.ephemeralContainers: Forbidden: cannot be set on create',
        'spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(create(c.spec), c.want);
    });
});

describe('pod validation on update (ValidatePodUpdate)', () => {
  const base = (): JsonObject =>
    newPod({
      containers: [container({ ports: [{ containerPort: 80 }] })],
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }],
      activeDeadlineSeconds: 10,
    });

  it("allows images, a lower deadline, added tolerations and a toleration's seconds", () => {
    assert.deepEqual(
      update(base(), (s) => {
        (s['containers'] as JsonObject[])[0]!['image'] = 'nginx:2';
        s['activeDeadlineSeconds'] = 5;
        s['tolerations'] = [
          { key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
          { key: 'new', operator: 'Exists' },
        ];
      }),
      [],
    );
  });

  it('binding: nodeName may be set once (k8ts routes pods/binding through here)', () => {
    const bound = structuredClone(base());
    (bound['spec'] as JsonObject)['nodeName'] = 'n1';
    assert.deepEqual(
      update(base(), (s) => (s['nodeName'] = 'n1')),
      [],
    );
    const moved = update(bound, (s) => (s['nodeName'] = 'n2'));
    assert.equal(moved.length, 1);
    assert.ok(moved[0]?.startsWith(`spec: Forbidden: ${POD_UPDATE_FORBIDDEN}\n`), moved[0]);
    assert.match(moved[0] ?? '', /- \tNodeName: "n1",\n\+ \tNodeName: "n2",/);
  });

  it('forbids other spec changes', () => {
    const changed = update(base(), (s) => {
      (s['containers'] as JsonObject[])[0]!['ports'] = [{ containerPort: 81 }];
    });
    assert.equal(changed.length, 1);
    assert.ok(changed[0]?.startsWith(`spec: Forbidden: ${POD_UPDATE_FORBIDDEN}\n  core.PodSpec{`));
  });

  const cases: { name: string; change: (s: JsonObject) => void; want: string[] }[] = [
    {
      name: 'adding a container',
      change: (s) => (s['containers'] as JsonObject[]).push(container({ name: 'd' })),
      want: ['spec.containers: Forbidden: pod updates may not add or remove containers'],
    },
    {
      name: 'raising activeDeadlineSeconds',
      change: (s) => (s['activeDeadlineSeconds'] = 20),
      want: [
        'spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value',
      ],
    },
    {
      name: 'removing activeDeadlineSeconds',
      change: (s) => delete s['activeDeadlineSeconds'],
      want: [
        'spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value',
      ],
    },
    {
      name: 'changing a toleration',
      change: (s) => (s['tolerations'] = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }]),
      want: [
        'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(update(base(), c.change), c.want);
    });

  it('terminationGracePeriodSeconds may go from negative to 1', () => {
    const old = newPod({ containers: [container()], terminationGracePeriodSeconds: -1 });
    assert.deepEqual(
      update(old, (s) => (s['terminationGracePeriodSeconds'] = 1)),
      [],
    );
    assert.equal(update(old, (s) => (s['terminationGracePeriodSeconds'] = 2)).length, 1);
  });
});
