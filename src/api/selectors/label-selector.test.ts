import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFieldError } from '../validation/field-error.ts';
import { InvalidRequirementError, SelectorParseError, SelectorTooLongError } from './errors.ts';
import type { Labels } from './label-requirement.ts';
import { newRequirement } from './label-requirement.ts';
import { LabelSelector } from './label-selector.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const OPS = 'in, notin, =, ==, !=, gt, lt';

function parseError(selector: string): string {
  try {
    LabelSelector.parse(selector);
  } catch (err: unknown) {
    assert.ok(err instanceof SelectorParseError, `typed error for ${selector}`);
    assert.equal(err.code, 'SELECTOR_PARSE_ERROR');
    return err.message;
  }
  return assert.fail(`expected ${JSON.stringify(selector)} to fail`);
}

describe('LabelSelector.parse canonical form (upstream TestSelectorParse, TestSetSelectorParser)', () => {
  const cases = [
    { in: 'x=a,y=b,z=c', out: 'x=a,y=b,z=c' },
    { in: '', out: '' },
    { in: 'x!=a,y=b', out: 'x!=a,y=b' },
    { in: 'x=', out: 'x=' },
    { in: 'x= ', out: 'x=' },
    { in: 'x=,z= ', out: 'x=,z=' },
    { in: 'x= ,z= ', out: 'x=,z=' },
    { in: '!x', out: '!x' },
    { in: 'x>1', out: 'x>1' },
    { in: 'x>1,z<5', out: 'x>1,z<5' },
    { in: 'x==a', out: 'x==a' },
    { in: '\rx', out: 'x' },
    { in: 'this-is-a-dns.domain.com/key-with-dash', out: 'this-is-a-dns.domain.com/key-with-dash' },
    {
      in: '0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)',
      out: '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)',
    },
    { in: 'foo  in\t (abc)', out: 'foo in (abc)' },
    { in: 'x notin\n (abc)', out: 'x notin (abc)' },
    { in: 'x  notin\t\t\t(abc,def)', out: 'x notin (abc,def)' },
    { in: 'x in (abc,)', out: 'x in (,abc)' },
    { in: 'x in ()', out: 'x in ()' },
    { in: 'x notin (abc,,def),bar,z in (),w', out: 'bar,w,x notin (,abc,def),z in ()' },
    { in: 'x,y in (a)', out: 'x,y in (a)' },
    { in: 'x notin ( )', out: 'x notin ()' },
    { in: 'x notin (, a)', out: 'x notin (,a)' },
    { in: 'a ', out: 'a' },
    { in: 'a in (x,y,notin, z,in)', out: 'a in (in,notin,x,y,z)' },
    { in: 'notin=in', out: 'notin=in' },
    { in: 'x in (b,a,b)', out: 'x in (a,b)' },
    { in: 'x=a,a=x', out: 'a=x,x=a' },
    { in: 'b,a,b=1', out: 'a,b,b=1' }, // sort by key is stable
    { in: 'a=b,\u0000c', out: 'a=b,c' }, // a NUL right after an operator is skipped, as upstream
  ];
  for (const c of cases) {
    it(JSON.stringify(c.in), () => {
      assert.equal(LabelSelector.parse(c.in).toString(), c.out);
    });
  }
});

