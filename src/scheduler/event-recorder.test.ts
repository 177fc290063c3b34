import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../client/index.ts';
import { SchedulerEventRecorder } from './event-recorder.ts';
import type { EventSink } from './event-recorder.ts';
import { makePod } from './test-builders.ts';

/** A sink whose writes wait until released; records what was written, at most how many at once. */
class SlowSink {
  readonly written: KubeObject[] = [];
  inFlight = 0;
  maxInFlight = 0;
  fail = false;
  #waiting: (() => void)[] = [];
  readonly create: EventSink['create'] = <T extends KubeObject>(_ref: unknown, body: T) => {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push(() => {
        this.inFlight--;
        if (this.fail) reject(new Error('API down'));
        else {
          this.written.push(body);
          resolve(body);
        }
      });
    });
  };
  releaseAll(): void {
    const w = this.#waiting;
    this.#waiting = [];
    for (const f of w) f();
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SchedulerEventRecorder', () => {
  test('writes a few at a time, drops past the queue limit, flush waits for the rest', async () => {
    const sink = new SlowSink();
    const logged: string[] = [];
    const rec = new SchedulerEventRecorder(sink, 'default-scheduler', (_l, m) => logged.push(m), {
      maxQueued: 10,
      maxInFlight: 2,
    });
    for (let i = 0; i < 15; i++)
      rec.event(
        makePod(`p${String(i)}`),
        'Normal',
        'Scheduled',
        `Successfully assigned p${String(i)}`,
      );
    assert.equal(sink.inFlight, 2);
    assert.equal(rec.dropped, 3, '2 in flight + 10 queued, the last 3 dropped');
    assert.deepEqual(logged, ['event queue full; dropping events']);
    const flushing = rec.flush();
    for (let i = 0; i < 10; i++) {
      sink.releaseAll();
      await tick();
    }
    await flushing;
    assert.equal(sink.written.length, 12);
    assert.ok(sink.maxInFlight <= 2);
    const first = sink.written[0] as { reason?: string; involvedObject?: { name?: string } };
    assert.equal(first.reason, 'Scheduled');
    assert.equal(first.involvedObject?.name, 'p0');
  });

  test('a failed write is logged, never thrown; flush on an idle recorder returns at once', async () => {
    const sink = new SlowSink();
    sink.fail = true;
    const logged: string[] = [];
    const rec = new SchedulerEventRecorder(sink, 'default-scheduler', (_l, m) => logged.push(m));
    await rec.flush();
    rec.event(makePod('p'), 'Warning', 'FailedScheduling', '0/1 nodes are available');
    const flushing = rec.flush();
    sink.releaseAll();
    await flushing;
    assert.deepEqual(logged, ['failed to record event']);
  });
});
