import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../json.ts';
import { eventPrinter, eventsV1EventPrinter, goTrimSpace } from './event-printer.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * 86_400_000).toISOString();
/** MicroTime, as `eventTime` and `series.lastObservedTime` are serialized. */
const microDaysAgo = (days: number): string => daysAgo(days).replace(/\.(\d{3})Z$/, '.$1000Z');

const deployment = {
  kind: 'Deployment',
  name: 'Deployment Name',
  fieldPath: 'spec.containers{foo}',
};

// TestPrintEvent of printers_test.go (all cells, as the server prints wide). Columns: Last Seen,
// Type, Reason, Object, Subobject, Source, Message, First Seen, Count, Name.
const coreCases: { name: string; event: JsonObject; want: readonly (string | number)[] }[] = [
  {
    name: 'basic event',
    event: {
      metadata: { name: 'event1' },
      source: { component: 'kubelet' },
      involvedObject: { kind: 'Pod', name: 'Pod Name', fieldPath: 'spec.containers{foo}' },
      reason: 'Event Reason',
      message: 'Message Data',
      firstTimestamp: daysAgo(3),
      lastTimestamp: daysAgo(2),
      count: 6,
      type: 'Normal',
    },
    want: [
      '2d',
      'Normal',
      'Event Reason',
      'pod/Pod Name',
      'spec.containers{foo}',
      'kubelet',
      'Message Data',
      '3d',
      6,
      'event1',
    ],
  },
  {
    name: 'basic event with a source host',
    event: {
      metadata: { name: 'event2' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: deployment,
      reason: 'Event Reason',
      message: 'Message Data',
      firstTimestamp: daysAgo(3),
      lastTimestamp: daysAgo(2),
      count: 6,
      type: 'Warning',
    },
    want: [
      '2d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      6,
      'event2',
    ],
  },
  {
    name: 'without firstTimestamp: eventTime',
    event: {
      metadata: { name: 'event3' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: deployment,
      reason: 'Event Reason',
      message: 'Message Data',
      eventTime: microDaysAgo(3),
      lastTimestamp: daysAgo(3),
      count: 1,
      type: 'Warning',
    },
    want: [
      '3d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      1,
      'event3',
    ],
  },
  {
    name: 'without lastTimestamp: first seen',
    event: {
      metadata: { name: 'event4' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: deployment,
      reason: 'Event Reason',
      message: 'Message Data',
      eventTime: microDaysAgo(3),
      firstTimestamp: daysAgo(3),
      count: 1,
      type: 'Warning',
    },
    want: [
      '3d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      1,
      'event4',
    ],
  },
  {
    name: 'without first and last timestamps',
    event: {
      metadata: { name: 'event5' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: deployment,
      reason: 'Event Reason',
      message: 'Message Data',
      eventTime: microDaysAgo(3),
      firstTimestamp: null,
      lastTimestamp: null,
      count: 1,
      type: 'Warning',
    },
    want: [
      '3d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      1,
      'event5',
    ],
  },
  {
    name: 'series without timestamps and count',
    event: {
      metadata: { name: 'event6' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: deployment,
      series: { count: 2, lastObservedTime: microDaysAgo(2) },
      reason: 'Event Reason',
      message: 'Message Data',
      eventTime: microDaysAgo(3),
      type: 'Warning',
    },
    want: [
      '2d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      2,
      'event6',
    ],
  },
  {
    name: 'singleton without timestamps and count',
    event: {
      metadata: { name: 'event7' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: deployment,
      reason: 'Event Reason',
      message: 'Message Data',
      eventTime: microDaysAgo(3),
      type: 'Warning',
    },
    want: [
      '3d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      1,
      'event7',
    ],
  },
  {
    name: 'empty source: reportingComponent and reportingInstance',
    event: {
      metadata: { name: 'event2' },
      reportingComponent: 'kubelet',
      reportingInstance: 'test',
      involvedObject: deployment,
      reason: 'Event Reason',
      message: 'Message Data',
      firstTimestamp: daysAgo(3),
      lastTimestamp: daysAgo(2),
      count: 6,
      type: 'Warning',
    },
    want: [
      '2d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, test',
      'Message Data',
      '3d',
      6,
      'event2',
    ],
  },
  {
    name: 'cluster-scoped object without a name; message trimmed',
    event: {
      metadata: { name: 'n1.17d' },
      involvedObject: { kind: 'Node' },
      reason: 'Starting',
      message: '  \u0085Starting kubelet.\n',
      firstTimestamp: '2024-06-01T11:59:15Z',
      lastTimestamp: '2024-06-01T11:59:15Z',
      count: 1,
      type: 'Normal',
    },
    want: ['45s', 'Normal', 'Starting', 'node', '', '', 'Starting kubelet.', '45s', 1, 'n1.17d'],
  },
  {
    name: 'no timestamps at all',
    event: { metadata: { name: 'bare' } },
    want: ['<unknown>', '', '', '', '', '', '', '<unknown>', 1, 'bare'],
  },
];

describe('eventPrinter (core/v1)', () => {
  for (const c of coreCases) {
    test(c.name, () => {
      assert.deepEqual(eventPrinter.cells(c.event, NOW), c.want);
    });
  }
});

// The same rows from events.k8s.io/v1 field names (regarding, note, deprecated*).
const eventsV1Cases: { name: string; event: JsonObject; want: readonly (string | number)[] }[] = [
  {
    name: 'new-style event with series',
    event: {
      metadata: { name: 'event6' },
      regarding: deployment,
      series: { count: 2, lastObservedTime: microDaysAgo(2) },
      reason: 'Event Reason',
      note: 'Message Data',
      eventTime: microDaysAgo(3),
      reportingController: 'kubelet',
      reportingInstance: 'Node1',
      type: 'Warning',
    },
    want: [
      '2d',
      'Warning',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      2,
      'event6',
    ],
  },
  {
    name: 'deprecated fields written by a core/v1 client',
    event: {
      metadata: { name: 'event1' },
      regarding: { kind: 'Pod', name: 'Pod Name', fieldPath: 'spec.containers{foo}' },
      reason: 'Event Reason',
      note: 'Message Data',
      deprecatedSource: { component: 'kubelet' },
      deprecatedFirstTimestamp: daysAgo(3),
      deprecatedLastTimestamp: daysAgo(2),
      deprecatedCount: 6,
      type: 'Normal',
    },
    want: [
      '2d',
      'Normal',
      'Event Reason',
      'pod/Pod Name',
      'spec.containers{foo}',
      'kubelet',
      'Message Data',
      '3d',
      6,
      'event1',
    ],
  },
];

describe('eventsV1EventPrinter (events.k8s.io/v1)', () => {
  for (const c of eventsV1Cases) {
    test(c.name, () => {
      assert.deepEqual(eventsV1EventPrinter.cells(c.event, NOW), c.want);
    });
  }
});

test('event columns: upstream order, Name last and wide-only', () => {
  assert.deepEqual(
    eventPrinter.columns.map((c) => [c.name, c.format, c.priority]),
    [
      ['Last Seen', '', 0],
      ['Type', '', 0],
      ['Reason', '', 0],
      ['Object', '', 0],
      ['Subobject', '', 1],
      ['Source', '', 1],
      ['Message', '', 0],
      ['First Seen', '', 1],
      ['Count', '', 1],
      ['Name', 'name', 1],
    ],
  );
  assert.equal(eventsV1EventPrinter.columns, eventPrinter.columns);
  assert.equal(
    eventPrinter.columns[2]?.description,
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  );
});

test('goTrimSpace trims what Go trims', () => {
  assert.equal(goTrimSpace('\t x \u00a0\u3000'), 'x');
  assert.equal(goTrimSpace('\u0085x\u0085'), 'x');
  assert.equal(goTrimSpace('\ufeffx'), '\ufeffx');
});
