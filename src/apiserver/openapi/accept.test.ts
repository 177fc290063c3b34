import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate, parseAccept } from './accept.ts';

const OFFERS = [
  { mediaType: 'application/json', name: 'json' },
  { mediaType: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', name: 'pb' },
];

describe('parseAccept (goautoneg)', () => {
  it('sorts as goautoneg does, including its quirk (a concrete subtype can beat a higher q)', () => {
    const got = parseAccept('*/*;q=0.5, text/*, application/json;q=0.9, text/html;level=1');
    assert.deepEqual(
      got.map((c) => `${c.type}/${c.subType};${String(c.q)}`),
      ['text/html;1', 'application/json;0.9', 'text/*;1', '*/*;0.5'],
    );
  });

  it('accepts a bare `*` as */* and drops malformed ranges', () => {
    assert.deepEqual(
      parseAccept('*, a/b/c, text').map((c) => `${c.type}/${c.subType}`),
      ['*/*'],
    );
  });
});

describe('negotiate', () => {
  const cases: { accept: string | undefined; want: string | undefined }[] = [
    { accept: undefined, want: 'json' },
    { accept: '', want: 'json' },
    { accept: '*/*', want: 'json' },
    { accept: 'application/*', want: 'json' },
    { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', want: 'pb' },
    {
      accept: 'application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      want: 'pb',
    },
    {
      accept: 'application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      want: 'json',
    },
    { accept: 'application/xml', want: undefined },
  ];
  for (const c of cases) {
    it(`${String(c.accept)} → ${String(c.want)}`, () => {
      assert.equal(negotiate(c.accept, OFFERS)?.name, c.want);
    });
  }
});
