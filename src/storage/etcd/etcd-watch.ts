/**
 * Store.watch over etcd: events under a prefix after `sinceRevision`, each exactly once and in
 * revision order, across silent re-connections to other members (a broken stream is re-opened
 * from the revision after the last one received, which etcd replays without gap or duplicate).
 * A stream that cannot be re-opened within `dialTimeoutMs` ends the watch with
 * StoreUnavailableError; a compacted start revision ends it with StoreGoneError at once.
 * Streams require a leader (etcd-require-leader.ts): a member cut off from the quorum ends its
 * streams ("no leader") within a few election timeouts and refuses new ones, so the watch moves
 * to a member of the majority instead of going silent on a partitioned one.
 *
 * PROGRESS: after `progressIntervalMs` without events the watch yields the highest revision
 * known to be fully delivered: the last event's, or the last *timed* progress notification of
 * etcd (`progress_notify`), whichever is higher. Timed notifications travel through the
 * watcher's own event channel and go only to synced watchers, so every event at or below their
 * revision was sent before them. They come at the server's pace
 * (`--experimental-watch-progress-notify-interval`, 10 min by default: k8ts' etcd members and
 * the test harness set it much shorter); until one comes, PROGRESS repeats the last event's
 * revision, which is correct but does not advance. On-demand progress requests
 * (WatchProgressRequest) are not used: before etcd 3.4.24/3.5.8 their answer can overtake events
 * still queued for the stream (etcd issue #15220), and Debian 12 ships etcd 3.4.23.
 */
import type { Etcd3, IEvent } from 'etcd3';
import { StoreClosedError, StoreGoneError, StoreUnavailableError } from '../errors.ts';
import type { StoreError } from '../errors.ts';
import type { WatchEvent, WatchOptions } from '../store.ts';
import { errorMessage, sleep } from './etcd-call.ts';
import { toRevision } from './etcd-keys.ts';
import type { KeyCodec } from './etcd-keys.ts';
import { WatchSession } from './etcd-watch-session.ts';
import type { SessionEnd } from './etcd-watch-session.ts';
import { WatchInbox } from './etcd-watch-inbox.ts';
import type { ChangeEvent } from './etcd-watch-inbox.ts';

export interface WatchContext {
  readonly client: Etcd3;
  readonly codec: KeyCodec;
  readonly dialTimeoutMs: number;
  /** Aborted when the store closes: the watch then throws StoreClosedError. */
  readonly closed: AbortSignal;
}

/** Sessions that fail within this long of being created count as flapping. */
const SHORT_SESSION_MS = 1_000;
/** After this many flapping sessions in a row the watch gives up (StoreUnavailableError). */
const MAX_SHORT_SESSIONS = 20;
const MAX_RECONNECT_BACKOFF_MS = 500;

/** Events under `prefix` with revision > `sinceRevision`; see the module comment. */
export async function* watchPrefix(
  ctx: WatchContext,
  prefix: string,
  sinceRevision: number,
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const { signal } = options;
  const intervalMs = options.progressIntervalMs ?? 0;
  const inbox = new WatchInbox();
  const stop = new AbortController();
  // Both an abort and a close stop the stream at once and wake the consumer, which then ends
  // cleanly (abort) or throws StoreClosedError (close).
  const interrupt = (): void => {
    stop.abort();
    inbox.interrupt();
  };
  signal.addEventListener('abort', interrupt);
  ctx.closed.addEventListener('abort', interrupt);
  const pumping = pump(ctx, prefix, sinceRevision, inbox, stop.signal);
  /** Every event at or below this revision has been yielded. */
  let delivered = sinceRevision;
  try {
    for (;;) {
      if (signal.aborted) return;
      if (ctx.closed.aborted) throw new StoreClosedError();
      const item = inbox.take();
      if (item === undefined) {
        if ((await inbox.wait(intervalMs)) === 'timeout') {
          yield { type: 'PROGRESS', revision: delivered };
        }
        continue;
      }
      switch (item.type) {
        case 'error':
          throw item.error;
        case 'progress':
          delivered = Math.max(delivered, item.revision);
          break;
        case 'events':
          for (const event of item.events) {
            // (a function call: TS would keep the narrowing from the loop's top across yields)
            if (isAborted(signal)) return;
            delivered = Math.max(delivered, event.kv.modRevision);
            yield event;
          }
          break;
      }
    }
  } finally {
    stop.abort();
    signal.removeEventListener('abort', interrupt);
    ctx.closed.removeEventListener('abort', interrupt);
    await pumping;
  }
}

