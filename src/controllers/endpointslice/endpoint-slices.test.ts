// EndpointSlices from a Service and its pods, as upstream's reconciler_test.go tables check them:
// conditions (ready/serving/terminating), ports resolved by name, zones, the 100-per-slice cut,
// the empty placeholder, and the create/update/delete plan against existing slices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { newService as svc, newServicePod as webPod } from '../testing/builders.ts';
import {
  CONTROLLER_NAME,
  HEADLESS_LABEL,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  desiredSlices,
  planSlices,
} from './endpoint-slices.ts';

describe('desiredSlices', () => {
  it('ready, not-ready and terminating pods with upstream’s conditions', () => {
    const slices = desiredSlices(svc(), [
      webPod('a', '10.0.0.1'),
      webPod('b', '10.0.0.2', { ready: false }),
      webPod('c', '10.0.0.3', { deleting: true }),
      webPod('done', '10.0.0.4', { phase: 'Succeeded' }),
    ]);
    assert.equal(slices.length, 1);
    assert.deepEqual(slices[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(
      slices
        .flatMap((x) => x.endpoints)
        .map((e) => [e.targetRef?.name, e.addresses[0], e.conditions]),
      [
        ['a', '10.0.0.1', { ready: true, serving: true, terminating: false }],
        ['b', '10.0.0.2', { ready: false, serving: false, terminating: false }],
        ['c', '10.0.0.3', { ready: false, serving: true, terminating: true }],
      ],
    );
  });

  it('publishNotReadyAddresses makes every endpoint ready', () => {
    const [s] = desiredSlices(svc({ publishNotReadyAddresses: true }), [
      webPod('b', '10.0.0.2', { ready: false }),
    ]);
    assert.deepEqual(s?.endpoints[0]?.conditions, {
      ready: true,
      serving: false,
      terminating: false,
    });
  });

  it('groups pods by resolved ports; a pod without the named port goes in a port-less slice, as upstream', () => {
    const noPort = webPod('np', '10.0.0.9');
    noPort.spec = { containers: [{ name: 'c', image: 'nginx' }] };
    const slices = desiredSlices(svc(), [
      webPod('a', '10.0.0.1'),
      webPod('b', '10.0.0.2', { containerPort: 9090 }),
      noPort,
    ]);
    assert.deepEqual(
      slices.map((s) => [s.ports[0]?.port, s.endpoints.map((e) => e.targetRef?.name)]),
      [
        [undefined, ['np']],
        [8080, ['a']],
        [9090, ['b']],
      ],
    );
  });

  it('sets nodeName and the node’s zone when known', () => {
    const zones = new Map([['n1', 'zone-a']]);
    const [s] = desiredSlices(
      svc(),
      [webPod('a', '10.0.0.1'), webPod('b', '10.0.0.2', { node: 'n2' })],
      100,
      (n) => zones.get(n),
    );
    assert.deepEqual(
      s?.endpoints.map((e) => [e.nodeName, e.zone]),
      [
        ['n1', 'zone-a'],
        ['n2', undefined],
      ],
    );
  });

  it('cuts at maxEndpointsPerSlice; an empty Service keeps one placeholder slice', () => {
    const pods = Array.from({ length: 5 }, (_, i) =>
      webPod(`p${String(i)}`, `10.0.0.${String(i + 1)}`),
    );
    assert.deepEqual(
      desiredSlices(svc(), pods, 2).map((s) => s.endpoints.length),
      [2, 2, 1],
    );
    assert.deepEqual(desiredSlices(svc(), []), [{ addressType: 'IPv4', ports: [], endpoints: [] }]);
  });

  it('only IPs of the slice’s family', () => {
    const base = webPod('d', '10.0.0.1');
    const dual: Pod = {
      ...base,
      status: { ...base.status, podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] },
    };
    const slices = desiredSlices(svc({ ipFamilies: ['IPv6'] }), [dual]);
    assert.deepEqual(
      slices.map((s) => [s.addressType, s.endpoints[0]?.addresses]),
      [['IPv6', ['fd00::1']]],
    );
  });
});

describe('planSlices', () => {
  const existing = (name: string, s: ReturnType<typeof desiredSlices>[number]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'default',
      labels: {
        team: 'a',
        [SERVICE_NAME_LABEL]: 'web',
        [MANAGED_BY_LABEL]: CONTROLLER_NAME,
      },
    },
    addressType: s.addressType,
    ports: s.ports,
    endpoints: s.endpoints,
  });

  it('creates owned, labelled slices when none exist', () => {
    const plan = planSlices(svc(), desiredSlices(svc(), [webPod('a', '10.0.0.1')]), []);
    assert.equal(plan.create.length, 1);
    const m = plan.create[0]?.metadata ?? {};
    assert.equal(m.generateName, 'web-');
    assert.deepEqual(m.labels, {
      team: 'a',
      [SERVICE_NAME_LABEL]: 'web',
      [MANAGED_BY_LABEL]: CONTROLLER_NAME,
    });
    assert.deepEqual(m.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: 'svc-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('leaves equal slices alone, updates changed ones, deletes the surplus', () => {
    const one = desiredSlices(svc(), [webPod('a', '10.0.0.1')]);
    const two = desiredSlices(svc(), [webPod('a', '10.0.0.1'), webPod('b', '10.0.0.2')]);
    const cur = [existing('web-aaa', one[0]!)];
    assert.deepEqual(planSlices(svc(), one, cur), { create: [], update: [], delete: [] });
    const upd = planSlices(svc(), two, cur);
    assert.deepEqual(
      [upd.create.length, upd.update.map((s) => s.metadata?.name), upd.delete.length],
      [0, ['web-aaa'], 0],
    );
    assert.equal(upd.update[0]?.endpoints.length, 2);
    const extra = [...cur, existing('web-bbb', one[0]!)];
    assert.deepEqual(
      planSlices(svc(), one, extra).delete.map((s) => s.metadata?.name),
      ['web-bbb'],
    );
  });

  it('a headless Service’s slices carry the headless label', () => {
    const h = svc({ clusterIP: 'None' });
    const plan = planSlices(h, desiredSlices(h, []), []);
    assert.equal(plan.create[0]?.metadata?.labels?.[HEADLESS_LABEL], '');
  });
});
