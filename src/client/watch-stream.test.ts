import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ApiStatusError, ClientProtocolError } from './errors.ts';
import { decodeWatchLine, watchStream } from './watch-stream.ts';
import type { WatchEvent } from './watch-stream.ts';
import type { KubeObject } from './resource-ref.ts';

async function collect(events: AsyncIterable<WatchEvent<KubeObject>>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of events)
    out.push(
      e.type === 'ERROR'
        ? `ERROR ${e.error.reason}`
        : `${e.type} ${e.object.metadata?.name ?? ''}`.trim(),
    );
  return out;
}

describe('watch stream', () => {
  it('decodes lines split across chunks (multi-byte characters included) until the end', async () => {
    const body = new PassThrough();
    let cancelled = 0;
    const stream = watchStream<KubeObject>(body, () => cancelled++, new AbortController().signal);
    const line1 = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'é-1' } } });
    const buf = Buffer.from(
      `${line1}\n{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n`,
    );
    body.write(buf.subarray(0, 40));
    body.write(buf.subarray(40, 41));
    body.end(buf.subarray(41));
    assert.deepEqual(await collect(stream), ['ADDED é-1', 'BOOKMARK']);
    assert.equal(cancelled, 1);
  });

  it('ends quietly when the connection drops', async () => {
    const body = new PassThrough();
    const stream = watchStream<KubeObject>(body, () => undefined, new AbortController().signal);
    body.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
    setImmediate(() => body.destroy(new Error('ECONNRESET')));
    assert.deepEqual(await collect(stream), ['ADDED a']);
  });

  it('ends when closed or aborted', async () => {
    const ac = new AbortController();
    const body = new PassThrough();
    const stream = watchStream<KubeObject>(body, () => body.destroy(), ac.signal);
    const done = collect(stream);
    ac.abort();
    assert.deepEqual(await done, []);
  });

  it('types ERROR events as ApiStatusError', () => {
    const e = decodeWatchLine(
      JSON.stringify({
        type: 'ERROR',
        object: {
          kind: 'Status',
          status: 'Failure',
          code: 410,
          reason: 'Expired',
          message: 'too old resource version: 1 (5)',
        },
      }),
    );
    if (e.type !== 'ERROR') assert.fail(`got ${e.type}`);
    assert.ok(e.error instanceof ApiStatusError);
    assert.equal(e.error.statusCode, 410);
    assert.equal(e.error.reason, 'Expired');
  });

  it('rejects lines that are not watch events', async () => {
    for (const line of ['not json', '{"type":"NOPE","object":{}}', '{"type":"ADDED"}'])
      assert.throws(() => decodeWatchLine(line), ClientProtocolError);
    const body = new PassThrough();
    const stream = watchStream<KubeObject>(body, () => undefined, new AbortController().signal);
    body.end('garbage\n');
    await assert.rejects(collect(stream), ClientProtocolError);
  });
});
