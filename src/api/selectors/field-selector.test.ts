import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SelectorParseError, SelectorTooLongError } from './errors.ts';
import { escapeFieldValue, FieldSelector, unescapeFieldValue } from './field-selector.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

function parseError(selector: string): string {
  try {
    FieldSelector.parse(selector);
  } catch (err: unknown) {
    assert.ok(err instanceof SelectorParseError);
    return err.message;
  }
  return assert.fail(`expected ${JSON.stringify(selector)} to fail`);
}

describe('FieldSelector.parse (upstream fields TestSelectorParse)', () => {
  const cases = [
    { in: 'x=a,y=b,z=c', out: 'x=a,y=b,z=c' },
    { in: '', out: '' },
    { in: 'x!=a,y=b', out: 'x!=a,y=b' },
    { in: 'x=a||y\\=b', out: 'x=a||y\\=b' },
    { in: 'x=a\\=\\=b', out: 'x=a\\=\\=b' },
    { in: 'x==a', out: 'x=a' },
    { in: 'x=a,a=x', out: 'a=x,x=a' },
    { in: 'a=a,', out: 'a=a' },
    { in: ',a=a', out: 'a=a' },
    { in: 'k=\\,,k2=v2', out: 'k2=v2,k=\\,' }, // raw terms sort as strings: '2' < '='
    { in: ' a = b ', out: ' a = b ' }, // no trimming, as upstream
    { in: '함=수,목=록', out: '목=록,함=수' },
    { in: 'x=', out: 'x=' },
    { in: 'status.phase!=Running,spec.nodeName=w1', out: 'spec.nodeName=w1,status.phase!=Running' },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.in), () => {
      assert.equal(FieldSelector.parse(c.in).toString(), c.out);
    });
  }
});

describe('FieldSelector.parse errors (upstream wording)', () => {
  const cases = [
    { in: 'x=a||y=b', want: 'invalid field selector: unescaped character in value: 61' },
    { in: 'x==a==b', want: 'invalid field selector: unescaped character in value: 61' },
    { in: 'x=a,b', want: "invalid selector: 'x=a,b'; can't understand 'b'" },
    { in: 'x in (a)', want: "invalid selector: 'x in (a)'; can't understand 'x in (a)'" },
    { in: 'x', want: "invalid selector: 'x'; can't understand 'x'" },
    { in: 'k=\\', want: 'invalid field selector: invalid escape sequence: \\' },
    { in: 'k=\\a', want: 'invalid field selector: invalid escape sequence: \\a' },
    { in: 'k=\\!', want: 'invalid field selector: invalid escape sequence: \\!' },
    { in: 'k=\\😀', want: 'invalid field selector: invalid escape sequence: \\😀' },
  ];
  for (const c of cases)
    it(JSON.stringify(c.in), () => {
      assert.equal(parseError(c.in), c.want);
    });
});

describe('escaping (upstream TestEscapeValue)', () => {
  const cases = [
    { raw: '', escaped: '' },
    { raw: 'a', escaped: 'a' },
    { raw: '=', escaped: '\\=' },
    { raw: ',', escaped: '\\,' },
    { raw: '\\', escaped: '\\\\' },
    { raw: '\\=\\,\\', escaped: '\\\\\\=\\\\\\,\\\\' },
    { raw: '!', escaped: '!' },
  ];
  for (const c of cases) {
    it(`round trip ${JSON.stringify(c.raw)}`, () => {
      assert.equal(escapeFieldValue(c.raw), c.escaped);
      assert.equal(unescapeFieldValue(c.escaped), c.raw);
    });
  }
  for (const bad of ['\\', '\\\\\\', '\\a']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => unescapeFieldValue(bad), SelectorParseError);
    });
  }
});

