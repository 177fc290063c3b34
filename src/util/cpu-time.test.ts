import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuTimeMs } from './cpu-time.ts';

test('cpuTimeMs counts busy work and not time spent waiting', () => {
  const busy = cpuTimeMs(() => {
    const until = performance.now() + 30;
    while (performance.now() < until) {
      /* spin */
    }
  });
  assert.ok(busy >= 15, `a 30 ms spin used ${String(busy)} ms of CPU`);
  const shared = new Int32Array(new SharedArrayBuffer(4));
  const idle = cpuTimeMs(() => {
    Atomics.wait(shared, 0, 0, 50);
  });
  assert.ok(idle < 25, `a 50 ms sleep used ${String(idle)} ms of CPU`);
});
