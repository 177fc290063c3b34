// DaemonSet placement and planning as upstream's daemon_controller.go decides them
// (NodeShouldRunDaemonPod, podsShouldBeOnNode, rollingUpdate, status).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { T0, newDaemonSet, newNode, newPod } from '../testing/builders.ts';
import {
  REVISION_HASH_LABEL,
  computeStatus,
  daemonPodTemplate,
  daemonSetHash,
  nodeShouldRunDaemonPod,
  planManage,
  planRollingUpdate,
  podsByNode,
  targetNodeName,
} from './daemon-pods.ts';

const withSpec = (
  ds: DaemonSet,
  spec: Partial<NonNullable<NonNullable<DaemonSet['spec']>['template']['spec']>>,
): DaemonSet => ({
  ...ds,
  spec: {
    ...ds.spec!,
    template: {
      ...ds.spec!.template,
      spec: { containers: [], ...ds.spec!.template.spec, ...spec },
    },
  },
});

describe('NodeShouldRunDaemonPod', () => {
  const ds = newDaemonSet('agent');
  const cases: { name: string; node: Node; ds?: DaemonSet; want: [boolean, boolean] }[] = [
    { name: 'a plain node', node: newNode('n'), want: [true, true] },
    {
      name: 'nodeSelector matches',
      node: newNode('n', { labels: { disk: 'ssd' } }),
      ds: withSpec(ds, { nodeSelector: { disk: 'ssd' } }),
      want: [true, true],
    },
    {
      name: 'nodeSelector does not match',
      node: newNode('n', { labels: { disk: 'hdd' } }),
      ds: withSpec(ds, { nodeSelector: { disk: 'ssd' } }),
      want: [false, false],
    },
    {
      name: 'required node affinity does not match',
      node: newNode('n'),
      ds: withSpec(ds, {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              ],
            },
          },
        },
      }),
      want: [false, false],
    },
    {
      name: 'spec.nodeName names another node',
      node: newNode('n'),
      ds: withSpec(ds, { nodeName: 'other' }),
      want: [false, false],
    },
    {
      name: 'an untolerated NoSchedule taint: no new pod, an existing one stays',
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
      want: [false, true],
    },
    {
      name: 'an untolerated NoExecute taint: none at all',
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }] }),
      want: [false, false],
    },
    {
      name: 'a tolerated taint',
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
      ds: withSpec(ds, { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }),
      want: [true, true],
    },
    {
      name: 'not-ready / unreachable / unschedulable nodes: daemon pods tolerate them',
      node: newNode('n', {
        taints: [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
        ],
      }),
      want: [true, true],
    },
    {
      name: 'an unreachable NoSchedule taint is not tolerated',
      node: newNode('n', {
        taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }],
      }),
      want: [false, true],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const p = nodeShouldRunDaemonPod(c.node, c.ds ?? ds);
      assert.deepEqual([p.shouldRun, p.shouldContinueRunning], c.want);
    });
});

