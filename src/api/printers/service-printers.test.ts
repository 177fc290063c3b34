import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../json.ts';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './service-printers.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const ALMOST_NOW = new Date(NOW.getTime() + 1900).toISOString();
const FIVE_MIN_AGO = new Date(NOW.getTime() - 300_000).toISOString();

function newService(name: string, spec: JsonObject, status: JsonObject = {}): JsonObject {
  return { metadata: { name }, spec, status };
}
const lb = (...ingress: JsonObject[]): JsonObject => ({ loadBalancer: { ingress } });
const tcp = (port: number, nodePort?: number): JsonObject =>
  nodePort === undefined ? { protocol: 'tcp', port } : { protocol: 'tcp', port, nodePort };

// TestPrintService and TestPrintServiceLoadBalancer; the server prints wide, so load-balancer
// addresses are never clipped ("2.3.4.5,3.4.5..." only appears in client-side, non-wide printing).
const serviceCases: { name: string; svc: JsonObject; want: readonly string[] }[] = [
  {
    name: 'cluster IP, port with protocol, selector',
    svc: newService('test1', {
      type: 'ClusterIP',
      ports: [tcp(2233)],
      clusterIPs: ['10.9.8.7'],
      selector: { foo: 'bar' },
    }),
    want: ['test1', 'ClusterIP', '10.9.8.7', '<none>', '2233/tcp', '<unknown>', 'foo=bar'],
  },
  {
    name: 'node port',
    svc: newService('test2', {
      type: 'NodePort',
      ports: [tcp(8888, 9999)],
      clusterIPs: ['10.9.8.7'],
    }),
    want: ['test2', 'NodePort', '10.9.8.7', '<none>', '8888:9999/tcp', '<unknown>', '<none>'],
  },
  {
    name: 'load balancer pending',
    svc: newService('test3', {
      type: 'LoadBalancer',
      ports: [tcp(8888)],
      clusterIPs: ['10.9.8.7'],
    }),
    want: ['test3', 'LoadBalancer', '10.9.8.7', '<pending>', '8888/tcp', '<unknown>', '<none>'],
  },
  {
    name: 'load balancer with an external IP and no status',
    svc: newService('test4', {
      type: 'LoadBalancer',
      ports: [tcp(8888)],
      clusterIPs: ['10.9.8.7'],
      externalIPs: ['80.11.12.10'],
    }),
    want: ['test4', 'LoadBalancer', '10.9.8.7', '80.11.12.10', '8888/tcp', '<unknown>', '<none>'],
  },
  {
    name: 'load balancer status then external IPs',
    svc: newService(
      'test5',
      {
        type: 'LoadBalancer',
        ports: [tcp(8888)],
        clusterIPs: ['10.9.8.7'],
        externalIPs: ['80.11.12.10'],
      },
      lb({ ip: '3.4.5.6', hostname: 'test.cluster.com' }),
    ),
    want: [
      'test5',
      'LoadBalancer',
      '10.9.8.7',
      '3.4.5.6,80.11.12.10',
      '8888/tcp',
      '<unknown>',
      '<none>',
    ],
  },
  {
    name: 'load balancer with several of each',
    svc: newService(
      'test6',
      {
        type: 'LoadBalancer',
        ports: [tcp(8888)],
        clusterIPs: ['10.9.8.7'],
        externalIPs: ['80.11.12.10', '80.11.12.11'],
      },
      lb(
        { ip: '2.3.4.5', hostname: 'test.cluster.local' },
        { ip: '3.4.5.6', hostname: 'test.cluster.com' },
      ),
    ),
    want: [
      'test6',
      'LoadBalancer',
      '10.9.8.7',
      '2.3.4.5,3.4.5.6,80.11.12.10,80.11.12.11',
      '8888/tcp',
      '<unknown>',
      '<none>',
    ],
  },
  {
    name: 'external name',
    svc: newService('test7', { type: 'ExternalName', externalName: 'my.database.example.com' }),
    want: [
      'test7',
      'ExternalName',
      '<none>',
      'my.database.example.com',
      '<none>',
      '<unknown>',
      '<none>',
    ],
  },
  {
    name: 'load balancer ingress IPs, deduplicated and sorted',
    svc: newService(
      'service1',
      { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], clusterIPs: ['1.2.3.4'] },
      lb({ ip: '3.4.5.6' }, { ip: '2.3.4.5' }, { ip: '3.4.5.6' }),
    ),
    want: [
      'service1',
      'LoadBalancer',
      '1.2.3.4',
      '2.3.4.5,3.4.5.6',
      '80/TCP',
      '<unknown>',
      '<none>',
    ],
  },
  {
    name: 'long load balancer list is not clipped on the server',
    svc: newService(
      'service4',
      {
        type: 'LoadBalancer',
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 8090, protocol: 'UDP' },
          { port: 8000, protocol: 'TCP' },
          { port: 7777, protocol: 'SCTP' },
        ],
        clusterIPs: ['1.5.6.7'],
        selector: { foo: 'bar' },
      },
      lb(
        { ip: '2.3.4.5' },
        { ip: '3.4.5.6' },
        { ip: '5.6.7.8', hostname: 'host5678' },
        { hostname: 'lb.example' },
      ),
    ),
    want: [
      'service4',
      'LoadBalancer',
      '1.5.6.7',
      '2.3.4.5,3.4.5.6,5.6.7.8,lb.example',
      '80/TCP,8090/UDP,8000/TCP,7777/SCTP',
      '<unknown>',
      'foo=bar',
    ],
  },
  {
    name: 'v1 defaults: empty type reads ClusterIP, empty protocol TCP, clusterIP without clusterIPs',
    svc: {
      metadata: { name: 'kubernetes', creationTimestamp: FIVE_MIN_AGO },
      spec: { clusterIP: '10.96.0.1', ports: [{ port: 443 }], selector: { b: '2', a: '1' } },
    },
    want: ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '5m', 'a=1,b=2'],
  },
  {
    name: 'headless service with external IPs',
    svc: newService('headless', {
      type: 'ClusterIP',
      clusterIP: 'None',
      clusterIPs: ['None'],
      externalIPs: ['1.1.1.1', '2.2.2.2'],
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP', nodePort: 0 },
      ],
    }),
    want: [
      'headless',
      'ClusterIP',
      'None',
      '1.1.1.1,2.2.2.2',
      '53/UDP,53/TCP',
      '<unknown>',
      '<none>',
    ],
  },
  {
    name: 'unknown type',
    svc: newService('odd', { type: 'Weird', clusterIPs: ['10.0.0.9'] }),
    want: ['odd', 'Weird', '10.0.0.9', '<unknown>', '<none>', '<unknown>', '<none>'],
  },
];

