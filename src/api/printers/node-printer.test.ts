import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../json.ts';
import { findNodeRoles, nodePrinter } from './node-printer.ts';

const NOW = new Date('2024-06-01T12:00:00Z');

function newNode(
  name: string,
  fields: { labels?: JsonObject; spec?: JsonObject; status?: JsonObject },
): JsonObject {
  return {
    metadata: { name, ...(fields.labels === undefined ? {} : { labels: fields.labels }) },
    spec: fields.spec ?? {},
    status: fields.status ?? {},
  };
}

const ready = (status: string): JsonObject => ({ type: 'Ready', status });

// TestPrintNodeStatus, TestPrintNodeRole and TestPrintNodeName: NAME STATUS ROLES AGE VERSION.
const cases: { node: JsonObject; want: readonly string[] }[] = [
  {
    node: newNode('foo1', { status: { conditions: [ready('True')] } }),
    want: ['foo1', 'Ready', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo2', {
      spec: { unschedulable: true },
      status: { conditions: [ready('True')] },
    }),
    want: ['foo2', 'Ready,SchedulingDisabled', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo3', { status: { conditions: [ready('True'), ready('True')] } }),
    want: ['foo3', 'Ready', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo4', { status: { conditions: [ready('False')] } }),
    want: ['foo4', 'NotReady', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo5', {
      spec: { unschedulable: true },
      status: { conditions: [ready('False')] },
    }),
    want: ['foo5', 'NotReady,SchedulingDisabled', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo6', { status: { conditions: [{ type: 'InvalidValue', status: 'True' }] } }),
    want: ['foo6', 'Unknown', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo7', { status: { conditions: [{}] } }),
    want: ['foo7', 'Unknown', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo8', {
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'InvalidValue', status: 'True' }] },
    }),
    want: ['foo8', 'Unknown,SchedulingDisabled', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo9', { spec: { unschedulable: true }, status: { conditions: [{}] } }),
    want: ['foo9', 'Unknown,SchedulingDisabled', '<none>', '<unknown>', ''],
  },
  {
    node: newNode('foo10', {
      labels: {
        'node-role.kubernetes.io/master': '',
        'node-role.kubernetes.io/control-plane': '',
        'node-role.kubernetes.io/proxy': '',
        'kubernetes.io/role': 'node',
      },
    }),
    want: ['foo10', 'Unknown', 'control-plane,master,node,proxy', '<unknown>', ''],
  },
  {
    node: newNode('foo11', { labels: { 'kubernetes.io/role': 'node' } }),
    want: ['foo11', 'Unknown', 'node', '<unknown>', ''],
  },
  { node: newNode('127.0.0.1', {}), want: ['127.0.0.1', 'Unknown', '<none>', '<unknown>', ''] },
  { node: newNode('', {}), want: ['', 'Unknown', '<none>', '<unknown>', ''] },
  {
    node: {
      metadata: { name: 'w1', creationTimestamp: '2024-05-31T12:00:00Z' },
      status: { conditions: [ready('Unknown')], nodeInfo: { kubeletVersion: 'v1.33.1' } },
    },
    want: ['w1', 'NotReady', '<none>', '24h', 'v1.33.1'],
  },
];

describe('nodePrinter: name, status, roles, age, version', () => {
  for (const c of cases) {
    test(`${c.want[0] ?? ''} -> ${c.want[1] ?? ''} ${c.want[2] ?? ''}`, () => {
      assert.deepEqual(nodePrinter.cells(c.node, NOW).slice(0, 5), c.want);
    });
  }
});

const ext = (address: string): JsonObject => ({ type: 'ExternalIP', address });
const int = (address: string): JsonObject => ({ type: 'InternalIP', address });

// TestPrintNodeOSImage/KernelVersion/ContainerRuntimeVersion/ExternalIP/InternalIP (wide cells).
const wideCases: { name: string; status: JsonObject; want: readonly string[] }[] = [
  {
    name: 'os image',
    status: { nodeInfo: { osImage: 'fake-os-image' }, addresses: [ext('1.1.1.1')] },
    want: ['<none>', '1.1.1.1', 'fake-os-image', '<unknown>', '<unknown>'],
  },
  {
    name: 'kernel version',
    status: { nodeInfo: { kernelVersion: 'fake-kernel-version' }, addresses: [ext('1.1.1.1')] },
    want: ['<none>', '1.1.1.1', '<unknown>', 'fake-kernel-version', '<unknown>'],
  },
  {
    name: 'container runtime',
    status: { nodeInfo: { containerRuntimeVersion: 'foo://1.2.3' }, addresses: [ext('1.1.1.1')] },
    want: ['<none>', '1.1.1.1', '<unknown>', '<unknown>', 'foo://1.2.3'],
  },
  {
    name: 'internal only',
    status: { addresses: [int('1.1.1.1')] },
    want: ['1.1.1.1', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'first of each type',
    status: { addresses: [ext('2.2.2.2'), int('3.3.3.3'), ext('4.4.4.4')] },
    want: ['3.3.3.3', '2.2.2.2', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'first internal of several',
    status: { addresses: [int('2.2.2.2'), ext('3.3.3.3'), int('4.4.4.4')] },
    want: ['2.2.2.2', '3.3.3.3', '<unknown>', '<unknown>', '<unknown>'],
  },
];

describe('nodePrinter: wide cells', () => {
  for (const c of wideCases) {
    test(c.name, () => {
      assert.deepEqual(nodePrinter.cells(newNode('n', { status: c.status }), NOW).slice(5), c.want);
    });
  }
});

test('findNodeRoles: dedupes, skips the empty suffix, sorts (wire reference example)', () => {
  const labels = {
    'node-role.kubernetes.io/worker': 'x',
    'node-role.kubernetes.io/infra': '',
    'node-role.kubernetes.io/': '',
    'kubernetes.io/role': 'worker',
  };
  assert.deepEqual(findNodeRoles(newNode('n', { labels })), ['infra', 'worker']);
  assert.deepEqual(findNodeRoles(newNode('n', { labels: { 'kubernetes.io/role': '' } })), []);
});

test('nodePrinter columns match upstream', () => {
  assert.deepEqual(
    nodePrinter.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0],
      ['Status', 0],
      ['Roles', 0],
      ['Age', 0],
      ['Version', 0],
      ['Internal-IP', 1],
      ['External-IP', 1],
      ['OS-Image', 1],
      ['Kernel-Version', 1],
      ['Container-Runtime', 1],
    ],
  );
  assert.equal(nodePrinter.columns[1]?.description, 'The status of the node');
  assert.equal(nodePrinter.columns[4]?.description, 'Kubelet Version reported by the node.');
});