describe('the daemon pod', () => {
  it('gets the automatic tolerations and a required affinity to its node', () => {
    const ds = newDaemonSet('agent');
    const t = daemonPodTemplate(ds, 'h1', 'node-1');
    const keys = (t.spec?.tolerations ?? []).map((x) => `${x.key ?? ''}:${x.effect ?? ''}`);
    assert.deepEqual(keys, [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    assert.equal(t.metadata?.labels?.[REVISION_HASH_LABEL], 'h1');
    assert.equal(targetNodeName({ spec: t.spec! }), 'node-1');
  });
});

describe('manage: one pod per eligible node', () => {
  const ds = withSpec(newDaemonSet('agent'), { nodeSelector: { role: 'worker' } });
  const hash = daemonSetHash(ds);
  const worker = (name: string) => newNode(name, { labels: { role: 'worker' } });
  const daemonPod = (name: string, node: string, o: Parameters<typeof newPod>[1] = {}): Pod => {
    const p = newPod(name, { node, ready: true, ...o });
    return {
      ...p,
      metadata: { ...p.metadata, labels: { app: 'agent', [REVISION_HASH_LABEL]: hash } },
    };
  };
  it('creates on eligible nodes without a pod, deletes from ineligible and gone nodes', () => {
    const nodes = [worker('w1'), worker('w2'), newNode('cp')];
    const pods = [daemonPod('on-cp', 'cp'), daemonPod('on-w2', 'w2'), daemonPod('on-gone', 'gone')];
    const plan = planManage(ds, nodes, podsByNode(pods), hash, 0);
    assert.deepEqual(plan.createOn, ['w1']);
    assert.deepEqual(plan.deletePods.sort(), ['on-cp', 'on-gone']);
  });
  it('keeps the oldest of duplicates, and reports failed and succeeded pods', () => {
    const pods = [
      daemonPod('old', 'w1', { createdMs: T0 }),
      daemonPod('dup', 'w1', { createdMs: T0 + 1000 }),
      daemonPod('bad', 'w2', { phase: 'Failed' }),
      daemonPod('done', 'w3', { phase: 'Succeeded' }),
    ];
    const nodes = [worker('w1'), worker('w2'), worker('w3')];
    const plan = planManage(ds, nodes, podsByNode(pods), hash, 0);
    assert.deepEqual(plan.deletePods, ['dup']);
    assert.deepEqual(plan.failed, [{ node: 'w2', pod: 'bad' }]);
    assert.deepEqual(plan.succeeded, [{ node: 'w3', pod: 'done' }]);
    // Without surge the replacement waits for the next pass; with surge it is created at once.
    assert.deepEqual(plan.createOn, []);
    assert.deepEqual(planManage(ds, nodes, podsByNode(pods), hash, 1).createOn, ['w2', 'w3']);
  });
  it('status counts desired, current, ready, updated and misscheduled', () => {
    const pods = [
      daemonPod('a', 'w1'),
      daemonPod('b', 'cp'),
      daemonPod('c', 'w2', { ready: false }),
    ];
    const s = computeStatus(
      ds,
      [worker('w1'), worker('w2'), worker('w3'), newNode('cp')],
      podsByNode(pods),
      hash,
      T0,
    );
    assert.deepEqual(
      [
        s.desiredNumberScheduled,
        s.currentNumberScheduled,
        s.numberReady,
        s.numberAvailable,
        s.updatedNumberScheduled,
        s.numberMisscheduled,
        s.numberUnavailable,
      ],
      [3, 2, 1, 1, 2, 1, 2],
    );
  });
});

describe('rolling update', () => {
  const ds = newDaemonSet('agent');
  const nodes = ['n1', 'n2', 'n3'].map((n) => newNode(n));
  const pod = (node: string, rev: string, ready = true): Pod => {
    const p = newPod(`${node}-${rev}`, { node, ready });
    return {
      ...p,
      metadata: { ...p.metadata, labels: { app: 'agent', [REVISION_HASH_LABEL]: rev } },
    };
  };
  const hash = daemonSetHash(ds);
  it('maxUnavailable 1: deletes one old pod at a time', () => {
    const pods = nodes.map((n) => pod(n.metadata!.name!, 'old'));
    assert.deepEqual(planRollingUpdate(ds, nodes, podsByNode(pods), hash, T0).deletePods.length, 1);
  });
  it('waits while an updated pod is not yet available', () => {
    const pods = [pod('n1', hash, false), pod('n2', 'old'), pod('n3', 'old')];
    assert.deepEqual(planRollingUpdate(ds, nodes, podsByNode(pods), hash, T0).deletePods, []);
  });
  it('an unavailable old pod may always go', () => {
    const pods = [pod('n1', hash, false), pod('n2', 'old', false), pod('n3', 'old')];
    assert.deepEqual(planRollingUpdate(ds, nodes, podsByNode(pods), hash, T0).deletePods, [
      'n2-old',
    ]);
  });
  it('maxSurge 1: starts a new pod beside an old one, then drops the old one', () => {
    const surge: DaemonSet = {
      ...ds,
      spec: {
        ...ds.spec!,
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
        },
      },
    };
    const h = daemonSetHash(surge);
    const first = planRollingUpdate(
      surge,
      nodes,
      podsByNode(nodes.map((n) => pod(n.metadata!.name!, 'old'))),
      h,
      T0,
    );
    assert.deepEqual([first.createOn.length, first.deletePods.length], [1, 0]);
    const pods = [pod('n1', 'old'), pod('n1', h), pod('n2', 'old'), pod('n3', 'old')];
    const next = planRollingUpdate(surge, nodes, podsByNode(pods), h, T0);
    assert.deepEqual(next.deletePods, ['n1-old']);
  });
});