describe('servicePrinter', () => {
  for (const c of serviceCases) {
    test(c.name, () => {
      assert.deepEqual(servicePrinter.cells(c.svc, NOW), c.want);
    });
  }
});

const addresses = (...ips: string[]): JsonObject[] => ips.map((ip) => ({ ip }));

// TestPrintEndpoint plus IPv6 and multi-port subsets.
const endpointsCases: { name: string; obj: JsonObject; want: readonly string[] }[] = [
  {
    name: 'no subsets',
    obj: { metadata: { name: 'endpoint1', creationTimestamp: ALMOST_NOW } },
    want: ['endpoint1', '<none>', '0s'],
  },
  {
    name: 'no ports',
    obj: {
      metadata: { name: 'endpoint3', creationTimestamp: FIVE_MIN_AGO },
      subsets: [{ addresses: addresses('1.2.3.4', '5.6.7.8') }],
    },
    want: ['endpoint3', '1.2.3.4,5.6.7.8', '5m'],
  },
  {
    name: 'two IPs and one port',
    obj: {
      metadata: { name: 'endpoint2', creationTimestamp: ALMOST_NOW },
      subsets: [
        { addresses: addresses('1.2.3.4', '5.6.7.8'), ports: [{ port: 8001, protocol: 'tcp' }] },
      ],
    },
    want: ['endpoint2', '1.2.3.4:8001,5.6.7.8:8001', '0s'],
  },
  {
    name: 'more than three',
    obj: {
      metadata: { name: 'endpoint2', creationTimestamp: ALMOST_NOW },
      subsets: [
        {
          addresses: addresses('1.2.3.4', '5.6.7.8', '9.8.7.6', '6.6.6.6'),
          ports: [{ port: 8001, protocol: 'tcp' }],
        },
      ],
    },
    want: ['endpoint2', '1.2.3.4:8001,5.6.7.8:8001,9.8.7.6:8001 + 1 more...', '0s'],
  },
  {
    name: 'IPv6 hosts are bracketed; every port times every address counts',
    obj: {
      metadata: { name: 'v6' },
      subsets: [
        { addresses: addresses('fd00::1', '10.0.0.1'), ports: [{ port: 80 }, { port: 443 }] },
        { addresses: addresses('10.0.0.2'), ports: [{ port: 80 }] },
      ],
    },
    want: ['v6', '[fd00::1]:80,10.0.0.1:80,[fd00::1]:443 + 2 more...', '<unknown>'],
  },
  {
    name: 'subsets without addresses print empty',
    obj: { metadata: { name: 'empty' }, subsets: [{ notReadyAddresses: addresses('1.1.1.1') }] },
    want: ['empty', '', '<unknown>'],
  },
];

