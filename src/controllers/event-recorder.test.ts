// Events as client-go's recorder writes them, against a real API server on a fake clock:
// a repeat bumps count, 10+ distinct messages for one (object, type, reason) within 10 minutes
// are combined into one Event, and the per-object spam filter drops floods.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.d.ts';
import { FakeClock } from '../client/index.ts';
import type { KubeObject, RestClient } from '../client/index.ts';
import { newControllerFixture } from '../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../test/harness/controller-fixture.ts';
import { RESOURCES } from './controller.ts';
import { ApiEventRecorder } from './event-recorder.ts';

describe('ApiEventRecorder', () => {
  let f: ControllerFixture;
  let client: RestClient;
  before(async () => {
    f = await newControllerFixture({ nodes: [] });
    client = f.client;
  });
  after(async () => {
    await f.stop();
  });

  const owner = (name: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
  });
  const eventsOf = async (name: string): Promise<Event[]> =>
    (await client.list<Event>({ ...RESOURCES.events, namespace: 'default' })).items
      .filter((e) => e.involvedObject.name === name)
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const recorder = (clock: FakeClock, burst?: number): ApiEventRecorder =>
    new ApiEventRecorder({
      client,
      component: 'replicaset-controller',
      clock,
      ...(burst === undefined ? {} : { burst }),
      log: () => undefined,
    });

  it('writes upstream’s shape; a repeat bumps count and lastTimestamp', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const r = recorder(clock);
    r.event(owner('a'), 'Normal', 'SuccessfulCreate', 'Created pod: a-1');
    clock.step(5_000);
    r.event(owner('a'), 'Normal', 'SuccessfulCreate', 'Created pod: a-1');
    await r.flush();
    const [e, ...rest] = await eventsOf('a');
    assert.equal(rest.length, 0);
    assert.deepEqual(
      [e?.type, e?.reason, e?.message, e?.count, e?.source?.component, e?.reportingComponent],
      [
        'Normal',
        'SuccessfulCreate',
        'Created pod: a-1',
        2,
        'replicaset-controller',
        'replicaset-controller',
      ],
    );
    assert.deepEqual(
      [e?.involvedObject.kind, e?.involvedObject.uid, e?.firstTimestamp, e?.lastTimestamp],
      ['ReplicaSet', 'uid-a', '2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z'],
    );
    assert.match(e?.metadata.name ?? '', /^a\.[0-9a-f]+$/);
  });

  it('combines the 10th and later distinct messages of one reason into one Event', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const r = recorder(clock);
    for (let i = 1; i <= 12; i++) {
      r.event(owner('b'), 'Normal', 'SuccessfulCreate', `Created pod: b-${String(i)}`);
      clock.step(1_000);
    }
    // Another reason is counted apart.
    r.event(owner('b'), 'Normal', 'SuccessfulDelete', 'Deleted pod: b-1');
    await r.flush();
    const events = await eventsOf('b');
    const creates = events.filter((e) => e.reason === 'SuccessfulCreate');
    const single = creates.filter((e) => !(e.message ?? '').startsWith('(combined'));
    const combined = creates.filter((e) => (e.message ?? '').startsWith('(combined'));
    assert.equal(single.length, 9);
    assert.deepEqual(
      combined.map((e) => [e.message, e.count]),
      [['(combined from similar events): Created pod: b-12', 3]],
    );
    assert.equal(events.filter((e) => e.reason === 'SuccessfulDelete').length, 1);
  });

  it('starts over when 10 minutes pass between similar events', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const r = recorder(clock);
    for (let i = 1; i <= 9; i++)
      r.event(owner('c'), 'Warning', 'FailedCreate', `Error creating: ${String(i)}`);
    clock.step(600_001);
    r.event(owner('c'), 'Warning', 'FailedCreate', 'Error creating: 10');
    await r.flush();
    const events = await eventsOf('c');
    assert.equal(events.length, 10);
    assert.ok(events.every((e) => !(e.message ?? '').startsWith('(combined')));
  });

  it('drops a flood beyond the per-object burst, refilling over time', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const r = recorder(clock, 3);
    for (let i = 0; i < 5; i++) r.event(owner('d'), 'Normal', 'Reason', 'same');
    await r.flush();
    assert.equal((await eventsOf('d'))[0]?.count, 3);
    clock.step(300_000);
    r.event(owner('d'), 'Normal', 'Reason', 'same');
    await r.flush();
    assert.equal((await eventsOf('d'))[0]?.count, 4);
  });

  it('takes an ObjectReference as the involvedObject: per-container events, one spam budget per pod', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const r = recorder(clock, 3);
    const container = (name: string): ObjectReference => ({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'e',
      namespace: 'default',
      uid: 'uid-e',
      fieldPath: `spec.containers{${name}}`,
    });
    r.event(container('a'), 'Warning', 'Unhealthy', 'Readiness probe failed: x');
    r.event(container('b'), 'Warning', 'Unhealthy', 'Readiness probe failed: x');
    r.event(container('a'), 'Warning', 'Unhealthy', 'Readiness probe failed: x');
    // The burst of 3 is the pod's, whatever the container: this one is dropped.
    r.event(container('b'), 'Warning', 'Unhealthy', 'Readiness probe failed: x');
    await r.flush();
    const events = await eventsOf('e');
    assert.deepEqual(
      events
        .map((e) => [e.involvedObject.fieldPath, e.involvedObject.uid, e.count])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      [
        ['spec.containers{a}', 'uid-e', 2],
        ['spec.containers{b}', 'uid-e', 1],
      ],
    );
  });
});
