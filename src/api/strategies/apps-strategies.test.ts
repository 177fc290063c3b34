import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import { formatFieldError } from '../validation/field-error.ts';
import {
  daemonSetStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
} from './apps-strategies.ts';

const DEFAULT_TEMPLATE = {
  metadata: { labels: { app: 'd' } },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'nginx',
        imagePullPolicy: 'Always',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  },
};

const template = (): JsonObject => ({
  metadata: { labels: { app: 'd' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

/** A workload as a client sends it: selector app=d and a matching template. */
const workload = (spec: JsonObject = {}): JsonObject => ({
  metadata: { name: 'w', namespace: 'ns', uid: 'u' },
  spec: { selector: { matchLabels: { app: 'd' } }, template: template(), ...spec },
  status: { replicas: 99 },
});

/** What the store admits on create: PrepareForCreate, then defaults. */
function created(strategy: ResourceStrategy, obj: JsonObject): JsonObject {
  strategy.prepareForCreate?.(obj);
  strategy.defaults?.(obj);
  return obj;
}

const createErrors = (strategy: ResourceStrategy, obj: JsonObject): string[] =>
  (strategy.validate?.(created(strategy, obj)) ?? []).map(formatFieldError);

const updateErrors = (
  strategy: ResourceStrategy,
  old: JsonObject,
  change: (spec: JsonObject) => void,
): string[] => {
  const next = structuredClone(old);
  change(next['spec'] as JsonObject);
  strategy.defaults?.(next);
  return (strategy.validateUpdate?.(next, old) ?? []).map(formatFieldError);
};

describe('apps/v1 defaults (TestSetDefault*)', () => {
  it('Deployment', () => {
    const d = created(deploymentStrategy, workload());
    assert.deepEqual(d['spec'], {
      replicas: 1,
      selector: { matchLabels: { app: 'd' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: DEFAULT_TEMPLATE,
    });
    assert.deepEqual(d['status'], {});
    const recreate = created(deploymentStrategy, workload({ strategy: { type: 'Recreate' } }));
    assert.deepEqual((recreate['spec'] as JsonObject)['strategy'], { type: 'Recreate' });
    const surge = created(
      deploymentStrategy,
      workload({ replicas: 5, strategy: { rollingUpdate: { maxSurge: 1 } } }),
    );
    assert.equal((surge['spec'] as JsonObject)['replicas'], 5);
    assert.deepEqual((surge['spec'] as JsonObject)['strategy'], {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' },
    });
  });

  it('ReplicaSet', () => {
    const rs = created(replicaSetStrategy, workload());
    assert.equal((rs['spec'] as JsonObject)['replicas'], 1);
    assert.deepEqual((rs['spec'] as JsonObject)['template'], DEFAULT_TEMPLATE);
    assert.deepEqual(rs['status'], { replicas: 0 });
  });

  it('DaemonSet', () => {
    const ds = created(daemonSetStrategy, workload());
    const spec = ds['spec'] as JsonObject;
    assert.deepEqual(spec['updateStrategy'], {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(spec['revisionHistoryLimit'], 10);
    assert.deepEqual(ds['status'], {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
  });

  it('StatefulSet', () => {
    const sts = created(
      statefulSetStrategy,
      workload({
        serviceName: 'web',
        volumeClaimTemplates: [
          {
            metadata: { name: 'www' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      }),
    );
    assert.deepEqual(sts['spec'], {
      replicas: 1,
      selector: { matchLabels: { app: 'd' } },
      template: DEFAULT_TEMPLATE,
      serviceName: 'web',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      revisionHistoryLimit: 10,
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'www' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Gi' } },
            volumeMode: 'Filesystem',
          },
          status: { phase: 'Pending' },
        },
      ],
    });
    assert.deepEqual(sts['status'], { replicas: 0, availableReplicas: 0 });
    const onDelete = created(
      statefulSetStrategy,
      workload({ updateStrategy: { type: 'OnDelete' } }),
    );
    assert.deepEqual((onDelete['spec'] as JsonObject)['updateStrategy'], { type: 'OnDelete' });
  });
});

const MISMATCH = (labels: string): string =>
  `spec.template.metadata.labels: Invalid value: ${labels}: \`selector\` does not match template \`labels\``;
const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

describe('apps/v1 validation on create', () => {
  const cases: { name: string; strategy: ResourceStrategy; obj: JsonObject; want: string[] }[] = [
    { name: 'valid Deployment', strategy: deploymentStrategy, obj: workload(), want: [] },
    {
      name: 'Deployment without selector',
      strategy: deploymentStrategy,
      obj: workload({ selector: null }),
      want: ['spec.selector: Required value', MISMATCH('map[string]string{"app":"d"}')],
    },
    {
      name: 'selector not matching the template',
      strategy: deploymentStrategy,
      obj: workload({ selector: { matchLabels: { app: 'x' } } }),
      want: [MISMATCH('map[string]string{"app":"d"}')],
    },
    {
      name: 'empty selector',
      strategy: replicaSetStrategy,
      obj: workload({ selector: {} }),
      want: [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      ],
    },
    {
      name: 'negative replicas, restart policy, deadline',
      strategy: deploymentStrategy,
      obj: workload({
        replicas: -1,
        template: {
          ...template(),
          spec: {
            containers: [{ name: 'c', image: 'nginx' }],
            restartPolicy: 'Never',
            activeDeadlineSeconds: 5,
          },
        },
      }),
      want: [
        'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
        'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
      ],
    },
    {
      name: 'rolling update values',
      strategy: deploymentStrategy,
      obj: workload({ strategy: { rollingUpdate: { maxSurge: 'abc', maxUnavailable: '150%' } } }),
      want: [
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}: ${PERCENT}`,
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
      ],
    },
    {
      name: 'maxSurge and maxUnavailable both 0',
      strategy: deploymentStrategy,
      obj: workload({ strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }),
      want: [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
      ],
    },
    {
      name: 'unknown strategy type',
      strategy: deploymentStrategy,
      obj: workload({ strategy: { type: 'Foo' } }),
      want: [
        'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
      ],
    },
    {
      name: 'DaemonSet without selector',
      strategy: daemonSetStrategy,
      obj: workload({ selector: null }),
      want: [MISMATCH('map[string]string{"app":"d"}')],
    },
    {
      name: 'DaemonSet surge and unavailable both set',
      strategy: daemonSetStrategy,
      obj: workload({ updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }),
      want: [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
      ],
    },
    {
      name: 'StatefulSet policies and template',
      strategy: statefulSetStrategy,
      obj: workload({
        podManagementPolicy: 'Random',
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [] } },
      }),
      want: [
        `spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`,
        MISMATCH('map[string]string{"app":"x"}'),
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(createErrors(c.strategy, c.obj), c.want);
    });
  }
});

describe('apps/v1 validation on update', () => {
  it('the selector is immutable', () => {
    const old = created(deploymentStrategy, workload());
    assert.deepEqual(
      updateErrors(deploymentStrategy, old, (s) => (s['replicas'] = 3)),
      [],
    );
    assert.deepEqual(
      updateErrors(replicaSetStrategy, created(replicaSetStrategy, workload()), (s) => {
        s['selector'] = { matchLabels: { app: 'e' } };
        ((s['template'] as JsonObject)['metadata'] as JsonObject)['labels'] = { app: 'e' };
      }),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"e"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      ],
    );
  });

  it('a StatefulSet changes only replicas, template, strategy and a few more', () => {
    const old = created(statefulSetStrategy, workload({ serviceName: 'web' }));
    assert.deepEqual(
      updateErrors(statefulSetStrategy, old, (s) => {
        s['replicas'] = 3;
        s['updateStrategy'] = { type: 'OnDelete' };
      }),
      [],
    );
    assert.deepEqual(
      updateErrors(statefulSetStrategy, old, (s) => (s['serviceName'] = 'other')),
      [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ],
    );
  });
});
