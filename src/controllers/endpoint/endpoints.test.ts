// The Endpoints object from a Service and its pods, as upstream's endpoints_controller_test.go
// tables check it: addresses vs notReadyAddresses, terminating pods, named ports, subsets by
// port set, hostnames, the 1000-address cap and the headless label.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newService as svc, newServicePod as webPod } from '../testing/builders.ts';
import { HEADLESS_LABEL, desiredEndpoints } from './endpoints.ts';

const ips = (a?: readonly { ip: string }[]): string[] | undefined => a?.map((x) => x.ip);

describe('desiredEndpoints', () => {
  it('ready pods are addresses, not-ready ones notReadyAddresses; terminating and finished pods are left out', () => {
    const { subsets } = desiredEndpoints(svc(), [
      webPod('b', '10.0.0.2'),
      webPod('a', '10.0.0.1'),
      webPod('nr', '10.0.0.3', { ready: false }),
      webPod('del', '10.0.0.4', { deleting: true }),
      webPod('done', '10.0.0.5', { phase: 'Failed' }),
      webPod('noip', '', {}),
    ]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(ips(subsets[0]?.addresses), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(ips(subsets[0]?.notReadyAddresses), ['10.0.0.3']);
    assert.deepEqual(subsets[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(
      subsets.flatMap((x) => x.addresses ?? []).map((a) => [a.targetRef?.name, a.nodeName]),
      [
        ['a', 'n1'],
        ['b', 'n1'],
      ],
    );
  });

  it('publishNotReadyAddresses: not-ready and terminating pods are addresses too', () => {
    const { subsets } = desiredEndpoints(svc({ publishNotReadyAddresses: true }), [
      webPod('nr', '10.0.0.3', { ready: false }),
      webPod('del', '10.0.0.4', { deleting: true }),
    ]);
    assert.deepEqual(ips(subsets[0]?.addresses), ['10.0.0.3', '10.0.0.4']);
    assert.equal(subsets[0]?.notReadyAddresses, undefined);
  });

  it('one subset per resolved port set; a pod without the named port is left out', () => {
    const noPort = webPod('np', '10.0.0.9');
    noPort.spec = { containers: [{ name: 'c', image: 'nginx' }] };
    const { subsets } = desiredEndpoints(svc(), [
      webPod('a', '10.0.0.1'),
      webPod('b', '10.0.0.2', { containerPort: 9090 }),
      noPort,
    ]);
    assert.deepEqual(
      subsets.map((s) => [s.ports?.[0]?.port, ips(s.addresses)]),
      [
        [8080, ['10.0.0.1']],
        [9090, ['10.0.0.2']],
      ],
    );
  });

  it('publishes the hostname of a pod whose subdomain is the Service', () => {
    const p = webPod('h', '10.0.0.1');
    p.spec = { ...p.spec!, hostname: 'h0', subdomain: 'web' };
    const other = webPod('o', '10.0.0.2');
    other.spec = { ...other.spec!, hostname: 'o0', subdomain: 'elsewhere' };
    const { subsets } = desiredEndpoints(svc(), [p, other]);
    assert.deepEqual(
      subsets[0]?.addresses?.map((a) => a.hostname),
      ['h0', undefined],
    );
  });

  it('keeps at most maxAddresses, ready ones first, and says it is over capacity', () => {
    const pods = [
      webPod('r1', '10.0.0.1'),
      webPod('r2', '10.0.0.2'),
      webPod('n1', '10.0.0.3', { ready: false }),
    ];
    const capped = desiredEndpoints(svc(), pods, 2);
    assert.equal(capped.overCapacity, true);
    assert.deepEqual(ips(capped.subsets[0]?.addresses), ['10.0.0.1', '10.0.0.2']);
    assert.equal(capped.subsets[0]?.notReadyAddresses, undefined);
    assert.equal(desiredEndpoints(svc(), pods, 3).overCapacity, false);
  });

  it('a headless Service without ports still lists its pods, labelled headless', () => {
    const d = desiredEndpoints(svc({ clusterIP: 'None', ports: [] }), [webPod('a', '10.0.0.1')]);
    assert.deepEqual(ips(d.subsets[0]?.addresses), ['10.0.0.1']);
    assert.equal(d.subsets[0]?.ports, undefined);
    assert.deepEqual(d.labels, { team: 'a', [HEADLESS_LABEL]: '' });
    assert.deepEqual(desiredEndpoints(svc({ ports: [] }), [webPod('a', '10.0.0.1')]).subsets, []);
  });
});