describe('endpointsPrinter', () => {
  for (const c of endpointsCases) {
    test(c.name, () => {
      assert.deepEqual(endpointsPrinter.cells(c.obj, NOW), c.want);
    });
  }
});

const port = (name: string, num: number): JsonObject => ({ name, port: num, protocol: 'TCP' });
const twoEndpoints = [
  { addresses: ['10.1.2.3', '2001:db8::1234:5678'] },
  { addresses: ['10.2.3.4', '2001:db8::2345:6789'] },
];

// TestPrintEndpointSlice plus the "*", name-only and "<unset>" cases.
const sliceCases: { name: string; obj: JsonObject; want: readonly string[] }[] = [
  {
    name: 'one port, two addresses',
    obj: {
      metadata: { name: 'abcslice.123', creationTimestamp: ALMOST_NOW },
      addressType: 'IPv4',
      ports: [port('http', 80)],
      endpoints: [{ addresses: ['10.1.2.3', '2001:db8::1234:5678'] }],
    },
    want: ['abcslice.123', 'IPv4', '80', '10.1.2.3,2001:db8::1234:5678', '0s'],
  },
  {
    name: 'more than three addresses',
    obj: {
      metadata: { name: 'longerslicename.123', creationTimestamp: FIVE_MIN_AGO },
      addressType: 'IPv6',
      ports: [port('http', 80), port('https', 443)],
      endpoints: twoEndpoints,
    },
    want: [
      'longerslicename.123',
      'IPv6',
      '80,443',
      '10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...',
      '5m',
    ],
  },
  {
    name: 'more than three ports',
    obj: {
      metadata: { name: 'multiportslice.123', creationTimestamp: FIVE_MIN_AGO },
      addressType: 'IPv4',
      ports: [port('http', 80), port('https', 443), port('extra1', 3000), port('extra2', 3001)],
      endpoints: twoEndpoints,
    },
    want: [
      'multiportslice.123',
      'IPv4',
      '80,443,3000 + 1 more...',
      '10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...',
      '5m',
    ],
  },
  {
    name: 'port without number: name, else "*"; no endpoints: <unset>',
    obj: { metadata: { name: 's' }, addressType: 'FQDN', ports: [{ name: 'dns' }, {}] },
    want: ['s', 'FQDN', 'dns,*', '<unset>', '<unknown>'],
  },
  {
    name: 'empty slice',
    obj: { metadata: { name: 'e' }, addressType: 'IPv4' },
    want: ['e', 'IPv4', '<unset>', '<unset>', '<unknown>'],
  },
];

describe('endpointSlicePrinter', () => {
  for (const c of sliceCases) {
    test(c.name, () => {
      assert.deepEqual(endpointSlicePrinter.cells(c.obj, NOW), c.want);
    });
  }
});

test('service printer columns match upstream', () => {
  assert.deepEqual(
    servicePrinter.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0],
      ['Type', 0],
      ['Cluster-IP', 0],
      ['External-IP', 0],
      ['Port(s)', 0],
      ['Age', 0],
      ['Selector', 1],
    ],
  );
  assert.deepEqual(
    endpointSlicePrinter.columns.map((c) => c.name),
    ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
  );
  assert.equal(
    endpointSlicePrinter.columns[1]?.description,
    'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
  );
});
