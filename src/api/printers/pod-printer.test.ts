import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../json.ts';
import { podPrinter, podRowConditions } from './pod-printer.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();
const DAY = 86_400;

const running = { running: {} };
const waiting = (reason = ''): JsonObject => ({ waiting: reason === '' ? {} : { reason } });
const terminated = (fields: JsonObject = {}): JsonObject => ({ terminated: fields });
const lastTerminated = (secondsAgo: number): JsonObject => ({
  terminated: { finishedAt: ago(secondsAgo) },
});
const unnamed = (n: number): JsonObject[] => Array.from({ length: n }, () => ({}));
const sidecar = (name: string): JsonObject => ({ name, restartPolicy: 'Always' });

function newPod(
  name: string,
  spec: JsonObject,
  status: JsonObject,
  metadata: JsonObject = {},
): JsonObject {
  return { metadata: { name, ...metadata }, spec, status };
}

interface Case {
  readonly name: string;
  readonly pod: JsonObject;
  /** NAME READY STATUS RESTARTS AGE (the non-wide cells upstream's tests check). */
  readonly want: readonly string[];
}

// Transcribed from TestPrintPod of printers_test.go (release-1.33).
const printPodCases: Case[] = [
  {
    name: 'name, num of containers, restarts, container ready status',
    pod: newPod(
      'test1',
      { containers: unnamed(2) },
      {
        phase: 'podPhase',
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
      },
    ),
    want: ['test1', '1/2', 'podPhase', '6', '<unknown>'],
  },
  {
    name: 'container error overwrites pod phase',
    pod: newPod(
      'test2',
      { containers: unnamed(2) },
      {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { state: waiting('ContainerWaitingReason'), restartCount: 3 },
        ],
      },
    ),
    want: ['test2', '1/2', 'ContainerWaitingReason', '6', '<unknown>'],
  },
  {
    name: 'the first container overwrites the rest',
    pod: newPod(
      'test3',
      { containers: unnamed(2) },
      {
        phase: 'podPhase',
        containerStatuses: [
          { state: waiting('ContainerWaitingReason'), restartCount: 3 },
          { state: terminated({ reason: 'ContainerTerminatedReason' }), restartCount: 3 },
        ],
      },
    ),
    want: ['test3', '0/2', 'ContainerWaitingReason', '6', '<unknown>'],
  },
  {
    name: 'ready is not enough for reporting running',
    pod: newPod(
      'test4',
      { containers: unnamed(2) },
      {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { ready: true, restartCount: 3 },
        ],
      },
    ),
    want: ['test4', '1/2', 'podPhase', '6', '<unknown>'],
  },
  {
    name: 'pod reason wins over phase',
    pod: newPod(
      'test5',
      { containers: unnamed(2) },
      {
        reason: 'podReason',
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { ready: true, restartCount: 3 },
        ],
      },
    ),
    want: ['test5', '1/2', 'podReason', '6', '<unknown>'],
  },
  {
    name: 'one running, one completed, without ready condition',
    pod: newPod(
      'test6',
      { containers: unnamed(2) },
      {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 3, state: terminated({ reason: 'Completed', exitCode: 0 }) },
          { ready: true, restartCount: 3, state: running },
        ],
      },
    ),
    want: ['test6', '1/2', 'NotReady', '6', '<unknown>'],
  },
  {
    name: 'one running, one completed, with ready condition',
    pod: newPod(
      'test6',
      { containers: unnamed(2) },
      {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 3, state: terminated({ reason: 'Completed', exitCode: 0 }) },
          { ready: true, restartCount: 3, state: running },
        ],
        conditions: [{ type: 'Ready', status: 'True', lastProbeTime: ago(0) }],
      },
    ),
    want: ['test6', '1/2', 'Running', '6', '<unknown>'],
  },
  {
    name: '1 init container restarting and 1 container not running',
    pod: newPod(
      'test7',
      { initContainers: unnamed(1), containers: unnamed(1) },
      {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10) },
        ],
        containerStatuses: [{ ready: false, restartCount: 0, state: waiting() }],
      },
    ),
    want: ['test7', '0/1', 'Init:0/1', '3 (10s ago)', '<unknown>'],
  },
  {
    name: '2 init containers, one restarting and the other not running',
    pod: newPod(
      'test8',
      { initContainers: unnamed(2), containers: unnamed(1) },
      {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10) },
          { ready: false, state: waiting() },
        ],
        containerStatuses: [{ ready: false, state: waiting() }],
      },
    ),
    want: ['test8', '0/1', 'Init:0/2', '3 (10s ago)', '<unknown>'],
  },
  {
    name: '2 init containers, one completed without restarts and the other restarting',
    pod: newPod(
      'test9',
      { initContainers: unnamed(2), containers: unnamed(1) },
      {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, state: terminated() },
          { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10) },
        ],
        containerStatuses: [{ ready: false, state: waiting() }],
      },
    ),
    want: ['test9', '0/1', 'Init:1/2', '3 (10s ago)', '<unknown>'],
  },
  {
    name: '2 init containers, one completed with restarts and the other restarting',
    pod: newPod(
      'test10',
      { initContainers: unnamed(2), containers: unnamed(1) },
      {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, restartCount: 2, state: terminated(), lastState: lastTerminated(120) },
          { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10) },
        ],
        containerStatuses: [{ ready: false, state: waiting() }],
      },
    ),
    want: ['test10', '0/1', 'Init:1/2', '5 (10s ago)', '<unknown>'],
  },
  {
    name: '1 init container completed with restarts and one container restarting',
    pod: newPod(
      'test11',
      { initContainers: unnamed(1), containers: unnamed(1) },
      {
        phase: 'Running',
        initContainerStatuses: [
          { ready: false, restartCount: 2, state: terminated(), lastState: lastTerminated(120) },
        ],
        containerStatuses: [
          { ready: false, restartCount: 4, state: running, lastState: lastTerminated(20) },
        ],
      },
    ),
    want: ['test11', '0/1', 'Running', '4 (20s ago)', '<unknown>'],
  },
  {
    name: '1 container that restarted 5d ago',
    pod: newPod(
      'test12',
      { containers: unnamed(1) },
      {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running, lastState: lastTerminated(5 * DAY) },
        ],
      },
    ),
    want: ['test12', '1/1', 'Running', '3 (5d ago)', '<unknown>'],
  },
  {
    name: 'one never restarted, the other restarted 10d ago',
    pod: newPod(
      'test13',
      { containers: unnamed(2) },
      {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 0, state: running },
          { ready: true, restartCount: 3, state: running, lastState: lastTerminated(10 * DAY) },
        ],
      },
    ),
    want: ['test13', '2/2', 'Running', '3 (10d ago)', '<unknown>'],
  },
  {
    name: 'one restarted 5d ago, the other 20d ago',
    pod: newPod(
      'test14',
      { containers: unnamed(2) },
      {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 6, state: running, lastState: lastTerminated(5 * DAY) },
          { ready: true, restartCount: 3, state: running, lastState: lastTerminated(20 * DAY) },
        ],
      },
    ),
    want: ['test14', '2/2', 'Running', '9 (5d ago)', '<unknown>'],
  },
  {
    name: 'PodScheduled condition with reason SchedulingGated',
    pod: newPod(
      'test15',
      { containers: unnamed(2) },
      {
        phase: 'podPhase',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
    ),
    want: ['test15', '0/2', 'SchedulingGated', '0', '<unknown>'],
  },
  {
    name: 'succeeded',
    pod: newPod(
      'test16',
      { containers: unnamed(1) },
      {
        phase: 'Succeeded',
        containerStatuses: [
          {
            ready: false,
            restartCount: 0,
            state: terminated({ reason: 'Completed', exitCode: 0 }),
          },
        ],
      },
    ),
    want: ['test16', '0/1', 'Completed', '0', '<unknown>'],
  },
  {
    name: 'failed',
    pod: newPod(
      'test17',
      { containers: unnamed(1) },
      {
        phase: 'Failed',
        containerStatuses: [
          { ready: false, restartCount: 0, state: terminated({ reason: 'Error', exitCode: 1 }) },
        ],
      },
    ),
    want: ['test17', '0/1', 'Error', '0', '<unknown>'],
  },
  {
    name: 'succeeded with deletion',
    pod: newPod(
      'test18',
      { containers: unnamed(1) },
      {
        phase: 'Succeeded',
        containerStatuses: [
          {
            ready: false,
            restartCount: 0,
            state: terminated({ reason: 'Completed', exitCode: 0 }),
          },
        ],
      },
      { deletionTimestamp: ago(10) },
    ),
    want: ['test18', '0/1', 'Completed', '0', '<unknown>'],
  },
  {
    name: 'running with deletion',
    pod: newPod(
      'test19',
      { containers: unnamed(1) },
      { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 0, state: running }] },
      { deletionTimestamp: ago(10) },
    ),
    want: ['test19', '0/1', 'Terminating', '0', '<unknown>'],
  },
  {
    name: 'pending with deletion',
    pod: newPod(
      'test20',
      { containers: unnamed(1) },
      { phase: 'Pending' },
      { deletionTimestamp: ago(10) },
    ),
    want: ['test20', '0/1', 'Terminating', '0', '<unknown>'],
  },
];

