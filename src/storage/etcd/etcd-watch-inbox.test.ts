import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../errors.ts';
import type { ChangeEvent } from './etcd-watch-inbox.ts';
import { WatchInbox } from './etcd-watch-inbox.ts';

function added(revision: number): ChangeEvent {
  return {
    type: 'ADDED',
    kv: {
      key: `/k${String(revision)}`,
      value: new Uint8Array(0),
      createRevision: revision,
      modRevision: revision,
    },
  };
}

function fakeStream(): { pause: () => void; resume: () => void; paused: boolean } {
  const s = {
    paused: false,
    pause: () => {
      s.paused = true;
    },
    resume: () => {
      s.paused = false;
    },
  };
  return s;
}

describe('WatchInbox', () => {
  it('hands items out in order', () => {
    const inbox = new WatchInbox();
    inbox.push({ type: 'events', events: [added(1), added(2)] }, undefined);
    inbox.push({ type: 'progress', revision: 5 }, undefined);
    inbox.push({ type: 'error', error: new StoreUnavailableError('gone') }, undefined);
    assert.deepEqual(
      [inbox.take()?.type, inbox.take()?.type, inbox.take()?.type, inbox.take()],
      ['events', 'progress', 'error', undefined],
    );
  });

  it('pauses the stream past the high-water mark and resumes it once drained', () => {
    const inbox = new WatchInbox();
    const stream = fakeStream();
    let revision = 0;
    for (let i = 0; i < 60; i++) {
      const events = Array.from({ length: 100 }, () => added(++revision));
      inbox.push({ type: 'events', events }, stream);
    }
    const isPaused = (): boolean => stream.paused;
    const pending = (): number => inbox.pendingEvents;
    assert.ok(isPaused());
    assert.equal(pending(), 6000);
    let taken = 0;
    while (isPaused() && taken < 100) {
      inbox.take();
      taken++;
    }
    assert.ok(!isPaused());
    assert.ok(pending() < 500);
  });

  it('wait resolves on a push, and with "timeout" when nothing came', async () => {
    const inbox = new WatchInbox();
    assert.equal(await inbox.wait(10), 'timeout');
    const waiting = inbox.wait(5_000);
    inbox.push({ type: 'progress', revision: 1 }, undefined);
    assert.equal(await waiting, 'woken');
  });
});
