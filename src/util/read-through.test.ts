import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readThrough } from './read-through.ts';

describe('readThrough', () => {
  it('shares one load between concurrent callers of a key', async () => {
    const cache = new Map<string, Promise<number>>();
    let loads = 0;
    const load = async (): Promise<number> => {
      loads += 1;
      await Promise.resolve();
      return 7;
    };
    const [a, b] = await Promise.all([
      readThrough(cache, 'k', load),
      readThrough(cache, 'k', load),
    ]);
    assert.equal(a, 7);
    assert.equal(b, 7);
    assert.equal(loads, 1);
    assert.equal(await readThrough(cache, 'k', load), 7);
    assert.equal(loads, 1);
  });

  it('drops a failed load so the next call loads again', async () => {
    const cache = new Map<string, Promise<string>>();
    await assert.rejects(
      readThrough(cache, 'k', () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(cache.has('k'), false);
    assert.equal(await readThrough(cache, 'k', () => Promise.resolve('ok')), 'ok');
  });
});
