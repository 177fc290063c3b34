/**
 * Records core/v1 Events for the scheduler (`reportingComponent: default-scheduler`) the way
 * client-go's event broadcaster does, off the scheduling path: events wait in a queue of at
 * most `maxQueued` (1,000, upstream's maxQueuedEvents) and are written a few at a time
 * (`maxInFlight`, default 4); when the queue is full new events are dropped and counted
 * (upstream's DropIfChannelFull), so an API server under load serves bindings, not events. A
 * failed write is logged, never thrown. Not implemented: aggregation into a count/series.
 */
import { randomBytes } from 'node:crypto';
import type { Event as CoreEvent, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { RestClient } from '../client/index.ts';

export type Logger = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Where events go: the REST client's create (narrowed, so tests pass a fake). */
export type EventSink = Pick<RestClient, 'create'>;

export interface SchedulerEventRecorderOptions {
  /** Events waiting to be written before new ones are dropped. Default 1,000. */
  readonly maxQueued?: number;
  /** Event writes at once. Default 4. */
  readonly maxInFlight?: number;
}

export class SchedulerEventRecorder {
  readonly #client: EventSink;
  readonly #component: string;
  readonly #log: Logger;
  readonly #maxQueued: number;
  readonly #maxInFlight: number;
  readonly #queue: CoreEvent[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #dropped = 0;
  #idle: (() => void)[] = [];

  constructor(
    client: EventSink,
    component: string,
    log: Logger,
    options: SchedulerEventRecorderOptions = {},
  ) {
    this.#client = client;
    this.#component = component;
    this.#log = log;
    this.#maxQueued = options.maxQueued ?? 1_000;
    this.#maxInFlight = options.maxInFlight ?? 4;
  }

  /** Events dropped so far because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.#queue.length >= this.#maxQueued) {
      if (this.#dropped++ % 1_000 === 0)
        this.#log('warn', 'event queue full; dropping events', { dropped: this.#dropped });
      return;
    }
    this.#queue.push(this.#build(pod, type, reason, message));
    this.#pump();
  }

  /** Drops every queued event (not those in flight); returns how many. For a stop. */
  discard(): number {
    const n = this.#queue.length;
    this.#queue.length = 0;
    return n;
  }

  /** Resolves once every queued event was written (or failed). */
  async flush(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight.size === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight.size < this.#maxInFlight) {
      const ev = this.#queue.shift();
      if (ev === undefined) break;
      const namespace = ev.metadata.namespace ?? 'default';
      const p = this.#client
        .create({ group: '', version: 'v1', plural: 'events', namespace }, ev)
        .then(
          () => undefined,
          (err: unknown) => {
            this.#log('warn', 'failed to record event', {
              reason: ev.reason,
              pod: `${namespace}/${ev.involvedObject.name ?? ''}`,
              error: err instanceof Error ? err.message : String(err),
            });
          },
        )
        .finally(() => {
          this.#inFlight.delete(p);
          this.#pump();
        });
      this.#inFlight.add(p);
    }
    if (this.#queue.length === 0 && this.#inFlight.size === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  #build(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): CoreEvent {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const suffix = `${Date.now().toString(16)}${randomBytes(4).toString('hex')}`;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${suffix}`, namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace,
        name,
        ...(pod.metadata?.uid === undefined ? {} : { uid: pod.metadata.uid }),
        ...(pod.metadata?.resourceVersion === undefined
          ? {}
          : { resourceVersion: pod.metadata.resourceVersion }),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#component,
      action: reason === 'Scheduled' ? 'Binding' : 'Scheduling',
    };
  }
}
