import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { configMapStrategy, MAX_SECRET_SIZE, secretStrategy } from './config-strategies.ts';

const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const check = (strategy: ResourceStrategy, obj: JsonObject): string[] => {
  strategy.defaults?.(obj);
  return (strategy.validate?.(obj) ?? []).map(formatFieldError);
};
const checkUpdate = (strategy: ResourceStrategy, old: JsonObject, next: JsonObject): string[] => {
  strategy.defaults?.(next);
  return (strategy.validateUpdate?.(next, old) ?? []).map(formatFieldError);
};

describe('ConfigMap', () => {
  const cases: { name: string; cm: JsonObject; want: string[] }[] = [
    { name: 'valid', cm: { data: { 'a.conf': 'x', KEY_1: 'y' } }, want: [] },
    {
      name: 'bad keys',
      cm: { data: { 'a b': '', '..x': '' }, binaryData: { '/': b64('x') } },
      want: [
        `data[a b]: Invalid value: "a b": ${KEY_MSG}`,
        `data[..x]: Invalid value: "..x": must not start with '..'`,
        `binaryData[/]: Invalid value: "/": ${KEY_MSG}`,
      ],
    },
    {
      name: 'a key in both maps',
      cm: { data: { k: 'v' }, binaryData: { k: b64('v') } },
      want: ['data[k]: Invalid value: "k": duplicate of key present in binaryData'],
    },
    {
      name: 'over 1 MiB in total',
      cm: { data: { a: 'x'.repeat(MAX_SECRET_SIZE) }, binaryData: { b: b64('y') } },
      want: [': Too long: may not be more than 1048576 bytes'],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(check(configMapStrategy, c.cm), c.want);
    });

  it('immutable: data and the flag itself cannot change', () => {
    const old: JsonObject = { data: { k: 'v' }, immutable: true };
    assert.deepEqual(
      checkUpdate(configMapStrategy, old, { data: { k: 'v' }, immutable: true }),
      [],
    );
    assert.deepEqual(checkUpdate(configMapStrategy, old, { data: { k: 'w' } }), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(checkUpdate(configMapStrategy, { data: { k: 'v' } }, { data: {} }), []);
  });
});

describe('Secret', () => {
  it('type defaults to Opaque; stringData folds into data', () => {
    const s: JsonObject = { data: { a: b64('1'), b: b64('2') }, stringData: { b: 'two', c: 'ß' } };
    assert.deepEqual(check(secretStrategy, s), []);
    assert.deepEqual(s, { data: { a: b64('1'), b: b64('two'), c: b64('ß') }, type: 'Opaque' });
  });

  const cases: { name: string; secret: JsonObject; want: string[] }[] = [
    {
      name: 'tls keys',
      secret: { type: 'kubernetes.io/tls', data: {} },
      want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'],
    },
    {
      name: 'service account token annotation',
      secret: { type: 'kubernetes.io/service-account-token', metadata: {} },
      want: ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    },
    {
      name: 'basic auth needs one of the keys',
      secret: { type: 'kubernetes.io/basic-auth', data: { password: '' } },
      want: [],
    },
    {
      name: 'size counts decoded bytes',
      secret: { data: { big: Buffer.alloc(MAX_SECRET_SIZE + 1).toString('base64') } },
      want: ['data: Too long: may not be more than 1048576 bytes'],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(check(secretStrategy, c.secret), c.want);
    });

  it('type is immutable, and data when immutable', () => {
    const old: JsonObject = { type: 'Opaque', data: { k: b64('v') }, immutable: true };
    assert.deepEqual(
      checkUpdate(secretStrategy, old, {
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': '', 'tls.key': '' },
        immutable: true,
      }),
      [
        'type: Invalid value: "kubernetes.io/tls": field is immutable',
        'data: Forbidden: field is immutable when `immutable` is set',
      ],
    );
  });
});