describe('FieldSelector.matches (upstream TestSelectorMatches)', () => {
  const fieldset = { foo: 'bar', baz: 'blah', complex: '=value\\,\\' };
  const cases = [
    { sel: '', fields: { x: 'y' }, want: true },
    { sel: 'x=y', fields: { x: 'y' }, want: true },
    { sel: 'x=y,z=w', fields: { x: 'y', z: 'w' }, want: true },
    { sel: 'x!=y,z!=w', fields: { x: 'z', z: 'a' }, want: true },
    { sel: 'notin=in', fields: { notin: 'in' }, want: true },
    { sel: 'x=y', fields: { x: 'z' }, want: false },
    { sel: 'x=y,z=w', fields: { x: 'w', z: 'w' }, want: false },
    { sel: 'x!=y,z!=w', fields: { x: 'z', z: 'w' }, want: false },
    { sel: 'foo=bar,baz=blah', fields: fieldset, want: true },
    { sel: 'foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\', fields: fieldset, want: true },
    { sel: 'foo=blah', fields: fieldset, want: false },
    { sel: 'foo=bar,foobar=bar,baz=blah', fields: fieldset, want: false },
    { sel: 'missing=', fields: {}, want: true }, // a missing field reads as ''
    { sel: 'missing!=x', fields: {}, want: true },
    { sel: 'toString=', fields: {}, want: true }, // no prototype lookups
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.sel)} on ${JSON.stringify(c.fields)}`, () => {
      assert.equal(FieldSelector.parse(c.sel).matches(c.fields), c.want);
    });
  }
  it('takes an accessor', () => {
    const sel = FieldSelector.parse('spec.nodeName=w1');
    assert.equal(
      sel.matches((f) => (f === 'spec.nodeName' ? 'w1' : undefined)),
      true,
    );
    assert.equal(
      sel.matches(() => undefined),
      false,
    );
  });
  it('nothing matches nothing', () => {
    assert.equal(FieldSelector.nothing().matches({}), false);
    assert.equal(FieldSelector.nothing().isEmpty(), false);
  });
});

describe('requiresExactMatch and transform (upstream TestRequiresExactMatch, TestTransform)', () => {
  const exact = [
    { sel: '', field: 'test', want: undefined },
    { sel: 'a=b', field: 'test', want: undefined },
    { sel: 'test=b', field: 'test', want: 'b' },
    { sel: 'test=', field: 'test', want: '' },
    { sel: 'test!=b', field: 'test', want: undefined },
    { sel: 'a=c,test=b', field: 'test', want: 'b' },
  ];
  for (const c of exact) {
    it(`${c.sel} / ${c.field}`, () => {
      assert.equal(FieldSelector.parse(c.sel).requiresExactMatch(c.field), c.want);
    });
  }
  const transforms = [
    {
      name: 'no-op',
      sel: 'a=b,c=d',
      fn: (field: string, value: string) => ({ field, value }),
      out: 'a=b,c=d',
      empty: false,
    },
    {
      name: 'one field',
      sel: 'a=b,c=d',
      fn: (field: string, value: string) =>
        field === 'a' ? { field: 'e', value: 'f' } : { field, value },
      out: 'e=f,c=d',
      empty: false,
    },
    {
      name: 'remove to empty',
      sel: 'a=b',
      fn: () => ({ field: '', value: '' }),
      out: '',
      empty: true,
    },
    {
      name: 'remove one',
      sel: 'a=b,c=d,e=f',
      fn: (field: string, value: string) =>
        field === 'c' ? { field: '', value: '' } : { field, value },
      out: 'a=b,e=f',
      empty: false,
    },
  ];
  for (const c of transforms) {
    it(`transform: ${c.name}`, () => {
      const t = FieldSelector.parse(c.sel).transform(c.fn);
      assert.equal(t.toString(), c.out);
      assert.equal(t.isEmpty(), c.empty);
    });
  }
});

describe('hostile input', () => {
  it('a 100 KB selector is rejected quickly with a typed error', () => {
    const ms = cpuTimeMs(() => {
      assert.throws(() => FieldSelector.parse(`a=${'b'.repeat(100_000)}`), SelectorTooLongError);
    });
    assert.ok(ms < 50, `took ${String(ms)} ms of CPU`);
  });
  const big = [
    { name: 'one 100 KB value', sel: `a=${'b'.repeat(100_000)}` },
    { name: '100 KB of escapes', sel: `a=${'\\,'.repeat(50_000)}` },
    { name: '100 KB of commas', sel: ','.repeat(100_000) },
    { name: '100 KB without operator', sel: '!'.repeat(100_000) },
    { name: '100 KB of unicode', sel: `ü=${'ü'.repeat(100_000)}` },
  ];
  for (const c of big) {
    it(`${c.name} finishes fast with a raised limit`, () => {
      const ms = cpuTimeMs(() => {
        try {
          FieldSelector.parse(c.sel, { maxLength: 300_000 });
        } catch (err: unknown) {
          assert.ok(err instanceof SelectorParseError);
        }
      });
      assert.ok(ms < 300, `took ${String(ms)} ms of CPU`);
    });
  }
  it('too many terms is a typed error', () => {
    const sel = Array.from({ length: 6 }, (_, i) => `f${i}=v`).join(',');
    assert.throws(() => FieldSelector.parse(sel, { maxRequirements: 5 }), SelectorTooLongError);
  });
});
