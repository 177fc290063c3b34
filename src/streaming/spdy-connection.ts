/**
 * A SPDY/3.1 session over an upgraded socket, as moby/spdystream runs it for Kubernetes: the
 * client opens odd streams (SYN_STREAM, waits for SYN_REPLY), the server answers; DATA with FIN
 * half-closes; RST_STREAM ends a stream; PINGs are echoed; GOAWAY or a closed socket ends every
 * stream. Each stream is a Node Duplex (readable: the peer's data, writable: ours; `end()` sends
 * FIN). Like spdystream, no flow-control windows are enforced or sent (WINDOW_UPDATE is
 * ignored); back-pressure is the socket's: a stream whose reader lags pauses the whole session.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  RST_CANCEL,
  RST_PROTOCOL_ERROR,
  RST_REFUSED_STREAM,
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
import type { SpdyFrame } from './spdy-frames.ts';
import { HeaderCompressor, HeaderDecompressor } from './spdy-header-codec.ts';

export type SpdyRole = 'client' | 'server';

export interface SpdyConnectionOptions {
  /** `client` (sent the upgrade request) opens odd stream ids, `server` even ones. */
  readonly role: SpdyRole;
  /** How long `createStream` waits for the SYN_REPLY. Default: 30,000 ms (client-go's). */
  readonly streamReplyTimeoutMs?: number;
  /** Send a PING this often to keep idle sessions open; 0 for none. Default: 0. */
  readonly pingIntervalMs?: number;
  /** Server role: called with each stream the peer opens (reply or reset it). Default: refuse. */
  readonly onStream?: (stream: SpdyStream) => void;
}

export class SpdyStreamError extends Error {
  readonly code: 'SPDY_STREAM_RESET' | 'SPDY_STREAM_TIMEOUT' | 'SPDY_CONNECTION_CLOSED';
  constructor(code: SpdyStreamError['code'], message: string) {
    super(message);
    this.name = 'SpdyStreamError';
    this.code = code;
  }
}

type HeaderInput = Readonly<Record<string, string | readonly string[]>>;

function toHeaderMap(headers: HeaderInput): Map<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(headers))
    map.set(k.toLowerCase(), typeof v === 'string' ? [v] : v);
  return map;
}

