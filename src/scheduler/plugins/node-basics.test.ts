/** NodeName, NodeUnschedulable and NodePorts: the small filters, one table each. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PodSpec } from 'kubernetes-types/core/v1.d.ts';
import { filterReasons, makeNode, makePod, nodeInfo, podInfo } from '../test-builders.ts';
import { ERR_NODE_NAME, nodeName } from './node-name.ts';
import { ERR_NODE_PORTS, nodePorts } from './node-ports.ts';
import { ERR_NODE_UNSCHEDULABLE, nodeUnschedulable } from './node-unschedulable.ts';

describe('NodeName', () => {
  test('only the named node fits; no name, every node', () => {
    const nodes = [nodeInfo(makeNode('a')), nodeInfo(makeNode('b'))];
    assert.deepEqual(filterReasons(nodeName, podInfo('p', { nodeName: 'b' }), nodes), {
      a: ERR_NODE_NAME,
      b: '',
    });
    assert.deepEqual(filterReasons(nodeName, podInfo('p'), nodes), { a: '', b: '' });
  });
});

describe('NodeUnschedulable', () => {
  const cordoned = nodeInfo(makeNode('c', { unschedulable: true }));
  const cases: { name: string; spec: Partial<PodSpec>; want: string }[] = [
    { name: 'a cordoned node rejects', spec: {}, want: ERR_NODE_UNSCHEDULABLE },
    {
      name: 'unless the pod tolerates node.kubernetes.io/unschedulable',
      spec: {
        tolerations: [
          { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
        ],
      },
      want: '',
    },
    { name: 'or tolerates everything', spec: { tolerations: [{ operator: 'Exists' }] }, want: '' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(
        filterReasons(nodeUnschedulable, podInfo('p', { spec: c.spec }), [cordoned])['c'],
        c.want,
      );
    });
  }
  test('a schedulable node accepts', () => {
    assert.equal(
      filterReasons(nodeUnschedulable, podInfo('p'), [nodeInfo(makeNode('n'))])['n'],
      '',
    );
  });
});

describe('NodePorts', () => {
  const withPort = (name: string, port: number, hostIP?: string, protocol?: 'UDP') =>
    makePod(name, {
      spec: {
        containers: [
          {
            name: 'c',
            image: 'x',
            ports: [
              {
                containerPort: 80,
                hostPort: port,
                ...(hostIP === undefined ? {} : { hostIP }),
                ...(protocol === undefined ? {} : { protocol }),
              },
            ],
          },
        ],
      },
    });
  const cases: {
    name: string;
    existing: ReturnType<typeof makePod>;
    pod: ReturnType<typeof makePod>;
    want: string;
  }[] = [
    {
      name: 'same port, both on all addresses',
      existing: withPort('a', 8080),
      pod: withPort('p', 8080),
      want: ERR_NODE_PORTS,
    },
    { name: 'another port', existing: withPort('a', 8080), pod: withPort('p', 8081), want: '' },
    {
      name: 'another protocol',
      existing: withPort('a', 53),
      pod: withPort('p', 53, undefined, 'UDP'),
      want: '',
    },
    {
      name: 'different host IPs',
      existing: withPort('a', 80, '10.0.0.1'),
      pod: withPort('p', 80, '10.0.0.2'),
      want: '',
    },
    {
      name: '0.0.0.0 against a specific IP',
      existing: withPort('a', 80, '10.0.0.1'),
      pod: withPort('p', 80),
      want: ERR_NODE_PORTS,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const node = nodeInfo(makeNode('n'), [c.existing]);
      assert.equal(
        filterReasons(nodePorts, podInfo(c.pod.metadata?.name ?? '', { spec: c.pod.spec ?? {} }), [
          node,
        ])['n'],
        c.want,
      );
    });
  }
  test('a regular init container’s host port does not count; a sidecar’s does', () => {
    const init = (restartPolicy?: 'Always') =>
      makePod('a', {
        spec: {
          initContainers: [
            {
              name: 'i',
              image: 'x',
              ports: [{ containerPort: 1, hostPort: 9000 }],
              ...(restartPolicy === undefined ? {} : { restartPolicy }),
            },
          ],
        },
      });
    const pod = withPort('p', 9000);
    const p = podInfo('p', { spec: pod.spec ?? {} });
    assert.equal(filterReasons(nodePorts, p, [nodeInfo(makeNode('n'), [init()])])['n'], '');
    assert.equal(
      filterReasons(nodePorts, p, [nodeInfo(makeNode('n'), [init('Always')])])['n'],
      ERR_NODE_PORTS,
    );
  });
});