describe('LabelSelector.parse errors (upstream wording)', () => {
  const cases = [
    { in: 'x==a==b', want: "found '==', expected: ',' or 'end of string'" },
    { in: '!x=a', want: "found '=', expected: ',' or 'end of string'" },
    {
      in: 'x<a',
      want: `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    },
    {
      in: 'x=a||y=b',
      want: `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_MSG}`,
    },
    { in: 'x,,y', want: "found ',', expected: identifier after ','" },
    { in: ',x,y', want: "found ',', expected: !, identifier, or 'end of string'" },
    { in: 'x nott in (y)', want: `unable to parse requirement: found 'nott', expected: ${OPS}` },
    { in: 'a in (xyz),', want: "found '', expected: identifier after ','" },
    { in: 'a in (xyz)b notin ()', want: "found 'b', expected: ',' or 'end of string'" },
    {
      in: 'a in (xyz abc)',
      want: "unable to parse requirement: found 'abc', expected: ',' or ')'",
    },
    {
      in: 'a notin(',
      want: "unable to parse requirement: found '', expected: ',', ')' or identifier",
    },
    { in: 'a (', want: `unable to parse requirement: found '(', expected: ${OPS}` },
    { in: '(', want: "found '(', expected: !, identifier, or 'end of string'" },
    { in: 'x in a', want: "unable to parse requirement: found 'a' expected: '('" },
    { in: 'x=(a)', want: "unable to parse requirement: found '(', expected: identifier" },
    { in: 'x in (a=)', want: "unable to parse requirement: found '=', expected: ',' or ')'" },
    {
      in: 'x in (=)',
      want: "unable to parse requirement: found '=', expected: ',', ')' or identifier",
    },
    {
      in: 'x in (,=)',
      want: "unable to parse requirement: found '=', expected: ',', or identifier",
    },
    { in: '!', want: "unable to parse requirement: found '', expected: identifier" },
    { in: '!!x', want: "unable to parse requirement: found '!', expected: identifier" },
    // 1.27-1.33 consume the second comma of ",," before checking for ")" (fixed in 1.34).
    {
      in: 'x in (a,,)',
      want: "unable to parse requirement: found ')', expected: ',', or identifier",
    },
    { in: 'a=b\u0000c', want: "found 'c', expected: ',' or 'end of string'" },
    // Upstream's read() returns 0 for a NUL as at the end: after a blank it ends the input.
    { in: 'a=b, \u0000c', want: "found '', expected: identifier after ','" },
    { in: '-a', want: `unable to parse requirement: <nil>: Invalid value: "-a": ${NAME_PART}` },
    {
      in: 'a/b/c',
      want: `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    },
    {
      in: 'x in (b,-a)',
      want: `unable to parse requirement: values[0][x]: Invalid value: "-a": ${VALUE_MSG}`,
    },
    {
      in: 'x in (-a,-b)',
      want: `unable to parse requirement: [values[0][x]: Invalid value: "-a": ${VALUE_MSG}, values[1][x]: Invalid value: "-b": ${VALUE_MSG}]`,
    },
    {
      in: 'ключ=v',
      want: `unable to parse requirement: <nil>: Invalid value: "ключ": ${NAME_PART}`,
    },
    {
      in: 'k=значение',
      want: `unable to parse requirement: values[0][k]: Invalid value: "значение": ${VALUE_MSG}`,
    },
    {
      in: `k=${'v'.repeat(64)}`,
      want: `unable to parse requirement: values[0][k]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
    },
  ];
  for (const c of cases)
    it(JSON.stringify(c.in), () => {
      assert.equal(parseError(c.in), c.want);
    });
});

describe('LabelSelector.matches (upstream TestSelectorMatches, TestRequirementSelectorMatching)', () => {
  const foo: Labels = { foo: 'bar', baz: 'blah' };
  const cases: { sel: string; labels: Labels; want: boolean }[] = [
    { sel: '', labels: { x: 'y' }, want: true },
    { sel: 'x=y', labels: { x: 'y' }, want: true },
    { sel: 'x=y,z=w', labels: { x: 'y', z: 'w' }, want: true },
    { sel: 'x!=y,z!=w', labels: { x: 'z', z: 'a' }, want: true },
    { sel: 'notin=in', labels: { notin: 'in' }, want: true },
    { sel: 'x', labels: { x: 'z' }, want: true },
    { sel: '!x', labels: { y: 'z' }, want: true },
    { sel: 'x>1', labels: { x: '2' }, want: true },
    { sel: 'x<1', labels: { x: '0' }, want: true },
    { sel: 'x<1', labels: { x: '-5' }, want: true },
    { sel: 'x>1', labels: { x: '+2' }, want: true },
    { sel: 'x>1', labels: { x: '99999999999999999999' }, want: false }, // out of int64 range
    { sel: 'x=z', labels: {}, want: false },
    { sel: 'x=y', labels: { x: 'z' }, want: false },
    { sel: 'x=y,z=w', labels: { x: 'w', z: 'w' }, want: false },
    { sel: 'x!=y,z!=w', labels: { x: 'z', z: 'w' }, want: false },
    { sel: 'x', labels: { y: 'z' }, want: false },
    { sel: '!x', labels: { x: 'z' }, want: false },
    { sel: 'x>1', labels: { x: '0' }, want: false },
    { sel: 'x<1', labels: { x: '2' }, want: false },
    { sel: 'z>1', labels: { z: 'v2' }, want: false },
    { sel: 'foo=bar,baz=blah', labels: foo, want: true },
    { sel: 'foo=bar,foobar=bar,baz=blah', labels: foo, want: false },
    { sel: 'x in (foo),y notin (alpha)', labels: { x: 'foo', y: 'baz' }, want: true },
    { sel: 'x in (foo),y in (alpha)', labels: { x: 'foo', y: 'baz' }, want: false },
    { sel: 'x notin (),y', labels: { y: '' }, want: true },
    { sel: '!x,y', labels: { y: '' }, want: true },
    { sel: 'x notin (),!y', labels: { y: '' }, want: false },
    { sel: 'x in ()', labels: { y: 'baz' }, want: false },
    { sel: 'x in ()', labels: { x: '' }, want: true },
    { sel: 'x=', labels: {}, want: false },
    { sel: 'x!=', labels: {}, want: true },
    { sel: 'constructor', labels: {}, want: false }, // no prototype lookups
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.sel)} on ${JSON.stringify(c.labels)}`, () => {
      assert.equal(LabelSelector.parse(c.sel).matches(c.labels), c.want);
    });
  }
  it('a missing label map is an empty one', () => {
    assert.equal(LabelSelector.parse('!a').matches(undefined), true);
  });
});

