/**
 * A fixture for controller tests (sample-controller's `newFixture`): a real API server on a
 * MemoryStore, a client, the shared informers and a ControllerContext whose events are kept in
 * memory to assert on; `run(controllers)` starts them with the informers, and a FakeKubelet
 * (which also binds pods) makes pods Running and Ready. `stop()` stops everything.
 */
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { RestClient, realClock } from '../../src/client/index.ts';
import type { Clock, KubeObject, ResourceRef } from '../../src/client/index.ts';
import type {
  Controller,
  ControllerContext,
  EventRecorder,
  EventType,
} from '../../src/controllers/controller.ts';
import { SharedInformerFactory } from '../../src/controllers/informer-factory.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from './api-server-fixture.ts';
import type { ApiServerFixture } from './api-server-fixture.ts';
import { FakeKubelet } from './fake-kubelet.ts';
import { until } from './until.ts';

export interface RecordedEvent {
  readonly kind: string;
  readonly name: string;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export class RecordingEventRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({
      kind: obj.kind ?? '',
      name: obj.metadata?.name ?? '',
      type,
      reason,
      message,
    });
  }
}

export interface ControllerFixture {
  readonly api: ApiServerFixture;
  readonly client: RestClient;
  readonly ctx: ControllerContext;
  readonly recorder: RecordingEventRecorder;
  readonly kubelet: FakeKubelet;
  readonly signal: AbortSignal;
  run(controllers: readonly Controller[]): void;
  /** The pods of `namespace` matching `labelSelector`. */
  pods(labelSelector: string, namespace?: string): Promise<Pod[]>;
  /** Waits for an event with this reason (and message, when given). */
  waitEvent(reason: string, message?: RegExp, timeoutMs?: number): Promise<RecordedEvent>;
  get<T extends KubeObject>(ref: ResourceRef, name: string, namespace?: string): Promise<T>;
  /** Drops the pods' ownerReferences, as the garbage collector does for `--cascade=orphan`. */
  orphan(pods: readonly Pod[]): Promise<void>;
  stop(): Promise<void>;
}

export async function newControllerFixture(
  options: {
    nodes?: readonly string[];
    leaseRenewMs?: number;
    /** The controllers' clock (their queues, backoffs, expectations). Default: real time. */
    clock?: Clock;
  } = {},
): Promise<ControllerFixture> {
  const api = await startApiServerFixture(new MemoryStore());
  const client = RestClient.fromKubeconfig(readFileSync(api.kubeconfigPath, 'utf8'), {
    component: 'controller-test',
  });
  const informers = new SharedInformerFactory({ client });
  const recorder = new RecordingEventRecorder();
  const stopper = new AbortController();
  const ctx: ControllerContext = {
    client,
    informers,
    events: recorder,
    clock: options.clock ?? realClock,
    log: (level, message, fields) => {
      if (process.env['K8TS_TEST_LOG'] === '1')
        process.stderr.write(`${level} ${message} ${JSON.stringify(fields ?? {})}\n`);
    },
  };
  const kubelet = new FakeKubelet({
    client,
    nodes: options.nodes ?? ['node-1', 'node-2'],
    schedule: true,
    ...(options.leaseRenewMs === undefined ? {} : { leaseRenewMs: options.leaseRenewMs }),
  });
  await kubelet.register();
  const running: Promise<unknown>[] = [kubelet.run(stopper.signal)];
  return {
    api,
    client,
    ctx,
    recorder,
    kubelet,
    signal: stopper.signal,
    run(controllers) {
      for (const c of controllers) running.push(c.run(stopper.signal));
      informers.start(stopper.signal);
    },
    async pods(labelSelector, namespace = 'default') {
      const list = await client.list<Pod>(
        { group: '', version: 'v1', plural: 'pods', namespace },
        { labelSelector },
      );
      return list.items;
    },
    waitEvent(reason, message, timeoutMs = 10_000) {
      return until(
        `event ${reason}${message === undefined ? '' : ` ${String(message)}`}`,
        () =>
          Promise.resolve(
            recorder.events.find(
              (e) => e.reason === reason && (message === undefined || message.test(e.message)),
            ),
          ),
        timeoutMs,
      );
    },
    get<T extends KubeObject>(ref: ResourceRef, name: string, namespace = 'default') {
      return client.get<T>({ ...ref, namespace, name });
    },
    async orphan(pods) {
      for (const p of pods)
        await client.patch(
          {
            group: '',
            version: 'v1',
            plural: 'pods',
            namespace: p.metadata?.namespace ?? 'default',
            name: p.metadata?.name ?? '',
          },
          { metadata: { ownerReferences: null } },
          { type: 'merge' },
        );
    },
    async stop() {
      stopper.abort();
      await Promise.all(running);
      await informers.stopped();
      client.close();
      await api.stop();
    },
  };
}