/**
 * Feeds the inbox from one session after another until stopped or failed for good. Never
 * rejects: every failure becomes an error item.
 */
async function pump(
  ctx: WatchContext,
  prefix: string,
  sinceRevision: number,
  inbox: WatchInbox,
  stop: AbortSignal,
): Promise<void> {
  const range = ctx.codec.range(prefix);
  /** Everything at or below this revision has been received (events or progress). */
  let received = sinceRevision;
  let failingSince: number | undefined;
  let shortSessions = 0;
  let backoffMs = 25;
  try {
    for (;;) {
      const startedAt = Date.now();
      const session = new WatchSession(
        ctx.client,
        { key: range.key, rangeEnd: range.rangeEnd, startRevision: received + 1 },
        {
          onEvents: (events) => {
            const converted = events.map((e) => toWatchEvent(ctx.codec, e));
            const last = converted[converted.length - 1];
            if (last !== undefined) received = Math.max(received, last.kv.modRevision);
            inbox.push({ type: 'events', events: converted }, session.stream);
          },
          onProgress: (revision) => {
            received = Math.max(received, revision);
            inbox.push({ type: 'progress', revision }, session.stream);
          },
        },
      );
      const end: SessionEnd = await session.run(
        stop,
        (failingSince ?? startedAt) + ctx.dialTimeoutMs,
      );
      switch (end.kind) {
        case 'stopped':
          return;
        case 'compacted':
          fail(inbox, new StoreGoneError(received, end.compactRevision));
          return;
        case 'failed':
          break;
      }
      if (stop.aborted) return;
      if (end.established) {
        backoffMs = 25;
        failingSince = Date.now();
        shortSessions = Date.now() - startedAt < SHORT_SESSION_MS ? shortSessions + 1 : 0;
      } else {
        failingSince ??= startedAt;
      }
      if (Date.now() - failingSince >= ctx.dialTimeoutMs || shortSessions > MAX_SHORT_SESSIONS) {
        fail(
          inbox,
          new StoreUnavailableError(
            `etcd watch of ${prefix} lost its stream and could not re-open it: ${errorMessage(end.error)}`,
            { cause: end.error },
          ),
        );
        return;
      }
      await sleep(backoffMs, stop);
      backoffMs = Math.min(backoffMs * 2, MAX_RECONNECT_BACKOFF_MS);
    }
  } catch (err: unknown) {
    fail(
      inbox,
      new StoreUnavailableError(`etcd watch failed: ${errorMessage(err)}`, { cause: err }),
    );
  }
}

function fail(inbox: WatchInbox, error: StoreError): void {
  inbox.push({ type: 'error', error }, undefined);
}

/** etcd's event as a Store event: DELETED carries the last value and the delete's revision. */
export function toWatchEvent(codec: KeyCodec, e: IEvent): ChangeEvent {
  const prevKv = absentAsUndefined(e.prev_kv);
  const prev = prevKv === undefined ? undefined : codec.keyValue(prevKv);
  if (e.type === 'Delete') {
    const modRevision = toRevision(e.kv.mod_revision);
    const kv =
      prev === undefined
        ? { key: codec.unwire(e.kv.key), value: new Uint8Array(0), createRevision: 0, modRevision }
        : { ...prev, modRevision };
    return { type: 'DELETED', kv, prev };
  }
  const kv = codec.keyValue(e.kv);
  if (kv.createRevision === kv.modRevision) return { type: 'ADDED', kv };
  return { type: 'MODIFIED', kv, prev };
}

/** The etcd3 client leaves an absent message field as null, whatever its types say. */
function absentAsUndefined<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
