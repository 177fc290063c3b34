import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { validateCoreEvent, validateEventsV1Event } from './event-strategies.ts';

const messages = (errs: ReturnType<typeof validateCoreEvent>): string[] =>
  errs.map(formatFieldError);

describe('core/v1 Event (legacy rules)', () => {
  const event = (ns: string, involved: JsonObject, extra: JsonObject = {}): JsonObject => ({
    metadata: { name: 'e', namespace: ns },
    involvedObject: involved,
    reason: 'Started',
    ...extra,
  });
  const cases: { name: string; event: JsonObject; want: string[] }[] = [
    { name: 'same namespace', event: event('a', { kind: 'Pod', namespace: 'a' }), want: [] },
    {
      name: 'cluster-scoped object in default',
      event: event('default', { kind: 'Node' }),
      want: [],
    },
    {
      name: 'namespace mismatch',
      event: event('a', { kind: 'Pod', namespace: 'b' }),
      want: ['involvedObject.namespace: Invalid value: "b": does not match event.namespace'],
    },
    {
      name: 'eventTime needs the reporting fields',
      event: event(
        'a',
        { kind: 'Pod', namespace: 'a' },
        { eventTime: '2024-05-01T10:00:00.000000Z' },
      ),
      want: [
        'reportingComponent: Required value',
        'reportingComponent: Invalid value: "": name part must be non-empty',
        `reportingComponent: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        'reportingInstance: Required value',
        'action: Required value',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(messages(validateCoreEvent(c.event)), c.want);
    });
});

describe('events.k8s.io/v1 Event', () => {
  it('needs eventTime and a type; deprecated fields stay unset', () => {
    const e: JsonObject = {
      metadata: { name: 'e', namespace: 'a' },
      regarding: { kind: 'Pod', namespace: 'a' },
      reason: 'Started',
      deprecatedCount: 2,
    };
    assert.deepEqual(messages(validateEventsV1Event(e)), [
      'eventTime: Required value',
      'type: Invalid value: "": has invalid value: ',
      'deprecatedCount: Invalid value: "": needs to be unset',
    ]);
    const ok: JsonObject = {
      metadata: { name: 'e', namespace: 'a' },
      regarding: { kind: 'Pod', namespace: 'a' },
      eventTime: '2024-05-01T10:00:00.000000Z',
      type: 'Normal',
      reason: 'Started',
      action: 'Start',
      reportingController: 'k8ts.io/kubelet',
      reportingInstance: 'node-1',
      note: 'started',
    };
    assert.deepEqual(messages(validateEventsV1Event(ok)), []);
  });
});
