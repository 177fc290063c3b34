// DefaultTolerationSeconds as upstream's admission_test.go cases.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { addDefaultTolerations } from './default-toleration-seconds.ts';

const NR = 'node.kubernetes.io/not-ready';
const UR = 'node.kubernetes.io/unreachable';
const pod = (tolerations?: JsonObject[]): JsonObject => ({
  spec: { containers: [], ...(tolerations === undefined ? {} : { tolerations }) },
});
const tolerationsOf = (p: JsonObject): unknown => (p['spec'] as JsonObject)['tolerations'];
const defaults = (s: number): JsonObject[] => [
  { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s },
  { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s },
];

describe('DefaultTolerationSeconds', () => {
  it('a pod with no tolerations gets both, with the configured seconds', () => {
    const p = pod();
    addDefaultTolerations(p, { notReadySeconds: 300, unreachableSeconds: 300 });
    assert.deepEqual(tolerationsOf(p), defaults(300));
    const q = pod();
    addDefaultTolerations(q);
    assert.deepEqual(tolerationsOf(q), defaults(30));
  });
  it('unrelated tolerations are kept, the defaults appended', () => {
    const own = { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' };
    const p = pod([own]);
    addDefaultTolerations(p);
    assert.deepEqual(tolerationsOf(p), [own, ...defaults(30)]);
  });
  it('a pod tolerating one of them gets only the other', () => {
    const own = { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 700 };
    const p = pod([own]);
    addDefaultTolerations(p);
    assert.deepEqual(tolerationsOf(p), [own, defaults(30)[1]]);
  });
  it('a toleration of the key with an empty effect counts; one with NoSchedule does not', () => {
    const p = pod([{ key: UR, operator: 'Exists' }]);
    addDefaultTolerations(p);
    assert.deepEqual(tolerationsOf(p), [{ key: UR, operator: 'Exists' }, defaults(30)[0]]);
    const q = pod([{ key: UR, operator: 'Exists', effect: 'NoSchedule' }]);
    addDefaultTolerations(q);
    assert.equal((tolerationsOf(q) as unknown[]).length, 3);
  });
  it('a wildcard toleration (empty key and effect) tolerates both: nothing added', () => {
    const p = pod([{ operator: 'Exists' }]);
    addDefaultTolerations(p);
    assert.deepEqual(tolerationsOf(p), [{ operator: 'Exists' }]);
  });
});
