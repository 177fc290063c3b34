import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../json.ts';
import {
  arrayAt,
  boolAt,
  compareStrings,
  isSet,
  mapSize,
  numberAt,
  objectAt,
  objectsAt,
  optionalNumberAt,
  stringAt,
  stringMapAt,
  stringsAt,
} from './fields.ts';

const obj: JsonObject = {
  spec: {
    replicas: 3,
    paused: true,
    name: 'x',
    nothing: null,
    list: [1, 'a', { b: 1 }],
    map: { a: 'x', n: 1 },
  },
};

test('readers return Go zero values for missing or mistyped fields', () => {
  assert.equal(stringAt(obj, 'spec', 'name'), 'x');
  assert.equal(stringAt(obj, 'spec', 'replicas'), '');
  assert.equal(stringAt(obj, 'spec', 'missing', 'deeper'), '');
  assert.equal(numberAt(obj, 'spec', 'replicas'), 3);
  assert.equal(numberAt(obj, 'spec', 'name'), 0);
  assert.equal(optionalNumberAt(obj, 'spec', 'missing'), undefined);
  assert.equal(boolAt(obj, 'spec', 'paused'), true);
  assert.equal(boolAt(obj, 'spec', 'name'), false);
  assert.deepEqual(arrayAt(obj, 'spec', 'name'), []);
  assert.deepEqual(objectsAt(obj, 'spec', 'list'), [{}, {}, { b: 1 }]);
  assert.deepEqual(stringsAt(obj, 'spec', 'list'), ['', 'a', '']);
  assert.deepEqual(stringMapAt(obj, 'spec', 'map'), { a: 'x' });
  assert.equal(mapSize(obj, 'spec', 'map'), 2);
  assert.equal(objectAt(obj, 'spec', 'nothing'), undefined);
  assert.equal(objectAt(undefined, 'spec'), undefined);
});

test('isSet distinguishes null and absent from set (Go nil pointers)', () => {
  assert.equal(isSet(obj, 'spec', 'nothing'), false);
  assert.equal(isSet(obj, 'spec', 'missing'), false);
  assert.equal(isSet(obj, 'spec', 'paused'), true);
  assert.equal(isSet(obj, 'spec'), true);
});

test('compareStrings orders by UTF-8 bytes like Go', () => {
  assert.deepEqual(['b', 'B', 'a', 'a-b', 'a.b'].sort(compareStrings), [
    'B',
    'a',
    'a-b',
    'a.b',
    'b',
  ]);
  // U+1F600 sorts before U+FF5E in UTF-16 code units (JS `<`), after it in UTF-8 bytes (Go).
  assert.equal(compareStrings('\u{1F600}', '\uFF5E'), 1);
});
