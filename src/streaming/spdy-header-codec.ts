/**
 * SPDY/3 header-block compression: one zlib stream per direction and connection, primed with the
 * SPDY/3 dictionary, each block ending on a sync flush. Outgoing blocks are written as stored
 * (uncompressed) deflate blocks: valid zlib that any SPDY peer inflates, with no zlib state here
 * and no CPU spent on a few hundred bytes per stream. Incoming blocks go through one Node
 * inflate stream, strictly in order (`decompress` calls must not overlap; the connection
 * serializes them).
 */
import { createInflate, constants as zlibConstants } from 'node:zlib';
import type { Inflate } from 'node:zlib';
import { SpdyProtocolError } from './spdy-frames.ts';

/** The header names and values of the SPDY/3 dictionary, each written length-prefixed. */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset',
  'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow', 'authorization',
  'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language',
  'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date',
  'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma',
  'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public',
  'set-cookie', 'keep-alive', 'origin',
]; // prettier-ignore

/** Then common values, concatenated without prefixes (SPDY/3 draft §2.6.10.1). */
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request' +
  '401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented' +
  '503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ' +
  'Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,' +
  'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=' +
  'gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY_HEADER_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length, 0);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const STORED_MAX = 0xffff;

/** BFINAL 0 and BTYPE 00 (stored) padded to a byte, then LEN and its one's complement. */
function storedBlockHeader(length: number): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(length, 1);
  head.writeUInt16LE(~length & 0xffff, 3);
  return head;
}

/** Compresses outgoing header blocks (see the module header for why blocks are stored). */
export class HeaderCompressor {
  #started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.#started) {
      // CMF 0x78 (deflate, 32 KiB window), FLG 0xbb (FDICT set, check bits), then the DICTID.
      const header = Buffer.from([0x78, 0xbb, 0, 0, 0, 0]);
      header.writeUInt32BE(adler32(SPDY_HEADER_DICTIONARY), 2);
      parts.push(header);
      this.#started = true;
    }
    for (let offset = 0; offset < block.length; offset += STORED_MAX) {
      const chunk = block.subarray(offset, offset + STORED_MAX);
      parts.push(storedBlockHeader(chunk.length), chunk);
    }
    // End on an empty stored block, as zlib's Z_SYNC_FLUSH does: Go's inflater hands out what a
    // stored block carried only when the next block header arrives, and an inflater that finds
    // the frame's bytes exhausted there fails for good.
    parts.push(storedBlockHeader(0));
    return Buffer.concat(parts);
  }
}

/** Inflates incoming header blocks, one continuous zlib stream per connection. */
export class HeaderDecompressor {
  readonly #inflate: Inflate;
  readonly #out: Buffer[] = [];
  #error: Error | undefined;
  /** Bounds one block's inflated size (a zlib bomb ends the connection, not the process). */
  readonly #maxBlockBytes: number;

  constructor(maxBlockBytes = 1 << 20) {
    this.#maxBlockBytes = maxBlockBytes;
    this.#inflate = createInflate({ dictionary: SPDY_HEADER_DICTIONARY });
    this.#inflate.on('data', (chunk: Buffer) => this.#out.push(chunk));
    this.#inflate.on('error', (err: Error) => {
      this.#error = err;
    });
  }

  decompress(block: Buffer): Promise<Buffer> {
    if (this.#error !== undefined) return Promise.reject(this.#wrap(this.#error));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(this.#wrap(err));
      };
      this.#inflate.once('error', onError);
      this.#inflate.write(block);
      this.#inflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
        this.#inflate.off('error', onError);
        const out = Buffer.concat(this.#out);
        this.#out.length = 0;
        if (this.#error !== undefined) reject(this.#wrap(this.#error));
        else if (out.length > this.#maxBlockBytes)
          reject(new SpdyProtocolError('header block too large'));
        else resolve(out);
      });
    });
  }

  close(): void {
    this.#inflate.destroy();
  }

  #wrap(err: Error): SpdyProtocolError {
    return new SpdyProtocolError(`header block does not inflate: ${err.message}`);
  }
}
