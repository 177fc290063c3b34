import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { DownwardApiError, downwardApiFiles, formatMap, goQuote } from './downward-api.ts';

const pod: Pod = {
  metadata: {
    name: 'web',
    namespace: 'ns',
    uid: 'u1',
    labels: { z: '1', a: 'x y' },
    annotations: { note: 'line1\nline2' },
  },
  spec: {
    nodeName: 'n1',
    serviceAccountName: 'robot',
    containers: [{ name: 'c', image: 'i', resources: { requests: { memory: '100Mi' } } }],
  },
};
const ctx = { hostIp: '10.0.0.5', podIps: ['10.1.0.7'], allocatable: { memory: '2Gi', cpu: '2' } };

describe('goQuote (Go %q)', () => {
  const cases: [string, string][] = [
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\tnl\n', '"tab\\tnl\\n"'],
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    ['héllo ✓', '"héllo ✓"'],
    ['\u00a0', '"\\u00a0"'],
  ];
  for (const [input, want] of cases)
    it(JSON.stringify(input), () => {
      assert.equal(goQuote(input), want);
    });
});

describe('downwardApiFiles', () => {
  it('formats labels and annotations as sorted key="value" lines without a final newline', () => {
    assert.equal(formatMap(pod.metadata?.labels), 'a="x y"\nz="1"');
    assert.equal(formatMap(undefined), '');
  });

  it('writes fieldRef and resourceFieldRef items with their modes', () => {
    const files = downwardApiFiles(
      pod,
      [
        { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
        { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        { path: 'one', fieldRef: { fieldPath: "metadata.labels['z']" } },
        { path: 'sub/uid', fieldRef: { fieldPath: 'metadata.uid' }, mode: 0o400 },
        { path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } },
        { path: 'sa', fieldRef: { fieldPath: 'spec.serviceAccountName' } },
        { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } },
        {
          path: 'mem',
          resourceFieldRef: { containerName: 'c', resource: 'requests.memory', divisor: '1Mi' },
        },
        // No limit: the node's allocatable, as upstream.
        { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
      ],
      0o644,
      ctx,
    );
    const text = (k: string): string => files.get(k)?.data.toString() ?? '<none>';
    assert.equal(text('labels'), 'a="x y"\nz="1"');
    assert.equal(text('annotations'), 'note="line1\\nline2"');
    assert.equal(text('one'), '1');
    assert.equal(text('sub/uid'), 'u1');
    assert.equal(files.get('sub/uid')?.mode, 0o400);
    assert.equal(files.get('labels')?.mode, 0o644);
    assert.equal(text('node'), 'n1');
    assert.equal(text('sa'), 'robot');
    assert.equal(text('ip'), '10.1.0.7');
    assert.equal(text('mem'), '100');
    assert.equal(text('cpu'), '2');
  });

  it('a resourceFieldRef naming no container of the pod fails', () => {
    assert.throws(
      () =>
        downwardApiFiles(
          pod,
          [{ path: 'x', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } }],
          0o644,
          ctx,
        ),
      (err: unknown) =>
        err instanceof DownwardApiError && /container "ghost" not found/.test(err.message),
    );
  });
});
