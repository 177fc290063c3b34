/**
 * The Event printer (`printEvent`), shared by core/v1 and events.k8s.io/v1 Events exactly as
 * upstream serves both from one storage: an events.k8s.io object is first mapped to the core field
 * names the way the v1 -> internal conversion does (regarding, note, deprecated*, ...).
 */
import type { JsonObject, JsonValue } from '../json.ts';
import type { Printer } from '../resource.ts';
import { isZeroTime, timestampMs, translateTimestampSince } from './age.ts';
import { column, wideColumn } from './columns.ts';
import { nameOf, numberAt, objectAt, stringAt, valueAt } from './fields.ts';

/** The internal Event fields the printer reads, named as in core/v1 JSON. */
interface EventView {
  readonly name: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: JsonObject | undefined;
  readonly source: JsonObject | undefined;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly firstTimestamp: JsonValue | undefined;
  readonly lastTimestamp: JsonValue | undefined;
  readonly eventTime: JsonValue | undefined;
  readonly count: number;
  readonly series: JsonObject | undefined;
}

function coreEventView(ev: JsonObject): EventView {
  return {
    name: nameOf(ev),
    type: stringAt(ev, 'type'),
    reason: stringAt(ev, 'reason'),
    message: stringAt(ev, 'message'),
    involvedObject: objectAt(ev, 'involvedObject'),
    source: objectAt(ev, 'source'),
    reportingController: stringAt(ev, 'reportingComponent'),
    reportingInstance: stringAt(ev, 'reportingInstance'),
    firstTimestamp: valueAt(ev, 'firstTimestamp'),
    lastTimestamp: valueAt(ev, 'lastTimestamp'),
    eventTime: valueAt(ev, 'eventTime'),
    count: numberAt(ev, 'count'),
    series: objectAt(ev, 'series'),
  };
}

/** `Convert_v1_Event_To_core_Event` of pkg/apis/events/v1. */
function eventsV1View(ev: JsonObject): EventView {
  return {
    name: nameOf(ev),
    type: stringAt(ev, 'type'),
    reason: stringAt(ev, 'reason'),
    message: stringAt(ev, 'note'),
    involvedObject: objectAt(ev, 'regarding'),
    source: objectAt(ev, 'deprecatedSource'),
    reportingController: stringAt(ev, 'reportingController'),
    reportingInstance: stringAt(ev, 'reportingInstance'),
    firstTimestamp: valueAt(ev, 'deprecatedFirstTimestamp'),
    lastTimestamp: valueAt(ev, 'deprecatedLastTimestamp'),
    eventTime: valueAt(ev, 'eventTime'),
    count: numberAt(ev, 'deprecatedCount'),
    series: objectAt(ev, 'series'),
  };
}

/** Go's `strings.TrimSpace`: Unicode White_Space (includes U+0085, excludes U+FEFF unlike JS). */
const GO_SPACE =
  '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

export function goTrimSpace(s: string): string {
  return s.replace(TRIM_SPACE, '');
}

/** `formatEventSource`: component (else reportingController), ", host" (else instance) if any. */
function formatEventSource(ev: EventView): string {
  const component = stringAt(ev.source, 'component') || ev.reportingController;
  const instance = stringAt(ev.source, 'host') || ev.reportingInstance;
  return instance === '' ? component : `${component}, ${instance}`;
}

function eventCells(ev: EventView, now: Date): (string | number)[] {
  const first = timestampMs(ev.firstTimestamp);
  const firstTimestamp = isZeroTime(first)
    ? translateTimestampSince(timestampMs(ev.eventTime), now)
    : translateTimestampSince(first, now);

  const last = timestampMs(ev.lastTimestamp);
  let lastTimestamp = isZeroTime(last) ? firstTimestamp : translateTimestampSince(last, now);

  let count = ev.count;
  if (ev.series !== undefined) {
    lastTimestamp = translateTimestampSince(
      timestampMs(valueAt(ev.series, 'lastObservedTime')),
      now,
    );
    count = numberAt(ev.series, 'count');
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }

  const kind = stringAt(ev.involvedObject, 'kind').toLowerCase();
  const involvedName = stringAt(ev.involvedObject, 'name');
  const target = involvedName.length > 0 ? `${kind}/${involvedName}` : kind;

  return [
    lastTimestamp,
    ev.type,
    ev.reason,
    target,
    stringAt(ev.involvedObject, 'fieldPath'),
    formatEventSource(ev),
    goTrimSpace(ev.message),
    firstTimestamp,
    count,
    ev.name,
  ];
}

/** Upstream's order: the Name column is last and wide-only for Events. */
const EVENT_COLUMNS = [
  column('Last Seen', 'core/v1 Event.lastTimestamp'),
  column('Type', 'core/v1 Event.type'),
  column('Reason', 'core/v1 Event.reason'),
  column('Object', 'core/v1 Event.involvedObject'),
  wideColumn('Subobject', 'core/v1 ObjectReference.fieldPath'),
  wideColumn('Source', 'core/v1 Event.source'),
  column('Message', 'core/v1 Event.message'),
  wideColumn('First Seen', 'core/v1 Event.firstTimestamp'),
  wideColumn('Count', 'core/v1 Event.count'),
  wideColumn('Name', 'meta/v1 ObjectMeta.name', { format: 'name' }),
];

export const eventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  cells: (ev, now) => eventCells(coreEventView(ev), now),
};

export const eventsV1EventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  cells: (ev, now) => eventCells(eventsV1View(ev), now),
};
