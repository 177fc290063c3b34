import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatLabels, formatLabelSelector, labelSelectorString } from './label-format.ts';

test('formatLabels sorts "k=v" pairs and prints <none> when empty', () => {
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels({ foo: 'bar' }), 'foo=bar');
  assert.equal(formatLabels({ b: '2', a: '1', 'a.b/c': '' }), 'a.b/c=,a=1,b=2');
});

const selectorCases: {
  name: string;
  selector: JsonObject | undefined;
  asString: string | undefined;
  formatted: string;
}[] = [
  { name: 'nil selector', selector: undefined, asString: '', formatted: '<none>' },
  { name: 'empty selector selects everything', selector: {}, asString: '', formatted: '<none>' },
  {
    name: 'match labels',
    selector: { matchLabels: { foo: 'bar' } },
    asString: 'foo=bar',
    formatted: 'foo=bar',
  },
  {
    name: 'sorted by key across labels and expressions',
    selector: {
      matchLabels: { zone: 'a', app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend', 'backend'] },
        { key: 'beta', operator: 'DoesNotExist' },
        { key: 'env', operator: 'Exists', values: [] },
      ],
    },
    asString: 'app=web,!beta,env,tier in (backend,frontend),zone=a',
    formatted: 'app=web,!beta,env,tier in (backend,frontend),zone=a',
  },
  {
    name: 'a single In value is printed as is',
    selector: { matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['v'] }] },
    asString: 'k notin (v)',
    formatted: 'k notin (v)',
  },
  {
    name: 'unknown operator is an error',
    selector: { matchExpressions: [{ key: 'k', operator: 'Gt', values: ['1'] }] },
    asString: undefined,
    formatted: '<error>',
  },
  {
    name: 'In without values is an error',
    selector: { matchExpressions: [{ key: 'k', operator: 'In', values: [] }] },
    asString: undefined,
    formatted: '<error>',
  },
  {
    name: 'Exists with values is an error',
    selector: { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['x'] }] },
    asString: undefined,
    formatted: '<error>',
  },
  {
    name: 'invalid label key is an error',
    selector: { matchLabels: { 'bad key': 'v' } },
    asString: undefined,
    formatted: '<error>',
  },
  {
    name: 'invalid prefix is an error',
    selector: { matchLabels: { 'Example.com/k': 'v' } },
    asString: undefined,
    formatted: '<error>',
  },
  {
    name: 'invalid label value is an error',
    selector: { matchLabels: { k: '-v' } },
    asString: undefined,
    formatted: '<error>',
  },
  {
    name: 'prefixed keys and empty values are valid',
    selector: { matchLabels: { 'app.kubernetes.io/name': '' } },
    asString: 'app.kubernetes.io/name=',
    formatted: 'app.kubernetes.io/name=',
  },
];

for (const c of selectorCases) {
  test(`label selector: ${c.name}`, () => {
    assert.equal(labelSelectorString(c.selector), c.asString);
    assert.equal(formatLabelSelector(c.selector), c.formatted);
  });
}