describe('NewRequirement (upstream TestRequirementConstructor)', () => {
  const cases = [
    {
      name: 'in without values',
      key: 'x1',
      op: 'in',
      vals: [],
      want: [
        "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
      ],
    },
    { name: 'in with a value', key: 'x3', op: 'in', vals: ['foo'], want: [] },
    {
      name: '= with two values',
      key: 'x5',
      op: '=',
      vals: ['bar', 'foo'],
      want: [
        'values: Invalid value: []string{"bar", "foo"}: exact-match compatibility requires one single value',
      ],
    },
    {
      name: 'exists with a value',
      key: 'x8',
      op: 'exists',
      vals: ['foo'],
      want: [
        'values: Invalid value: []string{"foo"}: values set must be empty for exists and does not exist',
      ],
    },
    {
      name: 'gt without value',
      key: 'x13',
      op: 'gt',
      vals: [],
      want: [
        "values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required",
      ],
    },
    {
      name: 'gt non-integer',
      key: 'x14',
      op: 'gt',
      vals: ['bar'],
      want: [
        "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer",
      ],
    },
    {
      name: 'key too long',
      key: 'a'.repeat(254),
      op: 'exists',
      vals: [],
      want: [
        `key: Invalid value: "${'a'.repeat(254)}": name part must be no more than 63 characters`,
      ],
    },
    {
      name: 'value with a space',
      key: 'x17',
      op: '=',
      vals: ['a b'],
      want: [`values[0][x17]: Invalid value: "a b": ${VALUE_MSG}`],
    },
    {
      name: 'unsupported operator',
      key: 'x18',
      op: 'unsupportedOp',
      vals: [],
      want: [
        'operator: Unsupported value: "unsupportedOp": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(newRequirement(c.key, c.op, c.vals).errors.map(formatFieldError), c.want);
    });
  }
});

describe('LabelSelector.fromObject (upstream LabelSelectorAsSelector)', () => {
  it('null selects nothing', () => {
    const s = LabelSelector.fromObject(null);
    assert.equal(s.matches({}), false);
    assert.equal(s.isEmpty(), false);
    assert.equal(s.selectsNothing, true);
    assert.equal(s.toString(), '');
  });
  it('undefined selects nothing', () => {
    assert.equal(LabelSelector.fromObject(undefined).matches({ a: 'b' }), false);
  });
  it('empty selects everything', () => {
    const s = LabelSelector.fromObject({ matchLabels: {}, matchExpressions: [] });
    assert.equal(s.matches({}), true);
    assert.equal(s.isEmpty(), true);
  });
  const cases = [
    {
      name: 'labels and expressions sorted by key',
      sel: {
        matchLabels: { b: '1', a: '2' },
        matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['z', 'y', 'y'] }],
      },
      want: 'a=2,a notin (y,y,z),b=1',
    },
    {
      name: 'exists and does not exist',
      sel: {
        matchExpressions: [
          { key: 'b', operator: 'DoesNotExist' },
          { key: 'a', operator: 'Exists', values: null },
        ],
      },
      want: 'a,!b',
    },
    {
      name: 'upstream TestLabelSelectorAsSelector',
      sel: {
        matchLabels: { foo: 'bar' },
        matchExpressions: [{ key: 'baz', operator: 'In', values: ['qux', 'norf'] }],
      },
      want: 'baz in (norf,qux),foo=bar',
    },
    {
      name: 'in',
      sel: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
      want: 'tier in (api,web)',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(LabelSelector.fromObject(c.sel).toString(), c.want);
    });

  const errors = [
    {
      name: 'Exists with values (upstream TestLabelSelectorAsSelector)',
      sel: { matchExpressions: [{ key: 'baz', operator: 'Exists', values: ['qux', 'norf'] }] },
      want: 'values: Invalid value: []string{"qux", "norf"}: values set must be empty for exists and does not exist',
    },
    {
      name: 'In without values is a nil slice',
      sel: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      want: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    },
    {
      name: 'unknown operator',
      sel: { matchExpressions: [{ key: 'a', operator: 'Foo' }] },
      want: '"Foo" is not a valid label selector operator',
    },
    {
      name: 'invalid label key',
      sel: { matchLabels: { 'a b': 'c' } },
      want: `key: Invalid value: "a b": ${NAME_PART}`,
    },
    {
      name: 'invalid label value',
      sel: { matchLabels: { a: '-' } },
      want: `values[0][a]: Invalid value: "-": ${VALUE_MSG}`,
    },
  ];
  for (const c of errors) {
    it(c.name, () => {
      assert.throws(
        () => LabelSelector.fromObject(c.sel),
        (err: unknown) => err instanceof InvalidRequirementError && err.message === c.want,
      );
    });
  }
  it('matches like the parsed form', () => {
    const s = LabelSelector.fromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
    });
    assert.equal(s.matches({ app: 'web' }), true);
    assert.equal(s.matches({ app: 'web', tier: 'db' }), false);
  });
});

