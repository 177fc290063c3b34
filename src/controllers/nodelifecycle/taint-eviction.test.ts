// When the taint-eviction controller deletes a pod (upstream's tainteviction tests' cases).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.d.ts';
import { T0, iso, newPod } from '../testing/builders.ts';
import { evictionDecision, minTolerationMs } from './taint-eviction.ts';

const unreachable = (addedMs = T0): Taint => ({
  key: 'node.kubernetes.io/unreachable',
  effect: 'NoExecute',
  timeAdded: iso(addedMs),
});
const pod = (tolerations: Toleration[], createdMs = T0 - 3600_000): Pod => {
  const p = newPod('p', { node: 'n', createdMs });
  return { ...p, spec: { ...p.spec!, tolerations } };
};
const tol = (key: string, seconds?: number): Toleration => ({
  key,
  operator: 'Exists',
  effect: 'NoExecute',
  ...(seconds === undefined ? {} : { tolerationSeconds: seconds }),
});

describe('evictionDecision', () => {
  const now = T0 + 10_000;
  const cases: [string, Pod, Taint[], unknown][] = [
    ['no NoExecute taint', pod([]), [{ key: 'x', effect: 'NoSchedule' }], { kind: 'none' }],
    ['an untolerated taint: now', pod([]), [unreachable()], { kind: 'now' }],
    [
      'tolerated forever',
      pod([tol('node.kubernetes.io/unreachable')]),
      [unreachable()],
      { kind: 'none' },
    ],
    [
      'tolerated for 300 s from the taint',
      pod([tol('node.kubernetes.io/unreachable', 300)]),
      [unreachable()],
      { kind: 'at', atMs: T0 + 300_000 },
    ],
    [
      'toleration already used up: now',
      pod([tol('node.kubernetes.io/unreachable', 5)]),
      [unreachable()],
      { kind: 'now' },
    ],
    [
      'a pod created after the taint gets its whole toleration',
      pod([tol('node.kubernetes.io/unreachable', 5)], T0 + 8_000),
      [unreachable()],
      { kind: 'at', atMs: T0 + 13_000 },
    ],
    [
      'two taints: the smallest toleration wins',
      pod([tol('node.kubernetes.io/unreachable', 300), tol('other', 60)]),
      [unreachable(), { key: 'other', effect: 'NoExecute', timeAdded: iso(T0) }],
      { kind: 'at', atMs: T0 + 60_000 },
    ],
    [
      'one of two taints untolerated: now',
      pod([tol('node.kubernetes.io/unreachable', 300)]),
      [unreachable(), { key: 'other', effect: 'NoExecute' }],
      { kind: 'now' },
    ],
    [
      'a wildcard toleration (empty key, Exists) tolerates everything forever',
      pod([{ operator: 'Exists' }]),
      [unreachable()],
      { kind: 'none' },
    ],
    [
      'no timeAdded: counted from now',
      pod([tol('node.kubernetes.io/unreachable', 30)]),
      [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }],
      { kind: 'at', atMs: now + 30_000 },
    ],
  ];
  for (const [name, p, taints, want] of cases)
    it(name, () => {
      assert.deepEqual(evictionDecision(p, taints, now), want);
    });
});

describe('getMinTolerationTime', () => {
  it('as upstream', () => {
    assert.equal(minTolerationMs([]), 0);
    assert.equal(minTolerationMs([tol('a')]), -1);
    assert.equal(minTolerationMs([tol('a'), tol('b', 10)]), 10_000);
    assert.equal(minTolerationMs([tol('a', 10), tol('b', 0)]), 0);
    assert.equal(minTolerationMs([tol('a', -5)]), 0);
  });
});
