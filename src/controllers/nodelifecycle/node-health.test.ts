// Node health as upstream's tryUpdateNodeHealth judges it: signs of life move the local probe
// time; silence past the grace period flips the monitored conditions to Unknown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { T0, iso, newNode } from '../testing/builders.ts';
import { gracePeriodMs, observeNodeHealth, silentNodeConditions } from './node-health.ts';

const node = (heartbeatMs?: number, transitionMs = T0): Node => {
  const n = newNode('n1');
  return {
    ...n,
    metadata: { ...n.metadata, creationTimestamp: iso(T0 - 60_000) },
    status:
      heartbeatMs === undefined
        ? {}
        : {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                lastHeartbeatTime: iso(heartbeatMs),
                lastTransitionTime: iso(transitionMs),
              },
            ],
          },
  };
};
const lease = (renewMs: number): Lease => ({
  metadata: { name: 'n1', namespace: 'kube-node-lease' },
  spec: { holderIdentity: 'n1', renewTime: new Date(renewMs).toISOString() },
});

describe('observeNodeHealth', () => {
  it('first sight: probed now', () => {
    const h = observeNodeHealth(undefined, node(T0), undefined, T0 + 5000);
    assert.deepEqual([h.probeMs, h.readyTransitionMs], [T0 + 5000, T0 + 5000]);
  });
  it('the same heartbeat and no lease: the probe time stays', () => {
    const h0 = observeNodeHealth(undefined, node(T0), undefined, T0);
    const h1 = observeNodeHealth(h0, node(T0), undefined, T0 + 30_000);
    assert.equal(h1.probeMs, T0);
  });
  it('a new heartbeat moves it; a new transition time moves the transition too', () => {
    const h0 = observeNodeHealth(undefined, node(T0), undefined, T0);
    const h1 = observeNodeHealth(h0, node(T0 + 10_000), undefined, T0 + 11_000);
    assert.deepEqual([h1.probeMs, h1.readyTransitionMs], [T0 + 11_000, T0]);
    const h2 = observeNodeHealth(h1, node(T0 + 20_000, T0 + 20_000), undefined, T0 + 21_000);
    assert.deepEqual([h2.probeMs, h2.readyTransitionMs], [T0 + 21_000, T0 + 21_000]);
  });
  it('a renewed lease moves it, an unrenewed one does not', () => {
    const h0 = observeNodeHealth(undefined, node(T0), lease(T0), T0);
    const h1 = observeNodeHealth(h0, node(T0), lease(T0 + 2000), T0 + 2500);
    assert.equal(h1.probeMs, T0 + 2500);
    const h2 = observeNodeHealth(h1, node(T0), lease(T0 + 2000), T0 + 30_000);
    assert.equal(h2.probeMs, T0 + 2500);
  });
  it('a node that never posted status is counted from its creation', () => {
    const h = observeNodeHealth(undefined, node(), undefined, T0);
    assert.equal(h.probeMs, T0 - 60_000);
    assert.equal(
      gracePeriodMs(node(), { nodeMonitorGracePeriodMs: 20_000, nodeStartupGracePeriodMs: 60_000 }),
      60_000,
    );
    assert.equal(
      gracePeriodMs(node(T0), {
        nodeMonitorGracePeriodMs: 20_000,
        nodeStartupGracePeriodMs: 60_000,
      }),
      20_000,
    );
  });
});

describe('silentNodeConditions', () => {
  it('flips Ready to Unknown with upstream words and adds the never-posted ones', () => {
    const c = silentNodeConditions(node(T0), T0 + 60_000) ?? [];
    const ready = c.find((x) => x.type === 'Ready');
    assert.deepEqual(
      [ready?.status, ready?.reason, ready?.message, ready?.lastTransitionTime],
      ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', iso(T0 + 60_000)],
    );
    assert.equal(ready?.lastHeartbeatTime, iso(T0), 'the heartbeat is the last one seen');
    const mem = c.find((x) => x.type === 'MemoryPressure');
    assert.deepEqual(
      [mem?.status, mem?.reason, mem?.message],
      ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.'],
    );
    assert.deepEqual(c.map((x) => x.type).sort(), [
      'DiskPressure',
      'MemoryPressure',
      'PIDPressure',
      'Ready',
    ]);
  });
  it('changes nothing when all are Unknown already', () => {
    const n = node(T0);
    const once = silentNodeConditions(n, T0 + 60_000) ?? [];
    assert.equal(
      silentNodeConditions({ ...n, status: { conditions: once } }, T0 + 70_000),
      undefined,
    );
  });
  it('leaves NetworkUnavailable alone', () => {
    const n = node(T0);
    const withNet: Node = {
      ...n,
      status: {
        conditions: [
          ...(n.status?.conditions ?? []),
          { type: 'NetworkUnavailable', status: 'False' },
        ],
      },
    };
    const c = silentNodeConditions(withNet, T0 + 60_000) ?? [];
    assert.equal(c.find((x) => x.type === 'NetworkUnavailable')?.status, 'False');
  });
});
