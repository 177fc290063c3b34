import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServerList, normalizeServer, serversFromEndpoints } from './server-list.ts';

describe('ServerList', () => {
  it('tries the server that answered last first, then the rest in order', () => {
    const l = new ServerList(['https://a:6443', 'https://b:6443/', 'https://a:6443']);
    assert.deepEqual(l.servers, ['https://a:6443', 'https://b:6443']);
    assert.deepEqual(l.order(), ['https://a:6443', 'https://b:6443']);
    l.markHealthy('https://b:6443');
    assert.deepEqual(l.order(), ['https://b:6443', 'https://a:6443']);
    l.markHealthy('https://unknown:1');
    assert.equal(l.current, 'https://b:6443');
  });

  it('adds discovered servers after the configured ones; an empty discovery changes nothing', () => {
    const l = new ServerList(['https://lb:6443']);
    l.setDiscovered(['https://10.0.0.1:6443', 'https://10.0.0.2:6443']);
    assert.deepEqual(l.servers, [
      'https://lb:6443',
      'https://10.0.0.1:6443',
      'https://10.0.0.2:6443',
    ]);
    l.markHealthy('https://10.0.0.2:6443');
    l.setDiscovered([]);
    assert.equal(l.servers.length, 3);
    // The current server left the Endpoints: fall back to the first known.
    l.setDiscovered(['https://10.0.0.1:6443']);
    assert.deepEqual(l.servers, ['https://lb:6443', 'https://10.0.0.1:6443']);
    assert.equal(l.current, 'https://lb:6443');
  });

  it('accepts https only and needs one server', () => {
    assert.throws(() => new ServerList([]), /at least one/);
    assert.throws(() => normalizeServer('http://a:8080'), /TLS only/);
    assert.throws(() => normalizeServer('not a url'), /not a server URL/);
    assert.equal(normalizeServer('https://a:6443/prefix/'), 'https://a:6443/prefix');
  });
});

describe('serversFromEndpoints', () => {
  const cases: { name: string; endpoints: unknown; want: string[] }[] = [
    {
      name: 'every address on the https port',
      endpoints: {
        subsets: [
          {
            addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
            ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
          },
        ],
      },
      want: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443'],
    },
    {
      name: 'IPv6 in brackets, an unnamed single port',
      endpoints: { subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 443 }] }] },
      want: ['https://[fd00::1]:443'],
    },
    { name: 'no subsets', endpoints: { subsets: [] }, want: [] },
    { name: 'not an object', endpoints: null, want: [] },
    {
      name: 'subsets without ports or addresses are skipped',
      endpoints: { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }, { ports: [{ port: 1 }] }] },
      want: [],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(serversFromEndpoints(c.endpoints), c.want);
    });
});
