import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aggregateMessage,
  duplicate,
  fieldErrorBody,
  forbidden,
  formatFieldError,
  internalError,
  invalid,
  invalidDetails,
  invalidMessage,
  notFound,
  notSupported,
  required,
  statusCauses,
  stringSliceValue,
  tooLong,
  tooMany,
} from './field-error.ts';
import { childPath, indexPath, keyPath } from './field-path.ts';
import { compareGoStrings, goQuote, goStringSlice, utf8Length } from './go-format.ts';

describe('formatFieldError (upstream field.Error.Error())', () => {
  const cases = [
    {
      name: 'invalid string value is %q-quoted',
      err: invalid('metadata.name', 'A_b', 'bad'),
      want: 'metadata.name: Invalid value: "A_b": bad',
    },
    {
      name: 'invalid number',
      err: invalid('metadata.generation', -1, 'neg'),
      want: 'metadata.generation: Invalid value: -1: neg',
    },
    { name: 'invalid boolean', err: invalid('x', true, 'd'), want: 'x: Invalid value: true: d' },
    { name: 'invalid nil', err: invalid('x', null, 'd'), want: 'x: Invalid value: null: d' },
    {
      name: 'invalid nil slice',
      err: invalid('values', stringSliceValue(null), 'empty'),
      want: 'values: Invalid value: []string(nil): empty',
    },
    {
      name: 'invalid slice',
      err: invalid('values', stringSliceValue(['a', 'b']), 'd'),
      want: 'values: Invalid value: []string{"a", "b"}: d',
    },
    {
      name: 'required without detail',
      err: required('metadata.namespace'),
      want: 'metadata.namespace: Required value',
    },
    {
      name: 'required with detail',
      err: required('metadata.name', 'name or generateName is required'),
      want: 'metadata.name: Required value: name or generateName is required',
    },
    {
      name: 'forbidden never prints the value',
      err: forbidden('metadata.namespace', 'not allowed on this type'),
      want: 'metadata.namespace: Forbidden: not allowed on this type',
    },
    {
      name: 'too long (1.32+ wording)',
      err: tooLong('metadata.annotations', 262144),
      want: 'metadata.annotations: Too long: may not be more than 262144 bytes',
    },
    {
      name: 'too long without limit',
      err: tooLong('x', -1),
      want: 'x: Too long: value is too long',
    },
    {
      name: 'too many',
      err: tooMany('x', 5, 3),
      want: 'x: Too many: 5: must have at most 3 items',
    },
    {
      name: 'too many, count omitted',
      err: tooMany('x', -1, 3),
      want: 'x: Too many: must have at most 3 items',
    },
    {
      name: 'not supported lists quoted values',
      err: notSupported('operator', 'Foo', ['In', 'NotIn']),
      want: 'operator: Unsupported value: "Foo": supported values: "In", "NotIn"',
    },
    {
      name: 'duplicate',
      err: duplicate('spec.ports[1]', 'a'),
      want: 'spec.ports[1]: Duplicate value: "a"',
    },
    { name: 'not found', err: notFound('x', 'y'), want: 'x: Not found: "y"' },
    { name: 'internal', err: internalError('x', 'boom'), want: 'x: Internal error: boom' },
    {
      name: 'control and unicode characters quoted as Go does',
      err: invalid('x', 'a\n\t"\\\u0000\u007fé\u00a0😀', 'd'),
      want: 'x: Invalid value: "a\\n\\t\\"\\\\\\x00\\x7fé\\u00a0😀": d',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(formatFieldError(c.err), c.want);
    });
});

describe('aggregates and 422 details (upstream errors.NewInvalid)', () => {
  const e1 = invalid('metadata.name', 'A', 'x');
  const e2 = required('metadata.namespace');
  const cases = [
    {
      name: 'empty list',
      got: invalidMessage({ group: '', kind: 'Pod' }, 'p', []),
      want: 'Pod "p" is invalid',
    },
    {
      name: 'one error without brackets',
      got: invalidMessage({ group: '', kind: 'Pod' }, 'A', [e1]),
      want: 'Pod "A" is invalid: metadata.name: Invalid value: "A": x',
    },
    {
      name: 'several in brackets, group qualified',
      got: invalidMessage({ group: 'apps', kind: 'Deployment' }, 'A', [e1, e2]),
      want: 'Deployment.apps "A" is invalid: [metadata.name: Invalid value: "A": x, metadata.namespace: Required value]',
    },
    {
      name: 'duplicates dropped; a single remaining one unbracketed',
      got: aggregateMessage([e1, e1]),
      want: 'metadata.name: Invalid value: "A": x',
    },
    { name: 'no errors, no aggregate', got: aggregateMessage([]), want: undefined },
    {
      name: 'name is Go-quoted',
      got: invalidMessage({ group: '', kind: 'ConfigMap' }, 'a"b', []),
      want: 'ConfigMap "a\\"b" is invalid',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(c.got, c.want);
    });

  it('causes carry ErrorBody, not the field prefix, and keep duplicates', () => {
    assert.deepEqual(statusCauses([e1, e1, e2]), [
      { reason: 'FieldValueInvalid', message: 'Invalid value: "A": x', field: 'metadata.name' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "A": x', field: 'metadata.name' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' },
    ]);
  });

  it('details omit empty members', () => {
    assert.deepEqual(invalidDetails({ group: '', kind: 'Pod' }, '', []), { kind: 'Pod' });
    assert.deepEqual(invalidDetails({ group: 'apps', kind: 'Deployment' }, 'd', [e2]), {
      group: 'apps',
      kind: 'Deployment',
      name: 'd',
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' },
      ],
    });
  });

  it('fieldErrorBody', () => {
    assert.equal(fieldErrorBody(e1), 'Invalid value: "A": x');
  });
});

describe('field paths (upstream field.Path.String())', () => {
  const cases = [
    { name: 'root child', got: childPath('', 'key'), want: 'key' },
    { name: 'nested children', got: childPath('metadata', 'labels'), want: 'metadata.labels' },
    {
      name: 'index then child',
      got: childPath(indexPath('spec.containers', 0), 'image'),
      want: 'spec.containers[0].image',
    },
    { name: 'index then key', got: keyPath(indexPath('values', 0), 'app'), want: 'values[0][app]' },
    { name: 'index on nil root', got: indexPath('', 3), want: '[3]' },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(c.got, c.want);
    });
});

describe('Go formatting helpers', () => {
  const cases = [
    { name: 'quote empty', got: goQuote(''), want: '""' },
    { name: 'lone surrogate is U+FFFD', got: goQuote('\ud800'), want: '"\ufffd"' },
    { name: 'non-printable BMP', got: goQuote('\u200b'), want: '"\\u200b"' },
    { name: 'empty slice', got: goStringSlice([]), want: '[]string{}' },
    { name: 'utf8 length', got: utf8Length('aé😀'), want: 7 },
    {
      name: 'byte order: astral after U+FFFD',
      got: compareGoStrings('\u{1F600}', '\uFFFD'),
      want: 1,
    },
    { name: 'prefix sorts first', got: compareGoStrings('a', 'ab'), want: -1 },
    { name: 'equal', got: compareGoStrings('ab', 'ab'), want: 0 },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(c.got, c.want);
    });
});