describe('requiresExactMatch, everything and nothing', () => {
  const cases = [
    { sel: 'key in (value)', label: 'key', want: 'value' },
    { sel: 'key in (value,value2)', label: 'key', want: undefined },
    { sel: 'key in (value,value1),key2 in (value2)', label: 'key2', want: 'value2' },
    { sel: 'key=value', label: 'key', want: 'value' },
    { sel: 'key==value', label: 'key', want: 'value' },
    { sel: 'key!=value', label: 'key', want: undefined },
    { sel: 'a=b', label: 'c', want: undefined },
  ];
  for (const c of cases) {
    it(`${c.sel} / ${c.label}`, () => {
      assert.equal(LabelSelector.parse(c.sel).requiresExactMatch(c.label), c.want);
    });
  }
  it('everything is empty and matches all', () => {
    assert.equal(LabelSelector.everything().isEmpty(), true);
    assert.equal(LabelSelector.everything().matches({ x: 'y' }), true);
    assert.equal(LabelSelector.parse(''), LabelSelector.everything());
  });
  it('nothing is not empty and matches none', () => {
    assert.equal(LabelSelector.nothing().isEmpty(), false);
    assert.equal(LabelSelector.nothing().matches({}), false);
  });
});

describe('hostile input', () => {
  const time = cpuTimeMs;
  it('a 100 KB selector is rejected quickly with a typed error', () => {
    const ms = time(() => {
      assert.throws(
        () => LabelSelector.parse('a'.repeat(100_000)),
        (err: unknown) => {
          assert.ok(err instanceof SelectorTooLongError);
          assert.equal(
            err.message,
            'label selector is too long: 100000 characters, at most 65536 are allowed',
          );
          return true;
        },
      );
    });
    assert.ok(ms < 50);
  });
  const big = [
    { name: 'one 100 KB key', sel: 'a'.repeat(100_000) },
    { name: '100 KB of commas', sel: ','.repeat(100_000) },
    { name: '100 KB of parens', sel: `x in ${'('.repeat(100_000)}` },
    {
      name: '100 KB value list',
      sel: `x in (${Array.from({ length: 20_000 }, (_, i) => `v${i}`).join(',')})`,
    },
    { name: '100 KB of whitespace', sel: ' \t\r\n'.repeat(25_000) },
    { name: '100 KB of a- then !', sel: `k=${'a-'.repeat(50_000)}!` },
    { name: '100 KB of unicode', sel: 'ü'.repeat(100_000) },
  ];
  for (const c of big) {
    it(`${c.name} parses or fails fast with a raised limit`, () => {
      const ms = time(() => {
        try {
          LabelSelector.parse(c.sel, { maxLength: 200_000 });
        } catch (err: unknown) {
          assert.ok(err instanceof SelectorParseError || err instanceof SelectorTooLongError);
        }
      });
      assert.ok(ms < 300, `${c.name} took ${ms} ms`);
    });
  }
  it('too many requirements is a typed error', () => {
    const sel = Array.from({ length: 11 }, (_, i) => `k${i}`).join(',');
    assert.throws(() => LabelSelector.parse(sel, { maxRequirements: 10 }), SelectorTooLongError);
    assert.equal(LabelSelector.parse(sel, { maxRequirements: 11 }).requirements.length, 11);
  });
});
