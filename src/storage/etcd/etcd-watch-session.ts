/**
 * One gRPC Watch stream carrying one etcd watcher over a key range, from one start revision.
 * It reports each response in stream order (events, progress notifications) and settles once
 * with how the stream ended. It never reconnects: EtcdWatch decides that. A watcher that is not
 * created before `dialDeadline` ends the session as failed, so opening can never hang. The
 * stream requires a leader (etcd-require-leader.ts): on a member that lost the quorum the
 * session fails within a few election timeouts instead of going silent.
 */
import type { Etcd3, IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import { toRevision } from './etcd-keys.ts';
import { REQUIRE_LEADER } from './etcd-require-leader.ts';

export type SessionEnd =
  /** The caller stopped the session. */
  | { readonly kind: 'stopped' }
  /** etcd cancelled the watcher because its start revision is compacted. */
  | { readonly kind: 'compacted'; readonly compactRevision: number }
  /** The stream broke, the member cancelled the watcher, or it was not created in time. */
  | { readonly kind: 'failed'; readonly error: unknown; readonly established: boolean };

export interface SessionRequest {
  readonly key: Buffer;
  readonly rangeEnd: Buffer;
  /** First revision to deliver (inclusive). */
  readonly startRevision: number;
}

export interface SessionHandlers {
  /** The events of one response (never empty), in revision order. */
  readonly onEvents: (events: readonly IEvent[]) => void;
  /**
   * A progress notification: every event up to `revision` in the range was sent before it.
   * Sent by etcd's timed `progress_notify` only to watchers that are synced (caught up).
   */
  readonly onProgress: (revision: number) => void;
}

/** Flow control on the underlying Node stream, when it offers it (grpc-js streams do). */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

export class WatchSession {
  /** The stream, once opened; used for flow control by the owner. */
  stream: (IDuplexStream<IWatchRequest, IWatchResponse> & Partial<Pausable>) | undefined;
  readonly #client: Etcd3;
  readonly #request: SessionRequest;
  readonly #handlers: SessionHandlers;

  constructor(client: Etcd3, request: SessionRequest, handlers: SessionHandlers) {
    this.#client = client;
    this.#request = request;
    this.#handlers = handlers;
  }

  /** Runs the session until it ends; never rejects. */
  async run(stop: AbortSignal, dialDeadline: number): Promise<SessionEnd> {
    if (stop.aborted) return { kind: 'stopped' };
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    try {
      // A member cut off from the quorum then ends the stream ("no leader") instead of
      // leaving it silent, and refuses to open one: EtcdWatch re-opens it on another member.
      stream = await this.#client.watchClient.watch(REQUIRE_LEADER);
    } catch (err: unknown) {
      return { kind: 'failed', error: err, established: false };
    }
    this.stream = stream;
    return await new Promise<SessionEnd>((resolve) => {
      let established = false;
      let ended = false;
      const finish = (end: SessionEnd): void => {
        if (ended) return;
        ended = true;
        clearTimeout(dialTimer);
        stop.removeEventListener('abort', onStop);
        // Half-close first: the etcd3 client then does not count our own cancel as a failure
        // of the member (it resets a member's connections on stream errors while writable).
        try {
          stream.end();
          stream.cancel();
        } catch {
          // the stream is already closed
        }
        resolve(end);
      };
      const onStop = (): void => {
        finish({ kind: 'stopped' });
      };
      const dialTimer = setTimeout(
        () => {
          finish({
            kind: 'failed',
            error: new Error('etcd did not create the watcher in time'),
            established: false,
          });
        },
        Math.max(0, dialDeadline - Date.now()),
      );
      stop.addEventListener('abort', onStop, { once: true });
      if (stop.aborted) {
        onStop(); // stopped while the stream was being opened
        return;
      }
      stream.on('data', (res: IWatchResponse) => {
        if (ended) return;
        const compactRevision = toRevision(res.compact_revision);
        if (res.canceled || compactRevision > 0) {
          finish(
            compactRevision > 0
              ? { kind: 'compacted', compactRevision }
              : {
                  kind: 'failed',
                  error: new Error(`etcd cancelled the watcher: ${res.cancel_reason}`),
                  established,
                },
          );
          return;
        }
        if (res.created) {
          established = true;
          clearTimeout(dialTimer);
          return;
        }
        try {
          if (res.events.length > 0) this.#handlers.onEvents(res.events);
          else if (established) this.#handlers.onProgress(toRevision(res.header.revision));
        } catch (err: unknown) {
          // A response we cannot read (never seen in practice): drop the stream, not the process.
          finish({ kind: 'failed', error: err, established });
        }
      });
      stream.on('error', (err: Error) => {
        finish({ kind: 'failed', error: err, established });
      });
      stream.on('end', () => {
        finish({ kind: 'failed', error: new Error('etcd ended the watch stream'), established });
      });
      stream.write({
        create_request: {
          key: this.#request.key,
          range_end: this.#request.rangeEnd,
          start_revision: this.#request.startRevision,
          prev_kv: true,
          progress_notify: true,
        },
      });
    });
  }
}
