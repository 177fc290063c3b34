// nodeipam's range allocator against a real API server: distinct subnets for every node,
// assignments made before it started kept, CIDRNotAvailable when the range is spent, a deleted
// node's subnet handed out again; nothing at all without --allocate-node-cidrs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { RESOURCES } from '../controller.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import { NodeIpamConfigError, NodeIpamController } from './node-ipam-controller.ts';

describe('nodeipam', () => {
  let f: ControllerFixture;
  before(async () => {
    f = await newControllerFixture({ nodes: ['node-1', 'node-2'] });
    // A node that already has a subnet when the controller starts.
    await f.client.create<Node>(RESOURCES.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'pre' },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
    });
    f.run([
      new NodeIpamController(f.ctx, {
        allocateNodeCidrs: true,
        clusterCidr: '10.244.0.0/22',
        nodeCidrMaskSize: 24,
      }),
    ]);
  });
  after(async () => {
    await f.stop();
  });

  const cidrOf = async (name: string): Promise<string | undefined> => {
    const n = await f.client.get<Node>({ ...RESOURCES.nodes, name });
    return n.spec?.podCIDRs?.[0] === n.spec?.podCIDR ? n.spec?.podCIDR : 'mismatch';
  };
  const assigned = (name: string) => until(`${name} podCIDR`, () => cidrOf(name));

  it('gives every node its own subnet, keeping the one already assigned', async () => {
    const got = [await assigned('node-1'), await assigned('node-2'), await assigned('pre')];
    assert.equal(new Set(got).size, 3);
    assert.equal(got[2], '10.244.1.0/24');
    for (const c of got) assert.match(c, /^10\.244\.[0-3]\.0\/24$/);
  });

  it('reports CIDRNotAvailable when the range is spent, and reuses a deleted node’s subnet', async () => {
    await f.kubelet.registerNode('node-3');
    const third = await assigned('node-3');
    await f.kubelet.registerNode('node-4');
    await f.waitEvent('CIDRNotAvailable', /^Node node-4 status is now: CIDRNotAvailable$/);
    assert.equal(await cidrOf('node-4'), undefined);
    const freed = await assigned('node-1');
    await f.client.delete({ ...RESOURCES.nodes, name: 'node-1' });
    const fourth = await until('node-4 podCIDR', () => cidrOf('node-4'), 15_000);
    assert.equal(fourth, freed);
    assert.notEqual(fourth, third);
  });

  it('refuses a bad range with a typed error, and does nothing when not allocating', () => {
    assert.throws(
      () => new NodeIpamController(f.ctx, { allocateNodeCidrs: true }),
      NodeIpamConfigError,
    );
    assert.throws(
      () =>
        new NodeIpamController(f.ctx, {
          allocateNodeCidrs: true,
          clusterCidr: '10.0.0.0/8,fd00::/48',
        }),
      /dual-stack is not/,
    );
    const idle = new NodeIpamController(f.ctx, {});
    const stop = new AbortController();
    stop.abort();
    return idle.run(stop.signal);
  });
});