const restartable = {
  initContainers: [sidecar('restartable-init-1'), sidecar('restartable-init-2')],
  containers: unnamed(1),
};

// Transcribed from TestPrintPodWithRestartableInitContainer.
const sidecarCases: Case[] = [
  {
    name: '2 sidecars, the first running but not started',
    pod: newPod('test1', restartable, {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'restartable-init-1',
          ready: false,
          restartCount: 3,
          state: running,
          started: false,
          lastState: lastTerminated(10),
        },
        { name: 'restartable-init-2', ready: false, state: waiting(), started: false },
      ],
      containerStatuses: [{ ready: false, restartCount: 0, state: waiting() }],
      conditions: [{ type: 'Initialized', status: 'False' }],
    }),
    want: ['test1', '0/3', 'Init:0/2', '3 (10s ago)', '<unknown>'],
  },
  {
    name: '2 sidecars, the first started and the second running but not started',
    pod: newPod('test1', restartable, {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'restartable-init-1',
          ready: false,
          restartCount: 3,
          state: running,
          started: true,
          lastState: lastTerminated(10),
        },
        { name: 'restartable-init-2', ready: false, state: running, started: false },
      ],
      containerStatuses: [{ ready: false, restartCount: 0, state: waiting() }],
      conditions: [{ type: 'Initialized', status: 'False' }],
    }),
    want: ['test1', '0/3', 'Init:1/2', '3 (10s ago)', '<unknown>'],
  },
  {
    name: '2 sidecars started and 1 container running',
    pod: newPod('test2', restartable, {
      phase: 'Running',
      initContainerStatuses: [
        {
          name: 'restartable-init-1',
          ready: false,
          restartCount: 3,
          state: running,
          started: true,
          lastState: lastTerminated(10),
        },
        { name: 'restartable-init-2', ready: false, state: running, started: true },
      ],
      containerStatuses: [
        { ready: true, restartCount: 4, state: running, lastState: lastTerminated(20) },
      ],
      conditions: [{ type: 'Initialized', status: 'True' }],
    }),
    want: ['test2', '1/3', 'Running', '7 (10s ago)', '<unknown>'],
  },
  {
    name: '2 sidecars completed with non-zero and 1 container completed',
    pod: newPod('test3', restartable, {
      phase: 'Succeeded',
      initContainerStatuses: [
        {
          name: 'restartable-init-1',
          ready: false,
          restartCount: 3,
          state: terminated({ reason: 'Error', exitCode: 137 }),
          started: false,
          lastState: lastTerminated(10),
        },
        {
          name: 'restartable-init-2',
          ready: false,
          state: terminated({ reason: 'Error', exitCode: 137 }),
          started: false,
        },
      ],
      containerStatuses: [
        {
          ready: false,
          restartCount: 4,
          state: terminated({ reason: 'Completed', exitCode: 0 }),
          lastState: lastTerminated(20),
        },
      ],
      conditions: [{ type: 'Initialized', status: 'True' }],
    }),
    want: ['test3', '0/3', 'Completed', '7 (10s ago)', '<unknown>'],
  },
  {
    name: 'statuses for non-existent init containers and containers',
    pod: newPod(
      'test4',
      {
        initContainers: [
          { name: 'init1', image: 'initimage' },
          { name: 'sidecar1', image: 'sidecarimage', restartPolicy: 'Always' },
        ],
        containers: [{ name: 'container1', image: 'containerimage' }],
      },
      {
        phase: 'Running',
        initContainerStatuses: [{ name: 'initinvalid' }, { name: 'init1' }, { name: 'sidecar1' }],
        containerStatuses: [{ name: 'containerinvalid' }, { name: 'container1' }],
      },
    ),
    want: ['test4', '0/2', 'Init:0/2', '0', '<unknown>'],
  },
];

