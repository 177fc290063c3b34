import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { shippedFieldSchemas } from './field-schema.ts';
import type { FieldNode } from './field-schema.ts';
import { findDuplicateKeys } from './duplicate-keys.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

const paths = (text: string, node?: FieldNode): string[] =>
  findDuplicateKeys(text, node).map((p) => `${p.kind} ${p.path}`);

describe('findDuplicateKeys without a schema (every object a map)', () => {
  const cases: { name: string; text: string; want: string[] }[] = [
    { name: 'none', text: '{"a":1,"b":{"a":1}}', want: [] },
    { name: 'top level', text: '{"a":1,"a":2}', want: ['duplicate field a'] },
    {
      name: 'nested',
      text: '{"spec":{"x":1, "y":[1,2], "x" :3}}',
      want: ['duplicate field spec.x'],
    },
    {
      name: 'in list items, with indexes',
      text: '{"l":[{"a":1},{"b":1,"b":2}],"m":[[{"c":0,"c":0}]]}',
      want: ['duplicate field l[1].b', 'duplicate field m[0][0].c'],
    },
    {
      name: 'reported once however often repeated',
      text: '{"a":1,"a":2,"a":3}',
      want: ['duplicate field a'],
    },
    {
      name: 'escaped keys compare decoded',
      text: '{"a":1,"\\u0061":2}',
      want: ['duplicate field a'],
    },
    {
      name: 'strings with quotes, braces and escapes are skipped whole',
      text: '{"s":"\\"a\\":{\\\\","t":"}]","s":"x"}',
      want: ['duplicate field s'],
    },
    {
      name: 'whitespace everywhere',
      text: ' {\n "a" : 1 ,\r\n\t"a"\t:\t[ ] } ',
      want: ['duplicate field a'],
    },
    { name: 'a scalar document', text: '42', want: [] },
    { name: 'empty containers', text: '{"a":{},"b":[],"c":[{}]}', want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(paths(c.text), c.want);
    });
  }

  it('stops after 100 problems', () => {
    const text = `{${Array.from({ length: 150 }, (_, i) => `"k${i}":{"a":1,"a":2}`).join(',')}}`;
    assert.equal(findDuplicateKeys(text).length, 100);
  });
});

describe('findDuplicateKeys guided by a kind schema', () => {
  it('interleaves unknown and duplicate fields in document order', async () => {
    const node = await shippedFieldSchemas.forKind({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    const text = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { foo: 1, replicas: 1, REPLICAS: 2 },
    }).replace('"replicas":1', '"replicas":1,"replicas":3,"foo":{"a":1,"a":1}');
    assert.deepEqual(paths(text, node), [
      'unknown field spec.foo',
      'duplicate field spec.replicas',
      'unknown field spec.REPLICAS',
    ]);
  });

  it('skips opaque values and unknown subtrees; checks map keys', async () => {
    const node = await shippedFieldSchemas.forKind({ group: '', version: 'v1', kind: 'ConfigMap' });
    const text =
      '{"kind":"ConfigMap","metadata":{"name":"x","labels":{"a":"1","a":"2"},' +
      '"managedFields":[{"fieldsV1":{"f:x":{},"f:x":{}}}]},' +
      '"data":{"k":"v","k":"w"},"bogus":{"z":1,"z":2}}';
    assert.deepEqual(paths(text, node), [
      'duplicate field metadata.labels.a',
      'duplicate field data.k',
      'unknown field bogus',
    ]);
  });

  it('a 3 MiB body takes well under a second', async () => {
    const node = await shippedFieldSchemas.forKind({ group: '', version: 'v1', kind: 'ConfigMap' });
    const data = Object.fromEntries(
      Array.from({ length: 100_000 }, (_, i) => [`key-${i}`, 'v'.repeat(20)]),
    );
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data,
    });
    assert.ok(text.length > 3_000_000);
    const ms = cpuTimeMs(() => {
      assert.deepEqual(findDuplicateKeys(text, node), []);
      assert.deepEqual(findDuplicateKeys(Buffer.from(`[${text}]`)), []);
    });
    assert.ok(ms < 1000, `${String(ms)} ms of CPU`);
  });

  it('deep nesting does not overflow the stack', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}{"a":1,"a":2}${']'.repeat(depth)}`;
    assert.equal(findDuplicateKeys(text).length, 1);
  });
});
