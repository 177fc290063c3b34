// Revisions as `kubectl rollout history/undo` read them, and the pod-template-hash that names
// ReplicaSets (upstream's TestEqualIgnoreHash table and SetNewReplicaSetAnnotations semantics).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.d.ts';
import { newDeployment, newReplicaSet } from '../testing/builders.ts';
import { POD_TEMPLATE_HASH_LABEL, computeHash, equalIgnoreHash } from './pod-template-hash.ts';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  maxRevision,
  setNewReplicaSetAnnotations,
} from './revision-annotations.ts';

describe('SetNewReplicaSetAnnotations', () => {
  it('gives a new ReplicaSet the next revision, the replicas annotations and the change cause', () => {
    const d = newDeployment('web', 3);
    d.metadata!.annotations = {
      'kubernetes.io/change-cause': 'kubectl set image deployment/web c=nginx:2',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      [REVISION_ANNOTATION]: '7',
    };
    const rs = newReplicaSet('web-abc', 0);
    assert.equal(setNewReplicaSetAnnotations(d, rs, 4, false, 1), true);
    assert.deepEqual(rs.metadata?.annotations, {
      'kubernetes.io/change-cause': 'kubectl set image deployment/web c=nginx:2',
      [REVISION_ANNOTATION]: '4',
      [DESIRED_REPLICAS_ANNOTATION]: '3',
      [MAX_REPLICAS_ANNOTATION]: '4',
    });
  });

  it('a rollback reuses the old ReplicaSet: its revision moves up and the old one is recorded', () => {
    const d = newDeployment('web', 3);
    const rs = newReplicaSet('web-v1', 0);
    rs.metadata!.annotations = { [REVISION_ANNOTATION]: '1' };
    const annotations = (): Record<string, string> => ({ ...rs.metadata!.annotations });
    assert.equal(setNewReplicaSetAnnotations(d, rs, 3, true, 1), true);
    assert.deepEqual(annotations(), {
      [REVISION_ANNOTATION]: '3',
      [REVISION_HISTORY_ANNOTATION]: '1',
    });
    // A second rollback to it appends; an existing RS keeps its replicas annotations (they
    // move only when it is scaled).
    assert.equal(setNewReplicaSetAnnotations(d, rs, 5, true, 1), true);
    assert.deepEqual(annotations(), {
      [REVISION_ANNOTATION]: '5',
      [REVISION_HISTORY_ANNOTATION]: '1,3',
    });
  });

  it('never lowers a revision, and is a no-op when nothing changes', () => {
    const d = newDeployment('web', 3);
    const rs = newReplicaSet('web-v2', 3);
    rs.metadata!.annotations = { [REVISION_ANNOTATION]: '5' };
    assert.equal(setNewReplicaSetAnnotations(d, rs, 2, true, 1), false);
    assert.equal(rs.metadata?.annotations?.[REVISION_ANNOTATION], '5');
  });

  it('maxRevision reads the highest revision, 0 for none or junk', () => {
    const a = newReplicaSet('a', 0);
    a.metadata!.annotations = { [REVISION_ANNOTATION]: '3' };
    const b = newReplicaSet('b', 0);
    b.metadata!.annotations = { [REVISION_ANNOTATION]: 'x' };
    assert.equal(maxRevision([a, b, newReplicaSet('c', 0)]), 3);
    assert.equal(maxRevision([]), 0);
  });
});

describe('pod-template-hash', () => {
  const template = (
    name: string,
    node: string,
    annotations: Record<string, string>,
    labels: Record<string, string>,
  ): PodTemplateSpec => ({
    metadata: { name, annotations, labels },
    spec: { nodeName: node, containers: [] },
  });
  const H = POD_TEMPLATE_HASH_LABEL;
  const cases: [string, PodTemplateSpec, PodTemplateSpec, boolean][] = [
    [
      'same spec, same labels',
      template('foo', 'n', {}, { [H]: 'value-1', something: 'else' }),
      template('foo', 'n', {}, { [H]: 'value-1', something: 'else' }),
      true,
    ],
    [
      'only the hash label differs',
      template('foo', 'n', {}, { [H]: 'value-1', something: 'else' }),
      template('foo', 'n', {}, { [H]: 'value-2', something: 'else' }),
      true,
    ],
    [
      'one has no hash label',
      template('foo', 'n', {}, { something: 'else' }),
      template('foo', 'n', {}, { [H]: 'value-2', something: 'else' }),
      true,
    ],
    [
      'different labels, same count',
      template('foo', 'n', {}, { something: 'else' }),
      template('foo', 'n', {}, { [H]: 'value-2' }),
      false,
    ],
    [
      'same hash label, different other labels',
      template('foo', 'n', {}, { [H]: 'value-1' }),
      template('foo', 'n', {}, { [H]: 'value-1', something: 'else' }),
      false,
    ],
    [
      'different annotations',
      template('foo', 'n', { former: 'value' }, { [H]: 'value-1' }),
      template('foo', 'n', { latter: 'value' }, { [H]: 'value-1' }),
      false,
    ],
    [
      'different spec',
      template('foo', 'n-1', {}, { something: 'else' }),
      template('foo', 'n-2', {}, { nothing: 'else' }),
      false,
    ],
  ];
  for (const [name, a, b, want] of cases)
    it(`EqualIgnoreHash: ${name}`, () => {
      assert.equal(equalIgnoreHash(a, b), want);
      assert.equal(equalIgnoreHash(b, a), want);
    });

  it('ComputeHash ignores key order and the hash label, and moves with collisionCount', () => {
    const a: PodTemplateSpec = {
      metadata: { labels: { app: 'web', tier: 'fe' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    };
    const b: PodTemplateSpec = {
      spec: { containers: [{ image: 'nginx', name: 'c' }] },
      metadata: { labels: { tier: 'fe', app: 'web', [H]: 'zzz' } },
    };
    assert.equal(computeHash(a), computeHash(b));
    assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(computeHash(a, 1), computeHash(a));
    assert.notEqual(computeHash(a, 1), computeHash(a, 2));
  });
});
