import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { needsScheduling, newPodInfo } from './pod-info.ts';
import { makePod } from './test-builders.ts';

describe('needsScheduling', () => {
  const cases: [string, Pod, boolean][] = [
    ['a pending pod without schedulerName', makePod('p'), true],
    [
      'schedulerName default-scheduler',
      makePod('p', { spec: { schedulerName: 'default-scheduler' } }),
      true,
    ],
    [
      'another scheduler’s pod is left alone',
      makePod('p', { spec: { schedulerName: 'my-scheduler' } }),
      false,
    ],
    ['already bound', makePod('p', { nodeName: 'n1' }), false],
    ['being deleted', makePod('p', { terminating: true }), false],
    ['finished', { ...makePod('p'), status: { phase: 'Succeeded' } }, false],
    ['failed', { ...makePod('p'), status: { phase: 'Failed' } }, false],
  ];
  for (const [name, pod, want] of cases) {
    test(name, () => {
      assert.equal(needsScheduling(pod, 'default-scheduler'), want);
    });
  }
  test('a second profile schedules only its own pods', () => {
    assert.equal(
      needsScheduling(makePod('p', { spec: { schedulerName: 'my-scheduler' } }), 'my-scheduler'),
      true,
    );
    assert.equal(needsScheduling(makePod('p'), 'my-scheduler'), false);
  });
});

describe('newPodInfo', () => {
  test('derives key, owner, host ports and required (anti-)affinity once', () => {
    const pi = newPodInfo(
      makePod('p', {
        namespace: 'ns',
        owner: 'rs-1',
        hostPort: 8080,
        priority: 5,
        spec: {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: 'kubernetes.io/hostname' },
              ],
            },
          },
        },
      }),
    );
    assert.equal(pi.key, 'ns/p');
    assert.equal(pi.ownerUid, 'rs-1');
    assert.deepEqual(pi.hostPorts, [{ hostIP: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
    assert.equal(pi.requiredAntiAffinityTerms.length, 1);
    assert.equal(pi.priority, 5);
    assert.equal(pi.terminating, false);
  });
});
