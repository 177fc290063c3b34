import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import {
  SpdyFrameParser,
  SpdyProtocolError,
  decodeHeaderBlock,
  encodeDataFrame,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeSynStream,
} from './spdy-frames.ts';
import {
  HeaderCompressor,
  HeaderDecompressor,
  SPDY_HEADER_DICTIONARY,
  adler32,
} from './spdy-header-codec.ts';

test('frames round-trip through the parser, split at any byte', () => {
  const bytes = Buffer.concat([
    encodeSynStream(1, Buffer.from('hdr'), { priority: 3 }),
    encodeSynReply(1, Buffer.from('rep'), true),
    encodeDataFrame(1, Buffer.from('hello'), false),
    encodeDataFrame(3, Buffer.alloc(0), true),
    encodeRstStream(5, 3),
    encodePing(7),
    encodeGoAway(9, 2),
    // SETTINGS with no entries: read and ignored.
    Buffer.from([0x80, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0]),
  ]);
  for (const split of [1, 3, 8, 13, bytes.length]) {
    const parser = new SpdyFrameParser();
    const frames = [];
    for (let i = 0; i < bytes.length; i += split)
      frames.push(...parser.push(bytes.subarray(i, i + split)));
    assert.deepEqual(
      frames.map((f) => f.type),
      ['syn_stream', 'syn_reply', 'data', 'data', 'rst_stream', 'ping', 'goaway', 'ignored'],
    );
    const [syn, reply, data, fin, rst, ping, goaway] = frames;
    assert.deepEqual(syn, {
      type: 'syn_stream',
      streamId: 1,
      associatedStreamId: 0,
      priority: 3,
      fin: false,
      headerBlock: Buffer.from('hdr'),
    });
    assert.deepEqual(reply, {
      type: 'syn_reply',
      streamId: 1,
      fin: true,
      headerBlock: Buffer.from('rep'),
    });
    assert.deepEqual(data, { type: 'data', streamId: 1, fin: false, data: Buffer.from('hello') });
    assert.deepEqual(fin, { type: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) });
    assert.deepEqual(rst, { type: 'rst_stream', streamId: 5, status: 3 });
    assert.deepEqual(ping, { type: 'ping', id: 7 });
    assert.deepEqual(goaway, { type: 'goaway', lastGoodStreamId: 9, status: 2 });
  }
});

test('bad frames are protocol errors', () => {
  assert.throws(
    () => new SpdyFrameParser().push(encodeDataFrame(0, Buffer.from('x'), false)),
    SpdyProtocolError,
  );
  const v2 = encodePing(1);
  v2.writeUInt16BE(0x8002, 0);
  assert.throws(() => new SpdyFrameParser().push(v2), /unsupported SPDY version 2/);
  const short = Buffer.from([0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0, 1]);
  assert.throws(() => new SpdyFrameParser().push(short), /too short/);
});

test('header blocks keep multi-valued headers (NUL-joined) and lower-case names', () => {
  const block = encodeHeaderBlock(
    new Map<string, readonly string[]>([
      ['StreamType', ['stdout']],
      ['x-multi', ['a', 'b']],
    ]),
  );
  assert.deepEqual(
    decodeHeaderBlock(block),
    new Map([
      ['streamtype', ['stdout']],
      ['x-multi', ['a', 'b']],
    ]),
  );
  assert.throws(() => decodeHeaderBlock(block.subarray(0, 10)), /truncated/);
});

test('the SPDY/3 dictionary is the one Go spdystream uses (1423 bytes, adler32)', () => {
  assert.equal(SPDY_HEADER_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY_HEADER_DICTIONARY), 3821447106);
});

test('compressed blocks are one zlib stream that zlib inflates with the dictionary', () => {
  const c = new HeaderCompressor();
  const big = Buffer.alloc(70_000, 'x');
  const stream = Buffer.concat([
    c.compress(Buffer.from('first')),
    c.compress(big),
    c.compress(Buffer.alloc(0)),
  ]);
  const out = inflateSync(stream, {
    dictionary: SPDY_HEADER_DICTIONARY,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  assert.equal(out.length, 5 + big.length);
  assert.equal(out.subarray(0, 5).toString(), 'first');
  // Each block ends on an empty stored block, as a zlib sync flush does; Go's inflater needs it
  // (checked against containerd's streaming server).
  assert.deepEqual(c.compress(Buffer.from('x')).subarray(-5), Buffer.from([0, 0, 0, 0xff, 0xff]));
});

test('the decompressor keeps one context across blocks (as a Go peer compresses them)', async () => {
  const deflate = createDeflate({ dictionary: SPDY_HEADER_DICTIONARY });
  const chunks: Buffer[] = [];
  deflate.on('data', (b: Buffer) => chunks.push(b));
  const flush = (b: Buffer): Promise<Buffer> =>
    new Promise((resolve) => {
      deflate.write(b);
      deflate.flush(constants.Z_SYNC_FLUSH, () => {
        resolve(Buffer.concat(chunks.splice(0)));
      });
    });
  const h1 = encodeHeaderBlock(new Map([['streamtype', ['error']]]));
  const h2 = encodeHeaderBlock(new Map([['streamtype', ['stdout']]]));
  const b1 = await flush(h1);
  const b2 = await flush(h2);
  deflate.destroy();
  const d = new HeaderDecompressor();
  assert.deepEqual(await d.decompress(b1), h1);
  assert.deepEqual(await d.decompress(b2), h2);
  d.close();
  const bad = new HeaderDecompressor();
  await assert.rejects(bad.decompress(Buffer.from('not zlib at all')), SpdyProtocolError);
  bad.close();
});
