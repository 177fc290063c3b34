import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coreToEventsV1, eventsV1ToCore } from './events.ts';

describe('events.k8s.io/v1 <-> core/v1 Event', () => {
  const core = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'd' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'd' },
    reason: 'Scheduled',
    message: 'Successfully assigned d/p to n1',
    source: { component: 'default-scheduler' },
    firstTimestamp: '2026-01-01T00:00:00Z',
    lastTimestamp: '2026-01-01T00:00:01Z',
    count: 2,
    type: 'Normal',
    reportingComponent: 'default-scheduler',
    reportingInstance: 'cp1',
  };
  it('renames fields as upstream converts them, both ways, losslessly', () => {
    const v1 = coreToEventsV1(core);
    assert.deepEqual(v1, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'd' },
      regarding: { kind: 'Pod', name: 'p', namespace: 'd' },
      reason: 'Scheduled',
      note: 'Successfully assigned d/p to n1',
      deprecatedSource: { component: 'default-scheduler' },
      deprecatedFirstTimestamp: '2026-01-01T00:00:00Z',
      deprecatedLastTimestamp: '2026-01-01T00:00:01Z',
      deprecatedCount: 2,
      type: 'Normal',
      reportingController: 'default-scheduler',
      reportingInstance: 'cp1',
    });
    assert.deepEqual(eventsV1ToCore(v1), core);
  });
});
