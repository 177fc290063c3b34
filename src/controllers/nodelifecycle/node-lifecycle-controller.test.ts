// The nodelifecycle and taint-eviction controllers against a real API server, with fake
// kubelets renewing their Leases: a silent node goes Unknown, is tainted, its pods marked not
// Ready and evicted after their tolerations; back, it is untainted and pending evictions are
// cancelled; when every node is silent nothing is evicted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.d.ts';
import { RESOURCES } from '../controller.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import { NodeLifecycleController } from './node-lifecycle-controller.ts';
import { TaintEvictionController } from './taint-eviction-controller.ts';

const PODS = { ...RESOURCES.pods, namespace: 'default' };
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function boundPod(name: string, node: string, tolerations?: Toleration[]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { test: 'nlc' } },
    spec: {
      nodeName: node,
      containers: [{ name: 'c', image: 'nginx' }],
      ...(tolerations === undefined ? {} : { tolerations }),
    },
  };
}

describe('node lifecycle and taint eviction', () => {
  let f: ControllerFixture;
  before(async () => {
    f = await newControllerFixture({ nodes: ['node-1', 'node-2'], leaseRenewMs: 200 });
    f.run([
      new NodeLifecycleController(f.ctx, {
        nodeMonitorPeriodMs: 200,
        nodeMonitorGracePeriodMs: 1500,
      }),
      new TaintEvictionController(f.ctx),
    ]);
  });
  after(async () => {
    await f.stop();
  });

  const node = (name: string) => f.client.get<Node>({ ...RESOURCES.nodes, name });
  const pod = (name: string) => f.client.get<Pod>({ ...PODS, name });
  const ready = async (name: string): Promise<string | undefined> =>
    (await node(name)).status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const taintKeys = async (name: string): Promise<string[]> =>
    ((await node(name)).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

  it('a silent node goes Unknown, is tainted, and its pods are evicted after their tolerations', async () => {
    await f.client.create(
      PODS,
      boundPod('quick', 'node-2', [
        { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 },
      ]),
    );
    const defaulted = await f.client.create<Pod>(PODS, boundPod('defaulted', 'node-2'));
    assert.deepEqual(
      (defaulted.spec?.tolerations ?? []).map((t) => [t.key, t.effect, t.tolerationSeconds]),
      [
        ['node.kubernetes.io/not-ready', 'NoExecute', 30],
        [UNREACHABLE, 'NoExecute', 30],
      ],
      'DefaultTolerationSeconds',
    );
    await f.client.create(PODS, boundPod('forever', 'node-2', [{ operator: 'Exists' }]));
    await f.client.create(PODS, boundPod('elsewhere', 'node-1'));
    await until('pods running', async () => {
      const pods = await f.pods('test=nlc');
      return pods.every((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      )
        ? pods
        : undefined;
    });

    f.kubelet.stopNode('node-2');
    const n2 = await until('node-2 Unknown', async () => {
      const n = await node('node-2');
      const c = n.status?.conditions?.find((x) => x.type === 'Ready');
      return c?.status === 'Unknown' ? n : undefined;
    });
    const c = n2.status?.conditions?.find((x) => x.type === 'Ready');
    assert.deepEqual(
      [c?.reason, c?.message],
      ['NodeStatusUnknown', 'Kubelet stopped posting node status.'],
    );
    await until('node-2 tainted', async () => {
      const keys = await taintKeys('node-2');
      return keys.includes(`${UNREACHABLE}:NoExecute`) && keys.includes(`${UNREACHABLE}:NoSchedule`)
        ? keys
        : undefined;
    });
    const noExecute = (await node('node-2')).spec?.taints?.find((t) => t.effect === 'NoExecute');
    assert.ok(noExecute?.timeAdded !== undefined, 'NoExecute taints carry timeAdded');
    await f.waitEvent('NodeNotReady', /^Node node-2 status is now: NodeNotReady$/);

    // Pods on the node are marked not Ready (Services drop them), then evicted on schedule.
    const defaultedPod = await until('defaulted not ready', async () => {
      const p = await pod('defaulted');
      return p.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'False'
        ? p
        : undefined;
    });
    assert.equal(defaultedPod.metadata?.deletionTimestamp, undefined, 'not evicted before 30 s');
    const quick = await until('quick evicted', async () => {
      const p = await pod('quick');
      return p.metadata?.deletionTimestamp != null ? p : undefined;
    });
    const disruption = quick.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
    assert.deepEqual([disruption?.status, disruption?.reason], ['True', 'DeletionByTaintManager']);
    await f.waitEvent('TaintManagerEviction', /^Marking for deletion Pod default\/quick$/);
    assert.equal((await pod('forever')).metadata?.deletionTimestamp, undefined);
    assert.equal(await ready('node-1'), 'True');
    assert.deepEqual(await taintKeys('node-1'), []);

    // Back: Ready, untainted, and the pending eviction of `defaulted` is cancelled.
    f.kubelet.resumeNode('node-2');
    await until('node-2 untainted', async () =>
      (await taintKeys('node-2')).length === 0 ? true : undefined,
    );
    assert.equal(await ready('node-2'), 'True');
    await f.waitEvent('TaintManagerEviction', /^Cancelling deletion of Pod default\/defaulted$/);
    assert.equal((await pod('defaulted')).metadata?.deletionTimestamp, undefined);
  });

  it('when every node is silent, nodes go Unknown but nothing is tainted NoExecute or evicted', async () => {
    f.kubelet.stopNode('node-1');
    f.kubelet.stopNode('node-2');
    await until('both Unknown', async () =>
      (await ready('node-1')) === 'Unknown' && (await ready('node-2')) === 'Unknown'
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of ['node-1', 'node-2'])
      assert.ok(
        !(await taintKeys(n)).some((k) => k.endsWith(':NoExecute')),
        `${n}: no NoExecute taint`,
      );
    assert.equal((await pod('elsewhere')).metadata?.deletionTimestamp, undefined);
    f.kubelet.resumeNode('node-1');
    f.kubelet.resumeNode('node-2');
    await until('both Ready', async () =>
      (await ready('node-1')) === 'True' && (await ready('node-2')) === 'True' ? true : undefined,
    );
  });
});
