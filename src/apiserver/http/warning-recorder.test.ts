import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WarningRecorder } from './warning-recorder.ts';

describe('WarningRecorder', () => {
  it('formats as upstream: code 299, agent -, quoted text with " and \\ escaped', () => {
    const r = new WarningRecorder();
    assert.equal(r.isEmpty, true);
    r.add('unknown field "spec.foo"');
    r.add('back\\slash');
    assert.deepEqual(r.headerValues(), [
      '299 - "unknown field \\"spec.foo\\""',
      '299 - "back\\\\slash"',
    ]);
  });

  it('drops empty, repeated and control-character texts', () => {
    const r = new WarningRecorder();
    r.add('');
    r.add('a');
    r.add('a');
    r.add('line\nbreak');
    assert.deepEqual(r.headerValues(), ['299 - "a"']);
  });

  it('carries non-ASCII text as UTF-8 bytes', () => {
    const r = new WarningRecorder();
    r.add('ünïcode');
    const [v] = r.headerValues();
    assert.equal(Buffer.from(v ?? '', 'latin1').toString('utf8'), '299 - "ünïcode"');
  });

  it('past 4096 runes, truncates every warning to 256 runes', () => {
    const r = new WarningRecorder();
    const long = (c: string): string => c.repeat(1000);
    for (const c of ['a', 'b', 'c', 'd']) r.add(long(c));
    assert.equal(r.headerValues().length, 4);
    r.add(long('e'));
    const values = r.headerValues();
    assert.equal(values.length, 5);
    for (const v of values) assert.equal(v.length, '299 - ""'.length + 256);
  });
});
