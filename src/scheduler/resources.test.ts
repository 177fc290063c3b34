import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import { isQuantity, parseMilliValue, parseValue } from './quantity.ts';
import { podRequests } from './resources.ts';

describe('quantity', () => {
  const cases: [string, number, number][] = [
    ['100m', 100, 1],
    ['0.1', 100, 1],
    ['1', 1000, 1],
    ['1.5', 1500, 2],
    ['2Ki', 2_048_000, 2048],
    ['1Gi', 1024 ** 3 * 1000, 1024 ** 3],
    ['1e3', 1_000_000, 1000],
    ['1k', 1_000_000, 1000],
    ['1m', 1, 1],
    ['0.0001', 1, 1],
  ];
  for (const [q, milli, value] of cases) {
    test(q, () => {
      assert.equal(parseMilliValue(q), milli);
      assert.equal(parseValue(q), value);
    });
  }
  test('garbage reads as 0 and is not a quantity', () => {
    assert.equal(parseMilliValue('lots'), 0);
    assert.equal(isQuantity('1Gx'), false);
    assert.equal(isQuantity('250Mi'), true);
  });
});

const c = (cpu: string, restartPolicy?: 'Always'): Container => ({
  name: `c${cpu}`,
  image: 'x',
  resources: { requests: { cpu } },
  ...(restartPolicy === undefined ? {} : { restartPolicy }),
});

describe('podRequests', () => {
  const cases: {
    name: string;
    spec: NonNullable<Pod['spec']>;
    cpu: number;
    nonZeroMemory: number;
  }[] = [
    {
      name: 'sum of app containers',
      spec: { containers: [c('100m'), c('200m')] },
      cpu: 300,
      nonZeroMemory: 400 * 1024 * 1024,
    },
    {
      name: 'an init container bigger than the apps',
      spec: { containers: [c('100m')], initContainers: [c('1')] },
      cpu: 1000,
      nonZeroMemory: 200 * 1024 * 1024,
    },
    {
      name: 'a sidecar adds to the apps and runs beside later init containers',
      spec: { containers: [c('100m')], initContainers: [c('200m', 'Always'), c('500m')] },
      cpu: 700,
      nonZeroMemory: 400 * 1024 * 1024,
    },
    {
      name: 'overhead is added',
      spec: { containers: [c('100m')], overhead: { cpu: '50m' } },
      cpu: 150,
      nonZeroMemory: 200 * 1024 * 1024,
    },
  ];
  for (const t of cases) {
    test(t.name, () => {
      const pod: Pod = { metadata: { name: 'p' }, spec: t.spec };
      assert.equal(podRequests(pod).milliCpu, t.cpu);
      assert.equal(podRequests(pod).memory, 0);
      assert.equal(podRequests(pod, true).memory, t.nonZeroMemory);
    });
  }
});
