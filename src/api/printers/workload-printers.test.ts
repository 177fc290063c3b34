import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import {
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workload-printers.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const ALMOST_NOW = new Date(NOW.getTime() + 1900).toISOString();
const minutesAgo = (m: number): string => new Date(NOW.getTime() - m * 60_000).toISOString();
const TEN_YEARS_AGO = new Date(NOW.getTime() - 10 * 365 * 86_400_000).toISOString();

const template = {
  spec: {
    containers: [
      { name: 'fake-container1', image: 'fake-image1' },
      { name: 'fake-container2', image: 'fake-image2' },
    ],
  },
};
const fooBar = { matchLabels: { foo: 'bar' } };
const meta = (name: string, creationTimestamp = ALMOST_NOW): JsonObject => ({
  name,
  creationTimestamp,
});

type Cell = string | number;
const cases: { name: string; printer: Printer; obj: JsonObject; want: readonly Cell[] }[] = [
  // TestPrintDeployment
  {
    name: 'deployment',
    printer: deploymentPrinter,
    obj: {
      metadata: meta('test1'),
      spec: { replicas: 5, template, selector: fooBar },
      status: { replicas: 10, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 4 },
    },
    want: [
      'test1',
      '0/5',
      2,
      1,
      '0s',
      'fake-container1,fake-container2',
      'fake-image1,fake-image2',
      'foo=bar',
    ],
  },
  {
    name: 'deployment: replicas default to 1; expressions in the selector',
    printer: deploymentPrinter,
    obj: {
      metadata: meta('web', minutesAgo(3)),
      spec: {
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'NotIn', values: ['db', 'cache'] },
            { key: 'env', operator: 'Exists' },
            { key: 'zz', operator: 'DoesNotExist' },
          ],
        },
      },
      status: { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    },
    want: [
      'web',
      '1/1',
      1,
      1,
      '3m',
      'nginx',
      'nginx:1.27',
      'app=web,env,tier notin (cache,db),!zz',
    ],
  },
  {
    name: 'deployment: invalid selector, empty template',
    printer: deploymentPrinter,
    obj: {
      metadata: meta('bad'),
      spec: { replicas: 0, selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } },
    },
    want: ['bad', '0/0', 0, 0, '0s', '', '', '<invalid>'],
  },
  {
    name: 'deployment: empty selector prints empty (no <none>)',
    printer: deploymentPrinter,
    obj: { metadata: meta('empty'), spec: { replicas: 2, selector: {} } },
    want: ['empty', '0/2', 0, 0, '0s', '', '', ''],
  },
  // TestPrintReplicaSet / TestPrintReplicaSetList
  {
    name: 'replica set',
    printer: replicaSetPrinter,
    obj: {
      metadata: meta('test1'),
      spec: { replicas: 5, template, selector: fooBar },
      status: { replicas: 5, readyReplicas: 2 },
    },
    want: [
      'test1',
      5,
      5,
      2,
      '0s',
      'fake-container1,fake-container2',
      'fake-image1,fake-image2',
      'foo=bar',
    ],
  },
  {
    name: 'replica set without template or selector',
    printer: replicaSetPrinter,
    obj: {
      metadata: meta('replicaset2'),
      spec: { replicas: 4, template: {} },
      status: { replicas: 3, readyReplicas: 1 },
    },
    want: ['replicaset2', 4, 3, 1, '0s', '', '', '<none>'],
  },
  // TestPrintDaemonSet
  {
    name: 'daemon set',
    printer: daemonSetPrinter,
    obj: {
      metadata: meta('test1'),
      spec: { template, selector: fooBar },
      status: {
        currentNumberScheduled: 2,
        desiredNumberScheduled: 3,
        numberReady: 1,
        updatedNumberScheduled: 2,
        numberAvailable: 0,
      },
    },
    want: [
      'test1',
      3,
      2,
      1,
      2,
      0,
      '<none>',
      '0s',
      'fake-container1,fake-container2',
      'fake-image1,fake-image2',
      'foo=bar',
    ],
  },
  {
    name: 'daemon set with a node selector',
    printer: daemonSetPrinter,
    obj: {
      metadata: meta('kube-proxy', minutesAgo(600)),
      spec: {
        template: {
          spec: {
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.0' }],
          },
        },
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
      },
      status: {
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        numberReady: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
      },
    },
    want: [
      'kube-proxy',
      1,
      1,
      1,
      1,
      1,
      'kubernetes.io/os=linux',
      '10h',
      'kube-proxy',
      'registry.k8s.io/kube-proxy:v1.33.0',
      'k8s-app=kube-proxy',
    ],
  },
  // TestPrintStatefulSet
  {
    name: 'stateful set',
    printer: statefulSetPrinter,
    obj: {
      metadata: meta('test1'),
      spec: { replicas: 5, template },
      status: { replicas: 5, readyReplicas: 2 },
    },
    want: ['test1', '2/5', '0s', 'fake-container1,fake-container2', 'fake-image1,fake-image2'],
  },
  {
    name: 'stateful set: replicas default to 1',
    printer: statefulSetPrinter,
    obj: { metadata: meta('db'), spec: { template: {} } },
    want: ['db', '0/1', '0s', '', ''],
  },
];

describe('workload printers', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(c.printer.cells(c.obj, NOW), c.want);
    });
  }
});

const jobTemplate = {
  spec: {
    containers: [
      { name: 'fake-job-container1', image: 'fake-job-image1' },
      { name: 'fake-job-container2', image: 'fake-job-image2' },
    ],
  },
};
const condition = (type: string): JsonObject => ({ type, status: 'True' });

