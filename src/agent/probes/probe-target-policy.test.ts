import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import { bestRoute, parseRoutes, probeTargetPolicy } from './probe-target-policy.ts';

/** /proc/net/route as a little-endian host prints it. */
const ROUTES = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  'k8tsnode1\t0001F40A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
  'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
].join('\n');

describe('probeTargetPolicy', { skip: endianness() !== 'LE' }, () => {
  it('parses /proc/net/route and picks the longest prefix', () => {
    const routes = parseRoutes(ROUTES);
    assert.equal(routes.length, 3);
    assert.equal(bestRoute(routes, '10.244.1.7')?.iface, 'k8tsnode1');
    assert.equal(bestRoute(routes, '10.244.2.7')?.iface, 'eth0');
    assert.equal(bestRoute(routes, '192.0.2.9')?.gateway, 0);
  });

  const policy = (routes: string, podCidr: string | undefined) =>
    probeTargetPolicy({
      nodeIp: '192.0.2.5',
      podCidr: () => podCidr,
      bridge: 'k8tsnode1',
      readRoutes: () => routes,
    });

  it('allows the node IP and pod IPs the node bridge reaches directly', () => {
    const allowed = policy(ROUTES, '10.244.1.0/24');
    assert.equal(allowed('192.0.2.5'), true);
    assert.equal(allowed('10.244.1.7'), true);
  });

  it('refuses addresses outside the pod CIDR, and pod IPs while the bridge has no route', () => {
    const allowed = policy(ROUTES, '10.244.1.0/24');
    assert.equal(allowed('10.244.2.7'), false, 'another node');
    assert.equal(allowed('192.0.2.9'), false, 'the host network');
    assert.equal(allowed('8.8.8.8'), false);
    assert.equal(allowed('fd00::1'), false);
    const noBridge = policy(
      ROUTES.split('\n')
        .filter((l) => !l.startsWith('k8tsnode1'))
        .join('\n'),
      '10.244.1.0/24',
    );
    assert.equal(noBridge('10.244.1.7'), false, 'would leave through the default route');
    assert.equal(policy(ROUTES, undefined)('10.244.1.7'), false, 'no pod CIDR yet');
    const unreadable = probeTargetPolicy({
      nodeIp: '192.0.2.5',
      podCidr: () => '10.244.1.0/24',
      bridge: 'k8tsnode1',
      readRoutes: () => {
        throw new Error('EACCES');
      },
    });
    assert.equal(unreadable('10.244.1.7'), false);
  });
});
