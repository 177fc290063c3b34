import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus } from 'kubernetes-types/core/v1.d.ts';
import { podPhase } from './pod-phase.ts';
import { newPod } from './pod-fixtures.test-support.ts';

const cs = (
  state: NonNullable<ContainerStatus['state']>,
  lastState?: ContainerStatus['lastState'],
): ContainerStatus => ({
  name: 'app',
  image: 'x',
  imageID: '',
  ready: false,
  restartCount: 0,
  state,
  ...(lastState === undefined ? {} : { lastState }),
});

describe('podPhase (upstream getPhase)', () => {
  const cases: {
    name: string;
    policy?: string;
    statuses: ContainerStatus[];
    terminal?: boolean;
    want: string;
  }[] = [
    {
      name: 'waiting without history is Pending',
      statuses: [cs({ waiting: { reason: 'ContainerCreating' } })],
      want: 'Pending',
    },
    { name: 'running is Running', statuses: [cs({ running: {} })], want: 'Running' },
    {
      name: 'crash-looping (waiting after a termination) stays Running',
      statuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1 } })],
      want: 'Running',
    },
    {
      name: 'Never + exit 0 is Succeeded',
      policy: 'Never',
      statuses: [cs({ terminated: { exitCode: 0 } })],
      want: 'Succeeded',
    },
    {
      name: 'Never + exit 1 is Failed',
      policy: 'Never',
      statuses: [cs({ terminated: { exitCode: 1 } })],
      want: 'Failed',
    },
    {
      name: 'OnFailure + exit 1 keeps Running (restarting)',
      policy: 'OnFailure',
      statuses: [cs({ terminated: { exitCode: 1 } })],
      want: 'Running',
    },
    {
      name: 'OnFailure + exit 0 is Succeeded',
      policy: 'OnFailure',
      statuses: [cs({ terminated: { exitCode: 0 } })],
      want: 'Succeeded',
    },
    {
      name: 'Always + all exited keeps Running',
      statuses: [cs({ terminated: { exitCode: 0 } })],
      want: 'Running',
    },
    {
      name: 'a terminated pod under Always is Succeeded when all exited 0',
      statuses: [cs({ terminated: { exitCode: 0 } })],
      terminal: true,
      want: 'Succeeded',
    },
    {
      name: 'a terminated pod under Always is Failed when one failed (SIGKILL 137)',
      statuses: [cs({ terminated: { exitCode: 137 } })],
      terminal: true,
      want: 'Failed',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const pod = newPod({ restartPolicy: c.policy ?? 'Always' });
      assert.equal(podPhase(pod, c.statuses, c.terminal ?? false), c.want);
    });
});
