import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeLabels, parseTaints } from './node-flags.ts';

describe('--node-labels', () => {
  it('parses key=value pairs, allowed kubernetes.io labels included', () => {
    assert.deepEqual(
      parseNodeLabels('tier=web, node.kubernetes.io/pool=a,topology.kubernetes.io/zone=z1,empty='),
      {
        tier: 'web',
        'node.kubernetes.io/pool': 'a',
        'topology.kubernetes.io/zone': 'z1',
        empty: '',
      },
    );
    assert.deepEqual(parseNodeLabels(''), {});
  });

  const bad: { name: string; value: string; error: RegExp }[] = [
    { name: 'no equals sign', value: 'tier', error: /"tier" is not key=value/ },
    { name: 'bad key', value: '-x=1', error: /invalid key "-x"/ },
    { name: 'bad value', value: 'a=b c', error: /invalid value "b c"/ },
    {
      name: 'a kubernetes.io label a node may not set on itself',
      value: 'node-role.kubernetes.io/control-plane=',
      error:
        /unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: \[node-role\.kubernetes\.io\/control-plane\]/,
    },
    {
      name: 'a k8s.io label',
      value: 'example.k8s.io/x=1',
      error: /must begin with an allowed prefix/,
    },
  ];
  for (const c of bad)
    it(`refuses ${c.name}`, () => {
      assert.throws(() => parseNodeLabels(c.value), {
        code: 'AGENT_INVALID_FLAG',
        message: c.error,
      });
    });
});

describe('--register-with-taints', () => {
  it('parses key[=value]:Effect', () => {
    assert.deepEqual(parseTaints('dedicated=gpu:NoSchedule,spot:PreferNoSchedule, x=y:NoExecute'), [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'spot', effect: 'PreferNoSchedule' },
      { key: 'x', value: 'y', effect: 'NoExecute' },
    ]);
  });

  const bad: { value: string; error: RegExp }[] = [
    { value: 'dedicated=gpu', error: /invalid taint spec/ },
    { value: 'a=b:Never', error: /invalid taint effect: Never/ },
    { value: '=b:NoSchedule', error: /invalid taint key ""/ },
    { value: 'a=b c:NoSchedule', error: /invalid taint value/ },
    { value: 'a:NoSchedule,a=2:NoSchedule', error: /duplicated taints/ },
  ];
  for (const c of bad)
    it(`refuses ${JSON.stringify(c.value)}`, () => {
      assert.throws(() => parseTaints(c.value), { code: 'AGENT_INVALID_FLAG', message: c.error });
    });
});
