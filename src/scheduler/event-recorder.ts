/**
 * Records core/v1 Events for the scheduler (`reportingComponent: default-scheduler`), best
 * effort: a failed write is logged, never thrown. Writes in flight are tracked so `flush()` can
 * wait for them on shutdown. Not implemented: upstream's aggregation into a count/series.
 */
import { randomBytes } from 'node:crypto';
import type { Event as CoreEvent, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { RestClient } from '../client/index.ts';

export type Logger = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export class SchedulerEventRecorder {
  readonly #client: RestClient;
  readonly #component: string;
  readonly #log: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(client: RestClient, component: string, log: Logger) {
    this.#client = client;
    this.#component = component;
    this.#log = log;
  }

  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const suffix = `${Date.now().toString(16)}${randomBytes(4).toString('hex')}`;
    const ev: CoreEvent = {
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
    const p = this.#client
      .create({ group: '', version: 'v1', plural: 'events', namespace }, ev)
      .then(
        () => undefined,
        (err: unknown) => {
          this.#log('warn', 'failed to record event', {
            reason,
            pod: `${namespace}/${name}`,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      )
      .finally(() => {
        this.#pending.delete(p);
      });
    this.#pending.add(p);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
