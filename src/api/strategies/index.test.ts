import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinResources } from '../builtin-resources.ts';
import { builtinStrategies } from './index.ts';

describe('builtinStrategies', () => {
  it('every key names a served kind, and the kinds get the hooks', () => {
    const strategies = builtinStrategies();
    const served = new Set(builtinResources().map((d) => `${d.group}/${d.kind}`));
    for (const key of strategies.keys()) assert.ok(served.has(key), key);
    const pods = builtinResources(strategies).find((d) => d.kind === 'Pod');
    assert.equal(typeof pods?.strategy?.prepareForCreate, 'function');
    assert.ok(pods?.strategy?.printer, 'printers are kept');
  });
});
