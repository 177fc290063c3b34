import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CNI_CONFLIST_NAME,
  cniBridgeConflist,
  parsePodCidr,
  writeCniBridgeConfig,
} from './cni-bridge-config.ts';

describe('CNI bridge config', () => {
  it('builds a bridge + host-local conflist named after the bridge', () => {
    const c = cniBridgeConflist({
      bridge: 'k8tsabc',
      podCidr: '10.244.3.0/24',
      ipamDataDir: '/n/ipam',
    });
    assert.equal(c['name'], 'k8tsabc');
    const bridge = (c['plugins'] as Record<string, unknown>[])[0]!;
    assert.equal(bridge['type'], 'bridge');
    assert.equal(bridge['isGateway'], true);
    assert.equal(bridge['ipMasq'], false);
    assert.deepEqual(bridge['ipam'], {
      type: 'host-local',
      dataDir: '/n/ipam',
      ranges: [[{ subnet: '10.244.3.0/24' }]],
      routes: [{ dst: '0.0.0.0/0' }],
    });
  });

  const bad = ['10.244.3.0', '10.244.3.0/33', '10.244.3.0/30', '300.1.1.0/24', 'fd00::/64', ''];
  for (const cidr of bad)
    it(`rejects pod CIDR ${JSON.stringify(cidr)}`, () => {
      assert.throws(() => parsePodCidr(cidr), { code: 'AGENT_CNI_CONFIG' });
    });

  it('rejects a bridge name that is not a link name', () => {
    assert.throws(
      () =>
        cniBridgeConflist({
          bridge: 'a-very-long-bridge-name',
          podCidr: '10.1.0.0/16',
          ipamDataDir: '/x',
        }),
      /not a valid link name/,
    );
  });

  it('writes atomically and only when the content changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cni-test-'));
    try {
      const o = { bridge: 'br1', podCidr: '10.9.0.0/24', ipamDataDir: join(dir, 'ipam') };
      assert.equal(writeCniBridgeConfig(join(dir, 'net.d'), o), true);
      assert.equal(writeCniBridgeConfig(join(dir, 'net.d'), o), false);
      assert.equal(
        writeCniBridgeConfig(join(dir, 'net.d'), { ...o, podCidr: '10.9.1.0/24' }),
        true,
      );
      assert.deepEqual(readdirSync(join(dir, 'net.d')), [CNI_CONFLIST_NAME]);
      const written = JSON.parse(readFileSync(join(dir, 'net.d', CNI_CONFLIST_NAME), 'utf8')) as {
        plugins: { ipam: { ranges: unknown } }[];
      };
      assert.deepEqual(written.plugins[0]?.ipam.ranges, [[{ subnet: '10.9.1.0/24' }]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
