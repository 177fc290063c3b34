/**
 * SPDY/3.1 framing as Kubernetes speaks it (moby/spdystream over Go's old net/spdy framer): the
 * 8-byte control and data frame headers, the frames remotecommand and port-forward use, and the
 * name/value header block (before compression, see spdy-header-codec.ts). Pure: bytes in,
 * frames out, and back. `SpdyFrameParser` never buffers more than one frame past a limit.
 *
 *   control: |1| version(15) | type(16) | flags(8) | length(24) | payload...
 *   data:    |0| stream-id(31)           | flags(8) | length(24) | payload...
 */

export const SPDY_VERSION = 3;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes (SPDY/3 §2.6.3). */
export const RST_PROTOCOL_ERROR = 1;
export const RST_REFUSED_STREAM = 3;
export const RST_CANCEL = 5;

/** Frames larger than this are a protocol error (spdystream's MaxDataLength is 2^24-1). */
export const MAX_FRAME_PAYLOAD = 0xffffff;

const TYPE_SYN_STREAM = 1;
const TYPE_SYN_REPLY = 2;
const TYPE_RST_STREAM = 3;
const TYPE_SETTINGS = 4;
const TYPE_PING = 6;
const TYPE_GOAWAY = 7;
const TYPE_HEADERS = 8;
const TYPE_WINDOW_UPDATE = 9;

/** A decoded frame; header blocks stay compressed (`headerBlock`). */
export type SpdyFrame =
  | {
      readonly type: 'data';
      readonly streamId: number;
      readonly fin: boolean;
      readonly data: Buffer;
    }
  | {
      readonly type: 'syn_stream';
      readonly streamId: number;
      readonly associatedStreamId: number;
      readonly priority: number;
      readonly fin: boolean;
      readonly headerBlock: Buffer;
    }
  | {
      readonly type: 'syn_reply' | 'headers';
      readonly streamId: number;
      readonly fin: boolean;
      readonly headerBlock: Buffer;
    }
  | { readonly type: 'rst_stream'; readonly streamId: number; readonly status: number }
  | { readonly type: 'ping'; readonly id: number }
  | { readonly type: 'goaway'; readonly lastGoodStreamId: number; readonly status: number }
  | { readonly type: 'window_update'; readonly streamId: number; readonly delta: number }
  /** SETTINGS and frame types SPDY/3.1 does not define: read and ignored, as spdystream does. */
  | { readonly type: 'ignored'; readonly frameType: number };

export class SpdyProtocolError extends Error {
  readonly code = 'SPDY_PROTOCOL_ERROR';
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

function controlHeader(type: number, flags: number, length: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | length, 4);
  return h;
}

export function encodeDataFrame(streamId: number, data: Buffer, fin: boolean): Buffer {
  if (data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError('data frame too large');
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([h, data]);
}

export function encodeSynStream(
  streamId: number,
  headerBlock: Buffer,
  options: { fin?: boolean; priority?: number; associatedStreamId?: number } = {},
): Buffer {
  const body = Buffer.alloc(10);
  body.writeUInt32BE(streamId & 0x7fffffff, 0);
  body.writeUInt32BE((options.associatedStreamId ?? 0) & 0x7fffffff, 4);
  body[8] = ((options.priority ?? 0) & 0x7) << 5;
  body[9] = 0; // slot
  const length = body.length + headerBlock.length;
  return Buffer.concat([
    controlHeader(TYPE_SYN_STREAM, options.fin === true ? FLAG_FIN : 0, length),
    body,
    headerBlock,
  ]);
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff, 0);
  return Buffer.concat([
    controlHeader(TYPE_SYN_REPLY, fin ? FLAG_FIN : 0, 4 + headerBlock.length),
    id,
    headerBlock,
  ]);
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b.writeUInt32BE(status, 4);
  return Buffer.concat([controlHeader(TYPE_RST_STREAM, 0, 8), b]);
}