/** One SPDY stream: read the peer's bytes, write ours, `end()` to half-close. */
export class SpdyStream extends Duplex {
  readonly id: number;
  /** The headers it was opened with (ours for streams we opened, the peer's otherwise). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly #session: SpdyConnection;
  #replied: boolean;
  #remoteFinished = false;
  #localFinished = false;
  #reset = false;

  constructor(
    session: SpdyConnection,
    id: number,
    headers: ReadonlyMap<string, readonly string[]>,
    replied: boolean,
  ) {
    super({ allowHalfOpen: true });
    // Resets surface as 'error' on the stream; whoever uses it listens, and an unobserved reset
    // must not take the process down.
    this.on('error', () => undefined);
    this.#session = session;
    this.id = id;
    this.headers = headers;
    this.#replied = replied;
  }

  /** The first value of a header (names are lower-case). */
  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  /** Server role: accept the stream (SYN_REPLY). */
  reply(headers: HeaderInput = {}): void {
    if (this.#replied || this.#reset) return;
    this.#replied = true;
    this.#session.sendReply(this.id, headers);
  }

  /** Ends the stream at once in both directions (RST_STREAM CANCEL). */
  reset(status = RST_CANCEL): void {
    if (this.#reset) return;
    this.#reset = true;
    this.#session.sendReset(this.id, status);
    this.#session.forget(this.id);
    this.destroy();
  }

  get isFinished(): boolean {
    return this.#reset || (this.#remoteFinished && this.#localFinished);
  }

  override _read(): void {
    this.#session.resumeReading();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error) => void): void {
    if (this.#reset) {
      callback(new SpdyStreamError('SPDY_STREAM_RESET', `stream ${this.id} was reset`));
      return;
    }
    this.#session.sendData(this.id, chunk, false, callback);
  }

  override _final(callback: (err?: Error) => void): void {
    this.#localFinished = true;
    if (this.#reset) {
      callback();
      return;
    }
    this.#session.sendData(this.id, Buffer.alloc(0), true, callback);
    if (this.#remoteFinished) this.#session.forget(this.id);
  }

  /** Frames from the session. */
  receiveData(data: Buffer, fin: boolean): void {
    if (data.length > 0 && !this.push(data)) this.#session.pauseReading();
    if (fin) this.receiveFin();
  }

  receiveFin(): void {
    if (this.#remoteFinished) return;
    this.#remoteFinished = true;
    this.push(null);
    if (this.#localFinished) this.#session.forget(this.id);
  }

  receiveReset(): void {
    if (this.#reset) return;
    this.#reset = true;
    this.#session.forget(this.id);
    this.destroy(
      new SpdyStreamError('SPDY_STREAM_RESET', `stream ${this.id} was reset by the peer`),
    );
  }

  markReplied(): void {
    this.#replied = true;
  }
}

interface PendingReply {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class SpdyConnection extends EventEmitter {
  readonly #socket: Duplex;
  readonly #o: SpdyConnectionOptions;
  readonly #parser = new SpdyFrameParser();
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #streams = new Map<number, SpdyStream>();
  readonly #pendingReplies = new Map<number, PendingReply>();
  #nextStreamId: number;
  #lastPeerStreamId = 0;
  #nextPingId: number;
  #frames: Promise<void> = Promise.resolve();
  #goneAway = false;
  #closed = false;
  #pingTimer: NodeJS.Timeout | undefined;
  /** Settles once the socket is closed. */
  readonly closed: Promise<void>;

  constructor(socket: Duplex, options: SpdyConnectionOptions) {
    super();
    this.#socket = socket;
    this.#o = options;
    this.#nextStreamId = options.role === 'client' ? 1 : 2;
    this.#nextPingId = options.role === 'client' ? 1 : 2;
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#onClosed();
        resolve();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      this.#onBytes(chunk);
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
    const ping = options.pingIntervalMs ?? 0;
    if (ping > 0) {
      this.#pingTimer = setInterval(() => {
        this.#write(encodePing(this.#nextPingId));
        this.#nextPingId += 2;
        if (this.#nextPingId > 0x7ffffffe) this.#nextPingId -= 0x7ffffffe;
      }, ping);
      this.#pingTimer.unref();
    }
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Opens a stream and resolves once the peer replied (SYN_REPLY). */
  async createStream(headers: HeaderInput): Promise<SpdyStream> {
    if (this.#closed || this.#goneAway)
      throw new SpdyStreamError('SPDY_CONNECTION_CLOSED', 'the SPDY connection is closed');
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    const map = toHeaderMap(headers);
    const stream = new SpdyStream(this, id, map, false);
    this.#streams.set(id, stream);
    const replied = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pendingReplies.delete(id);
        stream.reset();
        reject(new SpdyStreamError('SPDY_STREAM_TIMEOUT', `no reply to stream ${id} in time`));
      }, this.#o.streamReplyTimeoutMs ?? 30_000);
      this.#pendingReplies.set(id, { resolve, reject, timer });
    });
    this.#write(encodeSynStream(id, this.#compressor.compress(encodeHeaderBlock(map))));
    await replied;
    return stream;
  }

  /** Says GOAWAY and closes the socket once written. */
  close(): void {
    if (this.#closed) return;
    if (!this.#goneAway) {
      this.#goneAway = true;
      this.#write(encodeGoAway(this.#lastPeerStreamId));
    }
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  sendReply(id: number, headers: HeaderInput): void {
    this.#write(
      encodeSynReply(id, this.#compressor.compress(encodeHeaderBlock(toHeaderMap(headers)))),
    );
  }

  sendReset(id: number, status: number): void {
    this.#write(encodeRstStream(id, status));
  }

  sendData(id: number, data: Buffer, fin: boolean, callback: (err?: Error) => void): void {
    if (this.#closed) {
      // A FIN on a closed session is moot; data that cannot be sent is an error.
      callback(
        data.length === 0 && fin
          ? undefined
          : new SpdyStreamError('SPDY_CONNECTION_CLOSED', 'the SPDY connection is closed'),
      );
      return;
    }
    if (this.#write(encodeDataFrame(id, data, fin))) callback();
    else
      this.#socket.once('drain', () => {
        callback();
      });
  }

  forget(id: number): void {
    this.#streams.delete(id);
  }

  pauseReading(): void {
    this.#socket.pause();
  }

  resumeReading(): void {
    if (!this.#closed) this.#socket.resume();
  }

  #write(frame: Buffer): boolean {
    if (this.#closed || this.#socket.writableEnded) return true;
    return this.#socket.write(frame);
  }

  #onBytes(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.#parser.push(chunk);
    } catch (err: unknown) {
      this.#fail(err);
      return;
    }
    for (const frame of frames) {
      // Header blocks inflate asynchronously; frames are handled strictly in arrival order.
      this.#frames = this.#frames
        .then(() => this.#handle(frame))
        .catch((err: unknown) => {
          this.#fail(err);
        });
    }
  }

  #fail(err: unknown): void {
    this.emit('protocolError', err instanceof Error ? err : new SpdyProtocolError(String(err)));
    if (!this.#closed) this.#write(encodeGoAway(this.#lastPeerStreamId, RST_PROTOCOL_ERROR));
    this.#socket.destroy();
  }

  async #handle(frame: SpdyFrame): Promise<void> {
    if (this.#closed) return;
    switch (frame.type) {
      case 'data': {
        this.#streams.get(frame.streamId)?.receiveData(frame.data, frame.fin);
        return;
      }
      case 'syn_reply': {
        await this.#decompressor.decompress(frame.headerBlock);
        const stream = this.#streams.get(frame.streamId);
        const pending = this.#pendingReplies.get(frame.streamId);
        if (pending !== undefined) {
          clearTimeout(pending.timer);
          this.#pendingReplies.delete(frame.streamId);
          stream?.markReplied();
          pending.resolve();
        }
        if (frame.fin) stream?.receiveFin();
        return;
      }
      case 'headers': {
        await this.#decompressor.decompress(frame.headerBlock);
        if (frame.fin) this.#streams.get(frame.streamId)?.receiveFin();
        return;
      }
      case 'syn_stream': {
        const headers = decodeHeaderBlock(await this.#decompressor.decompress(frame.headerBlock));
        this.#acceptStream(frame.streamId, headers, frame.fin);
        return;
      }
      case 'rst_stream': {
        const pending = this.#pendingReplies.get(frame.streamId);
        if (pending !== undefined) {
          clearTimeout(pending.timer);
          this.#pendingReplies.delete(frame.streamId);
          pending.reject(
            new SpdyStreamError('SPDY_STREAM_RESET', `stream ${frame.streamId} was refused`),
          );
        }
        this.#streams.get(frame.streamId)?.receiveReset();
        return;
      }
      case 'ping': {
        // Odd ids are the client's: echo the peer's pings, ignore the replies to ours.
        const ours = (frame.id % 2 === 1) === (this.#o.role === 'client');
        if (!ours) this.#write(encodePing(frame.id));
        return;
      }
      case 'goaway':
        this.#goneAway = true;
        return;
      case 'window_update':
      case 'ignored':
        return;
    }
  }

  #acceptStream(id: number, headers: Map<string, string[]>, fin: boolean): void {
    const expectedParity = this.#o.role === 'client' ? 0 : 1;
    const onStream = this.#o.onStream;
    if (id % 2 !== expectedParity || id <= this.#lastPeerStreamId) {
      this.#write(encodeRstStream(id, RST_PROTOCOL_ERROR));
      return;
    }
    this.#lastPeerStreamId = id;
    if (onStream === undefined || this.#goneAway) {
      this.#write(encodeRstStream(id, RST_REFUSED_STREAM));
      return;
    }
    const stream = new SpdyStream(this, id, headers, false);
    this.#streams.set(id, stream);
    if (fin) stream.receiveFin();
    onStream(stream);
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    this.#decompressor.close();
    for (const [id, pending] of this.#pendingReplies) {
      clearTimeout(pending.timer);
      pending.reject(
        new SpdyStreamError(
          'SPDY_CONNECTION_CLOSED',
          `connection closed before stream ${id} replied`,
        ),
      );
    }
    this.#pendingReplies.clear();
    // What the peer sent is complete (still readable from each stream); writes now fail.
    for (const stream of this.#streams.values()) stream.receiveFin();
    this.#streams.clear();
    this.emit('close');
  }
}