// TestPrintJob / TestPrintJobList: NAME STATUS COMPLETIONS DURATION AGE.
const jobCases: { name: string; job: JsonObject; want: readonly string[] }[] = [
  {
    name: 'job1: running, completions set',
    job: {
      metadata: meta('job1'),
      spec: {
        completions: 2,
        template: jobTemplate,
        selector: { matchLabels: { 'job-label': 'job-label-value' } },
      },
      status: { succeeded: 1 },
    },
    want: ['job1', 'Running', '1/2', '', '0s'],
  },
  {
    name: 'job2: ten-year age',
    job: { metadata: meta('job2', TEN_YEARS_AGO), spec: {}, status: { succeeded: 0 } },
    want: ['job2', 'Running', '0/1', '', '10y'],
  },
  {
    name: 'job3: duration from start to completion',
    job: {
      metadata: meta('job3', TEN_YEARS_AGO),
      spec: {},
      status: { startTime: minutesAgo(-1), completionTime: minutesAgo(-31) },
    },
    want: ['job3', 'Running', '0/1', '30m', '10y'],
  },
  {
    name: 'job4: duration while running',
    job: { metadata: meta('job4', TEN_YEARS_AGO), spec: {}, status: { startTime: minutesAgo(20) } },
    want: ['job4', 'Running', '0/1', '20m', '10y'],
  },
  {
    name: 'job5: complete',
    job: { metadata: meta('job5'), spec: {}, status: { conditions: [condition('Complete')] } },
    want: ['job5', 'Complete', '0/1', '', '0s'],
  },
  {
    name: 'job6: failed',
    job: { metadata: meta('job6'), spec: {}, status: { conditions: [condition('Failed')] } },
    want: ['job6', 'Failed', '0/1', '', '0s'],
  },
  {
    name: 'job7: suspended',
    job: { metadata: meta('job7'), spec: {}, status: { conditions: [condition('Suspended')] } },
    want: ['job7', 'Suspended', '0/1', '', '0s'],
  },
  {
    name: 'job8: failure target',
    job: { metadata: meta('job8'), spec: {}, status: { conditions: [condition('FailureTarget')] } },
    want: ['job8', 'FailureTarget', '0/1', '', '0s'],
  },
  {
    name: 'job9: terminating',
    job: { metadata: { ...meta('job9'), deletionTimestamp: ALMOST_NOW }, spec: {} },
    want: ['job9', 'Terminating', '0/1', '', '0s'],
  },
  {
    name: 'list job2: started 20m ago',
    job: {
      metadata: meta('job2'),
      spec: { completions: 2 },
      status: { succeeded: 2, startTime: minutesAgo(20) },
    },
    want: ['job2', 'Running', '2/2', '20m', '0s'],
  },
  {
    name: 'parallel job without completions',
    job: { metadata: meta('par'), spec: { parallelism: 3 }, status: { succeeded: 1 } },
    want: ['par', 'Running', '1/1 of 3', '', '0s'],
  },
  {
    name: 'complete wins over terminating; the first condition of a type decides',
    job: {
      metadata: { ...meta('both'), deletionTimestamp: ALMOST_NOW },
      spec: { completions: 1, parallelism: 1 },
      status: {
        succeeded: 1,
        conditions: [
          { type: 'Failed', status: 'False' },
          condition('Failed'),
          condition('Complete'),
        ],
        startTime: '2024-06-01T11:00:00Z',
        completionTime: '2024-06-01T11:00:42Z',
      },
    },
    want: ['both', 'Complete', '1/1', '42s', '0s'],
  },
];

describe('jobPrinter', () => {
  for (const c of jobCases) {
    test(c.name, () => {
      assert.deepEqual(jobPrinter.cells(c.job, NOW).slice(0, 5), c.want);
    });
  }
  test('wide cells: containers, images, selector', () => {
    const job = jobCases[0]?.job ?? {};
    assert.deepEqual(jobPrinter.cells(job, NOW).slice(5), [
      'fake-job-container1,fake-job-container2',
      'fake-job-image1,fake-job-image2',
      'job-label=job-label-value',
    ]);
  });
});

test('workload columns match upstream', () => {
  const shape = (p: Printer): string[] =>
    p.columns.map((c) => `${c.name}:${c.type}:${String(c.priority)}`);
  assert.deepEqual(shape(deploymentPrinter), [
    'Name:string:0',
    'Ready:string:0',
    'Up-to-date:string:0',
    'Available:string:0',
    'Age:string:0',
    'Containers:string:1',
    'Images:string:1',
    'Selector:string:1',
  ]);
  assert.deepEqual(shape(replicaSetPrinter), [
    'Name:string:0',
    'Desired:integer:0',
    'Current:integer:0',
    'Ready:integer:0',
    'Age:string:0',
    'Containers:string:1',
    'Images:string:1',
    'Selector:string:1',
  ]);
  assert.deepEqual(shape(daemonSetPrinter), [
    'Name:string:0',
    'Desired:integer:0',
    'Current:integer:0',
    'Ready:integer:0',
    'Up-to-date:integer:0',
    'Available:integer:0',
    'Node Selector:string:0',
    'Age:string:0',
    'Containers:string:1',
    'Images:string:1',
    'Selector:string:1',
  ]);
  assert.deepEqual(shape(statefulSetPrinter), [
    'Name:string:0',
    'Ready:string:0',
    'Age:string:0',
    'Containers:string:1',
    'Images:string:1',
  ]);
  assert.deepEqual(shape(jobPrinter), [
    'Name:string:0',
    'Status:string:0',
    'Completions:string:0',
    'Duration:string:0',
    'Age:string:0',
    'Containers:string:1',
    'Images:string:1',
    'Selector:string:1',
  ]);
  assert.equal(
    replicaSetPrinter.columns[1]?.description,
    'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset',
  );
});
