/**
 * A fixture for probe unit tests: a ProbeManager on a FakeClock with a fake probe runner
 * (answers set per probe object, every try recorded) and an event recorder kept in memory.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.d.ts';
import { FakeClock, involvedObjectOf } from '../../client/index.ts';
import type { EventObject, EventRecorder } from '../../client/index.ts';
import { container, newPod, runtimePod, sandbox } from '../pods/pod-fixtures.test-support.ts';
import type { RuntimeContainer, RuntimePod } from '../pods/runtime-state.ts';
import { ProbeManager } from './probe-manager.ts';
import { probeSuccess } from './probe-result.ts';
import type { ProbeResult } from './probe-result.ts';
import type { ProbeAction, ProbeRunner, ProbeTarget } from './prober.ts';

/** Answers each probe (by object identity) with what the test set; records every try. */
export class FakeRunner implements ProbeRunner {
  readonly answers = new Map<ProbeAction, ProbeResult | (() => Promise<ProbeResult>)>();
  readonly calls: {
    probe: ProbeAction;
    target: ProbeTarget;
    timeoutSeconds: number;
    at: number;
  }[] = [];
  readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  run(probe: ProbeAction, target: ProbeTarget, timeoutSeconds: number): Promise<ProbeResult> {
    this.calls.push({ probe, target, timeoutSeconds, at: this.clock.now() });
    const a = this.answers.get(probe) ?? probeSuccess();
    return typeof a === 'function' ? a() : Promise.resolve(a);
  }
  tries(probe: ProbeAction): number[] {
    return this.calls.filter((c) => c.probe === probe).map((c) => c.at);
  }
}

export class Events implements EventRecorder {
  readonly list: {
    reason: string;
    message: string;
    type: string;
    name: string;
    fieldPath: string | undefined;
  }[] = [];
  event(obj: EventObject, type: string, reason: string, message: string): void {
    const ref = involvedObjectOf(obj);
    this.list.push({ reason, message, type, name: ref.name ?? '', fieldPath: ref.fieldPath });
  }
  messages(reason: string): string[] {
    return this.list.filter((e) => e.reason === reason).map((e) => e.message);
  }
}

/** Lets the workers' probe promises settle. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

export interface ProbeFixture {
  readonly clock: FakeClock;
  readonly runner: FakeRunner;
  readonly events: Events;
  /** Pod uids `onChange` was called with, in order. */
  readonly changes: string[];
  readonly manager: ProbeManager;
  /** Steps the clock `ms` one second at a time, letting probes settle between steps. */
  advance(ms: number): Promise<void>;
}

export function fixture(start = 1_000_000): ProbeFixture {
  const clock = new FakeClock(start);
  const runner = new FakeRunner(clock);
  const events = new Events();
  const changes: string[] = [];
  const manager = new ProbeManager({
    runner,
    events,
    onChange: (uid) => changes.push(uid),
    hostIp: '192.0.2.10',
    clock,
  });
  const advance = async (ms: number): Promise<void> => {
    await settle();
    clock.step(0);
    await settle();
    for (let left = ms; left > 0; left -= 1000) {
      clock.step(Math.min(1000, left));
      await settle();
    }
  };
  return { clock, runner, events, changes, manager, advance };
}

export const probe = (extra: Partial<Probe> = {}): Probe => ({
  exec: { command: ['check'] },
  periodSeconds: 1,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 1,
  ...extra,
});

export function podWith(c: Partial<Container>, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return newPod(spec, [{ name: 'app', image: 'busybox:1', ...c }]);
}

export function running(startedAtMs: number, extra: Partial<RuntimeContainer> = {}): RuntimePod {
  return runtimePod([sandbox()], [container('app', { startedAtMs, ...extra })]);
}
