/**
 * The endpoints controller (upstream's `endpoint`): keeps one Endpoints object per Service that
 * has a selector, named after it, listing the selected pods (see `desiredEndpoints`). A Service
 * without a selector is left alone, so the API server's own `default/kubernetes` Endpoints and
 * hand-written ones stay untouched; when a Service is deleted its Endpoints go too. Writes
 * happen only when the subsets, labels or over-capacity annotation differ.
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import {
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  isAlreadyExists,
  isNamespaceTerminating,
  isNotFound,
  runControllerLoop,
  splitMetaNamespaceKey,
} from '../../client/index.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { selects, serviceSelector } from '../util/service-pods.ts';
import { watchServicesAndPods } from '../util/service-queue.ts';
import { OVER_CAPACITY_ANNOTATION, desiredEndpoints } from './endpoints.ts';

export interface EndpointsControllerOptions {
  /** Default: 5 (upstream's `--concurrent-endpoint-syncs`). */
  readonly workers?: number | undefined;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class EndpointsController implements Controller {
  readonly name = 'endpoint';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #queue: RateLimitingQueue<string>;

  constructor(ctx: ControllerContext, options: EndpointsControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
  }

  async run(signal: AbortSignal): Promise<void> {
    const services = this.#ctx.informers.informerFor<Service>(RESOURCES.services);
    const pods = this.#ctx.informers.informerFor<Pod>(RESOURCES.pods);
    const endpoints = this.#ctx.informers.informerFor<Endpoints>(RESOURCES.endpoints);
    const regs = watchServicesAndPods(services, pods, (k) => {
      this.#queue.add(k);
    });
    regs.push(
      endpoints.addEventHandler({
        onDelete: (o) => {
          const ep = o instanceof DeletedFinalStateUnknown ? o.obj : o;
          this.#queue.add(`${ep.metadata?.namespace ?? ''}/${ep.metadata?.name ?? ''}`);
        },
      }),
    );
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#workers,
        informers: [services, pods, endpoints],
        signal,
        reconcile: (key, s) => this.sync(key, s),
        onError: (err, key) => {
          this.#ctx.log('warn', 'endpoints sync failed; retrying', {
            service: key,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      });
    } finally {
      for (const r of regs) r.remove();
    }
  }

  async sync(key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ref = { ...RESOURCES.endpoints, namespace, name };
    const svc = this.#ctx.informers.informerFor<Service>(RESOURCES.services).indexer.getByKey(key);
    if (svc === undefined) {
      // The Service is gone: so are its Endpoints (upstream deletes them here too).
      try {
        await this.#ctx.client.delete(ref, { signal });
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    const selector = serviceSelector(svc);
    if (selector === undefined) return;
    const pods = this.#ctx.informers
      .informerFor<Pod>(RESOURCES.pods)
      .indexer.list()
      .filter((p) => p.metadata?.namespace === namespace && selects(selector, p));
    const want = desiredEndpoints(svc, pods);
    const current = this.#ctx.informers
      .informerFor<Endpoints>(RESOURCES.endpoints)
      .indexer.getByKey(key);
    const annotations = { ...(current?.metadata?.annotations ?? {}) };
    if (want.overCapacity) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- annotations are a map
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (
      current !== undefined &&
      sameJson(current.subsets ?? [], want.subsets) &&
      sameJson(current.metadata?.labels ?? {}, want.labels) &&
      sameJson(current.metadata?.annotations ?? {}, annotations)
    )
      return;
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(current?.metadata ?? {}),
        name,
        namespace,
        labels: want.labels,
        annotations,
      },
      subsets: want.subsets,
    };
    try {
      if (current === undefined) await this.#ctx.client.create(ref, body, { signal });
      else await this.#ctx.client.update(ref, body, { signal });
    } catch (err: unknown) {
      // Someone created it first; the informer will bring it and queue us again.
      if (current === undefined && isAlreadyExists(err))
        throw new Error(`endpoints ${key} appeared while creating; retrying`, { cause: err });
      // The namespace is being deleted: every create fails alike; drop the key, as upstream.
      if (isNamespaceTerminating(err)) return;
      if (!signal.aborted)
        this.#ctx.events.event(
          body,
          'Warning',
          current === undefined ? 'FailedToCreateEndpoint' : 'FailedToUpdateEndpoint',
          current === undefined
            ? `Failed to create endpoint for service ${key}: ${errorText(err)}`
            : `Failed to update endpoint ${key}: ${errorText(err)}`,
        );
      throw err;
    }
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
