import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuTimeMs } from './cpu-time.ts';

test('cpuTimeMs counts work done, not time spent waiting', () => {
  // Fixed work, not a wall-clock spin: on a loaded machine a spin gets preempted.
  let x = 0;
  const busy = cpuTimeMs(() => {
    for (let i = 0; i < 20_000_000; i++) x = (x + i) % 1_000_003;
  });
  assert.ok(x >= 0);
  assert.ok(busy > 1, `20 M iterations used ${String(busy)} ms of CPU`);
  const shared = new Int32Array(new SharedArrayBuffer(4));
  const idle = cpuTimeMs(() => {
    Atomics.wait(shared, 0, 0, 200);
  });
  assert.ok(idle < 100, `a 200 ms sleep used ${String(idle)} ms of CPU`);
});
