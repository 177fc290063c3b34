/**
 * The API server's Prometheus metrics, with upstream's names where upstream has them:
 * apiserver_request_total and apiserver_request_duration_seconds by verb/resource/code,
 * apiserver_current_inflight_requests, apiserver_longrunning_requests (watches), and
 * apiserver_storage_request_duration_seconds by operation. One registry per server (no globals).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestInfo } from './request-info.ts';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, resource and HTTP response code.',
    labelNames: ['verb', 'group', 'resource', 'subresource', 'code'] as const,
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, resource and subresource.',
    labelNames: ['verb', 'group', 'resource', 'subresource'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly #inflight = new Gauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Number of requests currently being served, by kind (mutating or readOnly).',
    labelNames: ['request_kind'] as const,
    registers: [this.registry],
  });
  readonly #watches = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Number of open long-running requests (watches), by resource.',
    labelNames: ['verb', 'group', 'resource'] as const,
    registers: [this.registry],
  });
  readonly storageLatency = new Histogram({
    name: 'apiserver_storage_request_duration_seconds',
    help: 'Storage request latency in seconds, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Per label set, the metric children (prom-client hashes the labels on every call otherwise). */
  readonly #children = new Map<
    string,
    {
      readonly latency: Histogram.Internal<'verb' | 'group' | 'resource' | 'subresource'>;
      readonly requests: Map<number, Counter.Internal>;
    }
  >();

  /** Call at the start of a request; call the result with the response code at its end. */
  start(info: RequestInfo): (code: number) => void {
    const started = performance.now();
    const verb = info.verb.toUpperCase();
    const labels = info.isResourceRequest
      ? { verb, group: info.group, resource: info.resource, subresource: info.subresource ?? '' }
      : { verb, group: '', resource: '', subresource: '' };
    const kind = MUTATING_VERBS.has(verb) ? 'mutating' : 'readOnly';
    const isWatch = info.verb === 'watch';
    if (isWatch) this.#watches.inc({ verb, group: labels.group, resource: labels.resource });
    else this.#inflight.inc({ request_kind: kind });
    return (code) => {
      if (isWatch) this.#watches.dec({ verb, group: labels.group, resource: labels.resource });
      else this.#inflight.dec({ request_kind: kind });
      const key = `${verb} ${labels.group} ${labels.resource} ${labels.subresource}`;
      let children = this.#children.get(key);
      if (children === undefined) {
        children = { latency: this.#latency.labels(labels), requests: new Map() };
        // Bounded: label sets from arbitrary request paths must not grow it without end.
        if (this.#children.size < MAX_CACHED_LABEL_SETS) this.#children.set(key, children);
      }
      let requests = children.requests.get(code);
      if (requests === undefined) {
        requests = this.#requests.labels({ ...labels, code: String(code) });
        children.requests.set(code, requests);
      }
      requests.inc();
      if (!isWatch) children.latency.observe((performance.now() - started) / 1000);
    };
  }
}

const MAX_CACHED_LABEL_SETS = 1000;

const MUTATING_VERBS: ReadonlySet<string> = new Set([
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'CREATE',
  'UPDATE',
  'DELETECOLLECTION',
]);
