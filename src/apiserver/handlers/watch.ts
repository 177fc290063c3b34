/**
 * A watch: newline-delimited JSON events (`{"type":…,"object":…}`), or one-row Tables for
 * `kubectl get -w`. Ends after `timeoutSeconds` (capped), when the client leaves, or with an
 * in-stream ERROR Status (410 Expired on compacted history) once the stream has started.
 */
import type { JsonObject } from '../../api/json.ts';
import { jsonText, objectField } from '../../api/json.ts';
import { ApiError, badRequest } from '../../api/status.ts';
import { watchResource } from '../registry/resource-watch.ts';
import { toTable, wantsTable } from '../table.ts';
import type { ResourceContext } from './context.ts';
import { queryFlag } from './context.ts';
import { parseReadOptions } from './list-options.ts';
import { compileSelectors } from './selectors.ts';

/** Upstream's --min-request-timeout is 1800 s; watches without timeoutSeconds get 30–60 min. */
const MAX_WATCH_SECONDS = 3600;

export async function handleWatch(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const q = ex.url.searchParams;
  const rawTimeout = q.get('timeoutSeconds');
  if (rawTimeout !== null && !/^\d{1,9}$/.test(rawTimeout))
    throw badRequest(`invalid timeoutSeconds: ${rawTimeout}`);
  const timeoutSeconds =
    rawTimeout === null
      ? 1800 + Math.floor(Math.random() * 1800)
      : Math.min(Number(rawTimeout), MAX_WATCH_SECONDS);
  const read = parseReadOptions(q, true);
  const filter = compileSelectors(def, q);
  const nameFilter = info.name;
  const accept = ex.header('accept');
  const asTable = wantsTable(accept);
  const ac = new AbortController();
  const timer = setTimeout(() => {
    ac.abort();
  }, timeoutSeconds * 1000);
  ex.onClose(() => {
    ac.abort();
  });
  const events = watchResource(services.store, def, {
    namespace: info.namespace,
    resourceVersion: read.resourceVersion,
    sendInitialEvents: read.sendInitialEvents,
    filter:
      nameFilter === undefined
        ? filter
        : (obj) =>
            objectField(obj, 'metadata')?.['name'] === nameFilter &&
            (filter === undefined || filter(obj)),
    allowBookmarks: queryFlag(q, 'allowWatchBookmarks'),
    bookmarkIntervalMs: services.bookmarkIntervalMs,
    signal: ac.signal,
  });
  const iterator = events[Symbol.asyncIterator]();
  // An object, not a variable: it flips inside a callback, which narrowing does not see.
  const stream = { started: false };
  try {
    // The first event (or the first error) decides between a stream and an error response,
    // so a 410 for a compacted resourceVersion is a proper HTTP status, as upstream.
    for (;;) {
      let next: IteratorResult<{ type: string; object: JsonObject }>;
      try {
        next = await iteratorNextOrStart(iterator, stream.started, () => {
          stream.started = true;
          ex.startStream('application/json');
        });
      } catch (err: unknown) {
        if (!stream.started) throw err;
        const status =
          err instanceof ApiError
            ? err.toStatus()
            : new ApiError(500, 'InternalError', 'watch failed').toStatus();
        await ex.writeLine(JSON.stringify({ type: 'ERROR', object: status }));
        break;
      }
      if (next.done === true) {
        if (!stream.started) {
          stream.started = true;
          ex.startStream('application/json');
        }
        break;
      }
      const e = next.value;
      const object =
        asTable && e.type !== 'BOOKMARK'
          ? toTable(
              def,
              [e.object],
              {
                resourceVersion: jsonText(objectField(e.object, 'metadata')?.['resourceVersion']),
              },
              accept,
              services.now(),
              false,
            )
          : e.object;
      await ex.writeLine(JSON.stringify({ type: e.type, object }));
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
    await iterator.return(undefined);
    // An error before the stream started propagates to the caller as an HTTP error response.
    if (stream.started) ex.end();
  }
}

/**
 * Waits for the next event; if none arrives within 50 ms of a fresh watch, sends the headers
 * anyway so the client sees the watch open (clients wait for headers before listening).
 */
async function iteratorNextOrStart<T>(
  iterator: AsyncIterator<T>,
  started: boolean,
  start: () => void,
): Promise<IteratorResult<T>> {
  if (started) return iterator.next();
  const pending = iterator.next();
  const timer = new Promise<'idle'>((resolve) =>
    setTimeout(() => {
      resolve('idle');
    }, 50),
  );
  const first = await Promise.race([pending, timer]);
  if (first !== 'idle') {
    start();
    return first;
  }
  start();
  return pending;
}