export function encodePing(id: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(id >>> 0, 0);
  return Buffer.concat([controlHeader(TYPE_PING, 0, 4), b]);
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  b.writeUInt32BE(status, 4);
  return Buffer.concat([controlHeader(TYPE_GOAWAY, 0, 8), b]);
}

/**
 * The uncompressed name/value block: a 32-bit count, then length-prefixed lower-case names and
 * values; several values of one name are joined by NUL, as spdystream writes them.
 */
export function encodeHeaderBlock(headers: ReadonlyMap<string, readonly string[]>): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(headers.size, 0);
  parts.push(count);
  for (const [name, values] of headers) {
    for (const s of [name.toLowerCase(), values.join('\0')]) {
      const bytes = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length, 0);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Parses a decompressed name/value block; names come back lower-cased. */
export function decodeHeaderBlock(block: Buffer): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let offset = 0;
  const u32 = (): number => {
    if (offset + 4 > block.length) throw new SpdyProtocolError('truncated header block');
    const v = block.readUInt32BE(offset);
    offset += 4;
    return v;
  };
  const str = (): string => {
    const n = u32();
    if (offset + n > block.length) throw new SpdyProtocolError('truncated header block');
    const s = block.toString('utf8', offset, offset + n);
    offset += n;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = str().toLowerCase();
    const values = str().split('\0');
    out.set(name, [...(out.get(name) ?? []), ...values]);
  }
  return out;
}

/** Splits a byte stream into frames; call `push` with each chunk as it arrives. */
export class SpdyFrameParser {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.#buffer.length >= 8) {
      const length = this.#buffer.readUInt32BE(4) & 0xffffff;
      if (this.#buffer.length < 8 + length) break;
      const frame = this.#buffer.subarray(0, 8 + length);
      this.#buffer = this.#buffer.subarray(8 + length);
      frames.push(decodeFrame(frame));
    }
    return frames;
  }
}

function decodeFrame(frame: Buffer): SpdyFrame {
  const first = frame.readUInt32BE(0);
  const flags = frame[4] ?? 0;
  const payload = frame.subarray(8);
  const fin = (flags & FLAG_FIN) !== 0;
  if ((first & 0x80000000) === 0) {
    const streamId = first & 0x7fffffff;
    if (streamId === 0) throw new SpdyProtocolError('data frame on stream 0');
    return { type: 'data', streamId, fin, data: Buffer.from(payload) };
  }
  const version = (first >>> 16) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = first & 0xffff;
  const need = (n: number): void => {
    if (payload.length < n) throw new SpdyProtocolError(`control frame ${type} too short`);
  };
  switch (type) {
    case TYPE_SYN_STREAM:
      need(10);
      return {
        type: 'syn_stream',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        associatedStreamId: payload.readUInt32BE(4) & 0x7fffffff,
        priority: (payload[8] ?? 0) >> 5,
        fin,
        headerBlock: Buffer.from(payload.subarray(10)),
      };
    case TYPE_SYN_REPLY:
    case TYPE_HEADERS:
      need(4);
      return {
        type: type === TYPE_SYN_REPLY ? 'syn_reply' : 'headers',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        fin,
        headerBlock: Buffer.from(payload.subarray(4)),
      };
    case TYPE_RST_STREAM:
      need(8);
      return {
        type: 'rst_stream',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        status: payload.readUInt32BE(4),
      };
    case TYPE_PING:
      need(4);
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case TYPE_GOAWAY:
      need(4);
      return {
        type: 'goaway',
        lastGoodStreamId: payload.readUInt32BE(0) & 0x7fffffff,
        status: payload.length >= 8 ? payload.readUInt32BE(4) : 0,
      };
    case TYPE_WINDOW_UPDATE:
      need(8);
      return {
        type: 'window_update',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        delta: payload.readUInt32BE(4) & 0x7fffffff,
      };
    case TYPE_SETTINGS:
    default:
      return { type: 'ignored', frameType: type };
  }
}
