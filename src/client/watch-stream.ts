/**
 * A watch response as an AsyncIterable of events: newline-delimited JSON
 * (`{"type":"ADDED","object":{...}}`), BOOKMARKs (only `metadata.resourceVersion` is
 * meaningful) and in-stream ERRORs, whose Status comes typed as an `ApiStatusError` (410 Expired
 * when the resourceVersion was compacted). Iteration ends when the server ends the stream, the
 * connection drops (as client-go's StreamWatcher treats EOF and resets), `close()` is called,
 * or the signal aborts; a line that is not a watch event throws `ClientProtocolError`.
 */
import type { ClientHttp2Stream } from 'node:http2';
import type { Readable } from 'node:stream';
import { ApiStatusError, ClientProtocolError, errorFromResponse } from './errors.ts';
import { CANCEL } from './http2-session-pool.ts';
import type { StatusObject } from './errors.ts';

export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: StatusObject; readonly error: ApiStatusError };

export interface WatchStream<T> extends AsyncIterable<WatchEvent<T>> {
  /** Ends the watch (cancels the HTTP/2 stream); iteration then ends. Idempotent. */
  close(): void;
}

const TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Decodes one line of a watch stream. */
export function decodeWatchLine<T>(line: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err: unknown) {
    throw new ClientProtocolError(`a watch event is not JSON: ${line.slice(0, 200)}`, {
      cause: err,
    });
  }
  const e = parsed as { type?: unknown; object?: unknown };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof e.type !== 'string' ||
    !TYPES.has(e.type) ||
    typeof e.object !== 'object' ||
    e.object === null
  ) {
    throw new ClientProtocolError(`not a watch event: ${line.slice(0, 200)}`);
  }
  if (e.type === 'ERROR') {
    const status = e.object as StatusObject;
    return { type: 'ERROR', object: status, error: new ApiStatusError(status, status.code ?? 500) };
  }
  return { type: e.type as 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: e.object as T };
}

/**
 * Wraps an open response stream. `cancel` ends the underlying request; it is called once, when
 * iteration stops for any reason.
 */
export function watchStream<T>(
  body: Readable,
  cancel: () => void,
  signal: AbortSignal,
): WatchStream<T> {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    cancel();
  };
  signal.addEventListener('abort', close, { once: true });
  async function* events(): AsyncGenerator<WatchEvent<T>> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          buffered += decoder.decode(chunk, { stream: true });
          for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
            const line = buffered.slice(0, i).trim();
            buffered = buffered.slice(i + 1);
            if (line !== '') yield decodeWatchLine<T>(line);
            if (closed) return;
          }
        }
      } catch (err: unknown) {
        if (err instanceof ClientProtocolError) throw err;
        // A reset or dropped connection ends the watch; the caller re-watches.
        return;
      }
      const rest = (buffered + decoder.decode()).trim();
      if (rest !== '' && !closed) yield decodeWatchLine<T>(rest);
    } finally {
      signal.removeEventListener('abort', close);
      close();
    }
  }
  const iterable = events();
  return {
    close,
    [Symbol.asyncIterator]: () => iterable,
  };
}

/**
 * The watch a response opened: 200 starts the event stream; any other status is the server's
 * error (read from the body, which the server ends).
 */
export async function openWatchStream<T>(
  status: number,
  stream: ClientHttp2Stream,
  signal: AbortSignal = new AbortController().signal,
): Promise<WatchStream<T>> {
  if (status !== 200) {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      // A reset while reading an error body: keep what arrived.
    }
    throw errorFromResponse(status, Buffer.concat(chunks));
  }
  const cancel = (): void => {
    if (!stream.destroyed) stream.close(CANCEL);
  };
  return watchStream<T>(stream, cancel, signal);
}
