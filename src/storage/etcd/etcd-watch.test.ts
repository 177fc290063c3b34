import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IEvent, IKeyValue } from 'etcd3';
import { KeyCodec } from './etcd-keys.ts';
import { toWatchEvent } from './etcd-watch.ts';

const codec = new KeyCodec('/pfx');

function kv(key: string, value: string, create: number, mod: number): IKeyValue {
  return {
    key: Buffer.from(`/pfx${key}`),
    value: Buffer.from(value),
    create_revision: String(create),
    mod_revision: String(mod),
    version: '1',
    lease: '0',
  };
}

/** etcd's own shape: a delete's kv has the delete revision, createRevision 0, no value. */
function event(type: IEvent['type'], current: IKeyValue, prev: IKeyValue | null): IEvent {
  return { type, kv: current, prev_kv: prev as IKeyValue };
}

const cases: { name: string; e: IEvent; want: unknown }[] = [
  {
    name: 'first put is ADDED',
    e: event('Put', kv('/a', 'v1', 5, 5), null),
    want: { type: 'ADDED', kv: ['/a', 'v1', 5, 5] },
  },
  {
    name: 'later put is MODIFIED with the previous value',
    e: event('Put', kv('/a', 'v2', 5, 7), kv('/a', 'v1', 5, 5)),
    want: { type: 'MODIFIED', kv: ['/a', 'v2', 5, 7], prev: ['/a', 'v1', 5, 5] },
  },
  {
    name: 'delete is DELETED at its revision with the last value',
    e: event('Delete', kv('/a', '', 0, 9), kv('/a', 'v2', 5, 7)),
    want: { type: 'DELETED', kv: ['/a', 'v2', 5, 9], prev: ['/a', 'v2', 5, 7] },
  },
  {
    name: 'delete without prev_kv keeps the key and revision',
    e: event('Delete', kv('/a', '', 0, 9), null),
    want: { type: 'DELETED', kv: ['/a', '', 0, 9] },
  },
];

describe('toWatchEvent', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = toWatchEvent(codec, c.e);
      const flat = (x: {
        key: string;
        value: Uint8Array;
        createRevision: number;
        modRevision: number;
      }) => [x.key, Buffer.from(x.value).toString(), x.createRevision, x.modRevision];
      const prev = 'prev' in got && got.prev !== undefined ? { prev: flat(got.prev) } : {};
      assert.deepEqual({ type: got.type, kv: flat(got.kv), ...prev }, c.want);
    });
  }
});
