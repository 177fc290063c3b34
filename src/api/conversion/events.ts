/**
 * events.k8s.io/v1 Events and core/v1 Events are one object stored once, as upstream stores
 * them (pkg/apis/events/v1 conversion): the events.k8s.io view renames fields (`regarding` is
 * `involvedObject`, `note` is `message`, `deprecatedCount` is `count`, ...). Pure and lossless
 * for every field both versions have.
 */
import type { JsonObject } from '../json.ts';

/** [events.k8s.io/v1 field, core/v1 field]; fields with the same name in both are not listed. */
const RENAMES: readonly (readonly [string, string])[] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(
  obj: JsonObject,
  pairs: readonly (readonly [string, string])[],
  apiVersion: string,
): JsonObject {
  const out: JsonObject = {};
  const map = new Map(pairs);
  for (const [k, v] of Object.entries(obj)) out[map.get(k) ?? k] = v;
  out['apiVersion'] = apiVersion;
  out['kind'] = 'Event';
  return out;
}

/** The stored (core/v1) form of an events.k8s.io/v1 Event. */
export function eventsV1ToCore(obj: JsonObject): JsonObject {
  return rename(obj, RENAMES, 'v1');
}

/** The events.k8s.io/v1 view of a stored (core/v1) Event. */
export function coreToEventsV1(obj: JsonObject): JsonObject {
  return rename(
    obj,
    RENAMES.map(([a, b]) => [b, a] as const),
    'events.k8s.io/v1',
  );
}