// Reason precedence beyond upstream's table: what `kubectl get pods` shows in practice.
const reasonCases: Case[] = [
  {
    name: 'NodeLost with deletion reads Unknown',
    pod: newPod(
      'lost',
      { containers: unnamed(1) },
      {
        phase: 'Running',
        reason: 'NodeLost',
        containerStatuses: [{ ready: true, state: running }],
      },
      { deletionTimestamp: ago(10) },
    ),
    want: ['lost', '1/1', 'Unknown', '0', '<unknown>'],
  },
  {
    name: 'NodeLost without deletion keeps the reason',
    pod: newPod('lost2', { containers: unnamed(1) }, { phase: 'Running', reason: 'NodeLost' }),
    want: ['lost2', '0/1', 'NodeLost', '0', '<unknown>'],
  },
  {
    name: 'init container crash loop',
    pod: newPod(
      'init-crash',
      { initContainers: unnamed(2), containers: unnamed(1) },
      {
        phase: 'Pending',
        initContainerStatuses: [
          { restartCount: 5, state: waiting('CrashLoopBackOff'), lastState: lastTerminated(90) },
          { state: waiting('PodInitializing') },
        ],
        containerStatuses: [{ state: waiting('PodInitializing') }],
      },
    ),
    want: ['init-crash', '0/1', 'Init:CrashLoopBackOff', '5 (90s ago)', '<unknown>'],
  },
  {
    name: 'init container waiting on PodInitializing counts as Init:i/n',
    pod: newPod(
      'init-wait',
      { initContainers: unnamed(1), containers: unnamed(1) },
      {
        phase: 'Pending',
        initContainerStatuses: [{ state: waiting('PodInitializing') }],
      },
    ),
    want: ['init-wait', '0/1', 'Init:0/1', '0', '<unknown>'],
  },
  {
    name: 'init container failed without reason: exit code',
    pod: newPod(
      'init-exit',
      { initContainers: unnamed(1), containers: unnamed(1) },
      {
        phase: 'Pending',
        initContainerStatuses: [{ state: terminated({ exitCode: 1 }) }],
      },
    ),
    want: ['init-exit', '0/1', 'Init:ExitCode:1', '0', '<unknown>'],
  },
  {
    name: 'init container killed by a signal',
    pod: newPod(
      'init-signal',
      { initContainers: unnamed(1), containers: unnamed(1) },
      {
        phase: 'Pending',
        initContainerStatuses: [{ state: terminated({ exitCode: 137, signal: 9 }) }],
      },
    ),
    want: ['init-signal', '0/1', 'Init:Signal:9', '0', '<unknown>'],
  },
  {
    name: 'init container failed with a reason',
    pod: newPod(
      'init-error',
      { initContainers: unnamed(1), containers: unnamed(1) },
      {
        phase: 'Failed',
        initContainerStatuses: [{ state: terminated({ exitCode: 1, reason: 'Error' }) }],
      },
    ),
    want: ['init-error', '0/1', 'Init:Error', '0', '<unknown>'],
  },
  {
    name: 'container exit code and signal without reasons',
    pod: newPod(
      'exits',
      { containers: unnamed(2) },
      {
        phase: 'Running',
        containerStatuses: [
          { state: terminated({ exitCode: 143, signal: 15 }) },
          { state: terminated({ exitCode: 2 }) },
        ],
      },
    ),
    want: ['exits', '0/2', 'Signal:15', '0', '<unknown>'],
  },
  {
    name: 'crash loop with the last restart age',
    pod: newPod(
      'crash',
      { containers: unnamed(1) },
      {
        phase: 'Running',
        containerStatuses: [
          {
            restartCount: 3,
            state: waiting('CrashLoopBackOff'),
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(120) } },
          },
        ],
      },
      { creationTimestamp: ago(330) },
    ),
    want: ['crash', '0/1', 'CrashLoopBackOff', '3 (2m ago)', '5m30s'],
  },
  {
    name: 'restarts without a last termination time have no age',
    pod: newPod(
      'no-date',
      { containers: unnamed(1) },
      {
        phase: 'Running',
        containerStatuses: [{ ready: true, restartCount: 2, state: running }],
      },
    ),
    want: ['no-date', '1/1', 'Running', '2', '<unknown>'],
  },
  {
    name: 'empty object',
    pod: {},
    want: ['', '0/0', '', '0', '<unknown>'],
  },
];

