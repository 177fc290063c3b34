/**
 * Watches one resource as upstream's watch semantics: with no resourceVersion (or "0") the
 * stream opens with a synthetic ADDED per existing object, then changes; with a
 * resourceVersion it sends every change after it, or fails with 410 Expired when compacted.
 * Selectors apply to both old and new state (an object that stops matching is DELETED for this
 * watcher), and idle streams get BOOKMARKs when asked. `sendInitialEvents` (WatchList) as
 * upstream's etcd3 watcher: true sends the current state (read at the latest revision, never
 * older than the resourceVersion given) then, with bookmarks allowed, a BOOKMARK annotated
 * `k8s.io/initial-events-end: "true"` at the revision it was read at; false with no
 * resourceVersion starts at the latest revision without initial events. Served from the store's
 * own watch, so every API server replica streams the same events with the same resourceVersions.
 */
import type { JsonObject } from '../../api/json.ts';
import { groupVersion } from '../../api/resource.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import type { Store } from '../../storage/store.ts';
import { decodeObject, prefixFor } from './object-codec.ts';
import { assertNotInFuture, currentRevision, listResource } from './resource-list.ts';
import { parseResourceVersion } from './resource-store.ts';
import { toApiError } from './store-error.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface ApiWatchEvent {
  readonly type: WatchEventType;
  readonly object: JsonObject;
}

export interface WatchRequest {
  readonly namespace?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly filter?: ((obj: JsonObject) => boolean) | undefined;
  readonly allowBookmarks?: boolean;
  /** WatchList's sendInitialEvents; unset keeps the legacy meaning of resourceVersion ""/"0". */
  readonly sendInitialEvents?: boolean | undefined;
  /** How long a stream may be idle before a BOOKMARK. Default: 10 s. */
  readonly bookmarkIntervalMs?: number;
  readonly signal: AbortSignal;
}

export async function* watchResource(
  store: Store,
  def: ResourceDefinition,
  req: WatchRequest,
): AsyncGenerator<ApiWatchEvent> {
  const gr = { group: def.group, resource: def.plural };
  const matches = (obj: JsonObject): boolean => req.filter === undefined || req.filter(obj);
  let since: number;
  const rv = req.resourceVersion;
  const fromNow = rv === undefined || rv === '' || rv === '0';
  const bookmarks = req.allowBookmarks === true;
  const send = req.sendInitialEvents;
  if (send === true || (send === undefined && fromNow)) {
    // NotOlderThan: a resourceVersion the store has not reached yet is refused, as a list's.
    if (!fromNow) await assertNotInFuture(store, parseResourceVersion(rv), gr);
    // Initial state, then changes after the revision it was read at.
    const initial = await listResource(store, def, {
      namespace: req.namespace,
      filter: req.filter,
    });
    for (const obj of initial.items) yield { type: 'ADDED', object: obj };
    since = Number(initial.resourceVersion);
    if (send === true && bookmarks) {
      yield {
        type: 'BOOKMARK',
        object: bookmark(def, since, { [INITIAL_EVENTS_END_ANNOTATION]: 'true' }),
      };
    }
  } else if (fromNow) {
    // sendInitialEvents=false without a resourceVersion: changes from the latest revision on.
    since = await currentRevision(store, gr);
  } else {
    since = parseResourceVersion(rv);
  }
  try {
    for await (const e of store.watch(prefixFor(def, req.namespace), {
      sinceRevision: since,
      signal: req.signal,
      progressIntervalMs: bookmarks ? (req.bookmarkIntervalMs ?? 10_000) : 0,
    })) {
      if (e.type === 'PROGRESS') {
        if (bookmarks) {
          yield { type: 'BOOKMARK', object: bookmark(def, e.revision) };
        }
        continue;
      }
      const prev =
        e.type === 'ADDED' || e.prev === undefined
          ? undefined
          : decodeObject(e.prev, e.prev.modRevision, def);
      const prevMatched = prev !== undefined && matches(prev);
      if (e.type === 'DELETED') {
        const last = decodeObject(e.kv, e.kv.modRevision, def);
        if (prev === undefined ? matches(last) : prevMatched)
          yield { type: 'DELETED', object: last };
        continue;
      }
      const obj = decodeObject(e.kv, e.kv.modRevision, def);
      const nowMatches = matches(obj);
      if (e.type === 'ADDED') {
        if (nowMatches) yield { type: 'ADDED', object: obj };
      } else if (nowMatches) {
        yield { type: prevMatched || prev === undefined ? 'MODIFIED' : 'ADDED', object: obj };
      } else if (prevMatched) {
        yield { type: 'DELETED', object: obj };
      }
    }
  } catch (err: unknown) {
    const apiErr = toApiError(err, gr, '');
    if (apiErr.reason === 'Expired') {
      apiErr.message = `too old resource version: ${String(since)}`;
    }
    throw apiErr;
  }
}

/** Upstream's metav1.InitialEventsAnnotationKey. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

function bookmark(
  def: ResourceDefinition,
  revision: number,
  annotations?: Record<string, string>,
): JsonObject {
  return {
    kind: def.kind,
    apiVersion: groupVersion(def),
    metadata: {
      resourceVersion: String(revision),
      ...(annotations === undefined ? {} : { annotations }),
    },
  };
}
