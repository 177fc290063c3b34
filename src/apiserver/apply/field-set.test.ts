import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { FieldSet } from './field-set.ts';
import { fromFieldsV1, toFieldsV1 } from './fields-v1.ts';
import type { Path } from './path-element.ts';
import {
  fieldElement as f,
  indexElement,
  keyElement,
  pathString,
  valueElement,
} from './path-element.ts';

const set = (json: JsonObject): FieldSet => fromFieldsV1(json);
const text = (s: FieldSet): string => JSON.stringify(toFieldsV1(s));

describe('FieldsV1 serialization', () => {
  // upstream fieldpath/serialize_test.go TestSerializeV1GoldenData
  const golden = [
    '{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\\"name\\":\\"first\\"}":{},"k:{\\"name\\":\\"second\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\\"aa\\"":{},"v:\\"ab\\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}',
    '{"f:spec":{".":{},"f:apps":{".":{},"k:{\\"name\\":\\" app-💻\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port 🔑\\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}},"k:{\\"name\\":\\" app-🚀\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port-✅ \\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}}}}}',
  ];
  for (const [i, g] of golden.entries()) {
    it(`round-trips golden data ${String(i)} byte for byte`, () => {
      assert.equal(text(set(JSON.parse(g) as JsonObject)), g);
    });
  }

  it('normalizes key order: fields, keys (by field, then value), values (numbers first), indexes', () => {
    const s = set({
      'i:2': {},
      'v:"b"': {},
      'v:10': {},
      'v:9': {},
      'k:{"protocol":"UDP","containerPort":80}': {},
      'k:{"containerPort":80,"protocol":"TCP"}': {},
      'f:b': {},
      'f:a': { 'f:y': {}, '.': {}, 'f:x': {} },
    });
    assert.equal(
      text(s),
      '{"f:a":{".":{},"f:x":{},"f:y":{}},"f:b":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"UDP\\"}":{},"v:9":{},"v:10":{},"v:\\"b\\"":{},"i:2":{}}',
    );
  });

  it('skips unknown element types and rejects malformed keys', () => {
    assert.equal(text(set({ 'x:zzz': {}, 'f:a': {} })), '{"f:a":{}}');
    assert.throws(() => set({ 'k:{not json': {} }));
    assert.throws(() => set({ f: {} }));
  });

  it('escapes like Go in key and value elements', () => {
    assert.equal(valueElement('a<b&c').key, 'v:"a\\u003cb\\u0026c"');
    assert.equal(keyElement([{ name: 'name', value: '>' }]).key, 'k:{"name":"\\u003e"}');
  });
});

describe('FieldSet operations (upstream set semantics)', () => {
  const web = keyElement([{ name: 'name', value: 'web' }]);
  const a: Path = [f('spec'), f('replicas')];
  const b: Path = [f('spec'), f('template')];
  const c: Path = [f('spec'), f('containers'), web, f('image')];

  it('union, intersection and difference of leaves', () => {
    const s1 = FieldSet.of(a, b);
    const s2 = FieldSet.of(b, c);
    assert.equal(text(s1.union(s2)), text(FieldSet.of(a, b, c)));
    assert.equal(text(s1.intersection(s2)), text(FieldSet.of(b)));
    assert.equal(text(s1.difference(s2)), text(FieldSet.of(a)));
    assert.equal(s1.union(s2).size, 3);
  });

  it('difference: parent - child = parent, child - parent = child (not recursive)', () => {
    const parent = FieldSet.of([f('spec')]);
    const child = FieldSet.of(a);
    assert.equal(text(parent.difference(child)), '{"f:spec":{}}');
    assert.equal(text(child.difference(parent)), text(child));
  });

  it('recursiveDifference removes a member with its subtree', () => {
    const s = FieldSet.of([f('status')], [f('status'), f('replicas')], a);
    assert.equal(text(s.recursiveDifference(FieldSet.of([f('status')]))), text(FieldSet.of(a)));
  });

  it('has, isEmpty and paths in upstream iteration order', () => {
    const s = FieldSet.of(c, [f('spec'), f('containers'), web], a, [f('metadata')]);
    assert.ok(s.has(c) && !s.has([f('spec')]));
    assert.ok(new FieldSet().isEmpty() && !s.isEmpty());
    assert.deepEqual(s.paths().map(pathString), [
      '.metadata',
      '.spec.replicas',
      '.spec.containers[name="web"]',
      '.spec.containers[name="web"].image',
    ]);
    assert.equal(pathString([f('l'), valueElement(3), indexElement(2)]), '.l[=3][2]');
  });
});