describe('podPrinter: name, ready, status, restarts, age', () => {
  for (const c of [...printPodCases, ...sidecarCases, ...reasonCases]) {
    test(c.name, () => {
      assert.deepEqual(podPrinter.cells(c.pod, NOW).slice(0, 5), c.want);
    });
  }
});

const gates = {
  readinessGates: ['condition1', 'condition2', 'condition3'].map((t) => ({ conditionType: t })),
};
const gateConditions = [
  { type: 'condition1', status: 'False' },
  { type: 'condition2', status: 'True' },
];

// Transcribed from TestPrintPodwide: the server always sends the wide cells.
const wideCases: { name: string; pod: JsonObject; want: readonly string[] }[] = [
  {
    name: 'node name, pod IP, nominated node and readiness gates',
    pod: newPod(
      'test1',
      { containers: unnamed(2), nodeName: 'test1', ...gates },
      {
        conditions: gateConditions,
        phase: 'podPhase',
        podIPs: [{ ip: '1.1.1.1' }],
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
        nominatedNodeName: 'node1',
      },
    ),
    want: ['test1', '1/2', 'podPhase', '6', '<unknown>', '1.1.1.1', 'test1', 'node1', '1/3'],
  },
  {
    name: 'dual-stack pod prints the first IP',
    pod: newPod(
      'test1',
      { containers: unnamed(2), nodeName: 'test1', ...gates },
      {
        conditions: gateConditions,
        phase: 'podPhase',
        podIPs: [{ ip: '1.1.1.1' }, { ip: '2001:db8::' }],
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
        nominatedNodeName: 'node1',
      },
    ),
    want: ['test1', '1/2', 'podPhase', '6', '<unknown>', '1.1.1.1', 'test1', 'node1', '1/3'],
  },
  {
    name: 'node name and pod IP are none',
    pod: newPod(
      'test2',
      { containers: unnamed(2), nodeName: '' },
      {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { state: waiting('ContainerWaitingReason'), restartCount: 3 },
        ],
      },
    ),
    want: [
      'test2',
      '1/2',
      'ContainerWaitingReason',
      '6',
      '<unknown>',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ],
  },
  {
    name: 'status.podIP wins over podIPs[0] (v1 conversion)',
    pod: newPod(
      'ip',
      { containers: unnamed(1), nodeName: 'n1' },
      {
        phase: 'Pending',
        podIP: '10.0.0.2',
        podIPs: [{ ip: '10.0.0.1' }],
      },
    ),
    want: ['ip', '0/1', 'Pending', '0', '<unknown>', '10.0.0.2', 'n1', '<none>', '<none>'],
  },
];

describe('podPrinter: wide cells', () => {
  for (const c of wideCases) {
    test(c.name, () => {
      assert.deepEqual(podPrinter.cells(c.pod, NOW), c.want);
    });
  }
});

test('podPrinter columns match upstream', () => {
  assert.deepEqual(
    podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ],
  );
  assert.equal(
    podPrinter.columns[3]?.description,
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  );
  assert.equal(
    podPrinter.columns[5]?.description,
    'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  );
});

// TestPrintPodConditions: Succeeded and Failed rows carry a Completed row condition.
test('podRowConditions', () => {
  assert.equal(podRowConditions(newPod('test1', {}, { phase: 'Running' })), undefined);
  assert.deepEqual(podRowConditions(newPod('test1', {}, { phase: 'Succeeded' })), [
    {
      type: 'Completed',
      status: 'True',
      reason: 'Succeeded',
      message: 'The pod has completed successfully.',
    },
  ]);
  assert.deepEqual(podRowConditions(newPod('test2', {}, { phase: 'Failed' })), [
    { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
  ]);
});
