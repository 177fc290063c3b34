import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeletError, kubeletLocation, kubeletUrl } from './kubelet-client.ts';

const node = (addresses: { type: string; address: string }[], port?: number) => ({
  kind: 'Node',
  status: {
    addresses,
    ...(port === undefined ? {} : { daemonEndpoints: { kubeletEndpoint: { Port: port } } }),
  },
});

test('the first address of a preferred type, and the reported port (10250 otherwise)', () => {
  const n = node(
    [
      { type: 'Hostname', address: 'w1' },
      { type: 'ExternalIP', address: '203.0.113.9' },
      { type: 'InternalIP', address: '10.0.0.5' },
    ],
    10255,
  );
  assert.deepEqual(kubeletLocation(n, {}), { host: '10.0.0.5', port: 10255 });
  assert.deepEqual(kubeletLocation(n, { preferredAddressTypes: ['Hostname'] }), {
    host: 'w1',
    port: 10255,
  });
  assert.deepEqual(kubeletLocation(node([{ type: 'Hostname', address: 'w1' }]), {}), {
    host: 'w1',
    port: 10250,
  });
  assert.throws(() => kubeletLocation(node([{ type: 'InternalDNS', address: 'x' }]), {}), {
    code: 500,
    message:
      'Internal error occurred: no preferred addresses found; known addresses: [{InternalDNS x}]',
  });
  assert.equal(
    kubeletUrl(
      { host: 'fd00::1', port: 10250 },
      '/exec/a/b/c',
      new URLSearchParams('command=ls&output=1'),
    ).href,
    'https://[fd00::1]:10250/exec/a/b/c?command=ls&output=1',
  );
});

test('agent errors keep their Status, plain text maps by code', () => {
  const status = kubeletError(
    400,
    Buffer.from(
      JSON.stringify({ kind: 'Status', message: 'waiting to start', reason: 'BadRequest' }),
    ),
  );
  assert.deepEqual(
    [status.code, status.reason, status.message],
    [400, 'BadRequest', 'waiting to start'],
  );
  const text = kubeletError(500, Buffer.from('boom\n'));
  assert.deepEqual(
    [text.code, text.reason, text.message],
    [500, 'InternalError', 'Internal error occurred: boom'],
  );
  const forbidden = kubeletError(
    403,
    Buffer.from('Forbidden (user=x, verb=get, resource=nodes, subresource=proxy)'),
  );
  assert.equal(forbidden.reason, 'Forbidden');
});
