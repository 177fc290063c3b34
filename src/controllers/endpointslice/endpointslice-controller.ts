/**
 * The endpointslice controller (upstream's `endpointslice`): keeps the EndpointSlices labelled
 * `kubernetes.io/service-name=<svc>` and `endpointslice.kubernetes.io/managed-by=
 * endpointslice-controller.k8s.io` in line with each selector Service's pods (see
 * `desiredSlices`/`planSlices`). Services without a selector are left alone (upstream leaves
 * them to the mirroring controller); a deleted Service's slices go with it through their owner
 * reference (the garbage collector). Slices created are remembered until the informer shows
 * them, and a sync waits (requeues) until then, so a lagging cache never causes duplicates
 * (upstream's endpointSliceTracker). Endpoints carry their node's zone as the node cache has it
 * at sync time (as upstream, a later zone relabel alone does not resync the Service).
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import {
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  isNamespaceTerminating,
  isNotFound,
  runControllerLoop,
  splitMetaNamespaceKey,
} from '../../client/index.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { selects, serviceSelector } from '../util/service-pods.ts';
import { watchServicesAndPods } from '../util/service-queue.ts';
import {
  CONTROLLER_NAME,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  ZONE_LABEL,
  desiredSlices,
  planSlices,
} from './endpoint-slices.ts';
import type { SlicePlan } from './endpoint-slices.ts';

export interface EndpointSliceControllerOptions {
  /** Default: 5 (upstream's `--concurrent-service-endpoint-syncs`). */
  readonly workers?: number | undefined;
  /** Default: 100 (upstream's `--max-endpoints-per-slice`). */
  readonly maxEndpointsPerSlice?: number | undefined;
}

/** The informer has not caught up with this controller's own writes yet: retry shortly. */
export class StaleSliceCacheError extends Error {
  readonly code = 'STALE_ENDPOINTSLICE_CACHE';
}

/** How long a created slice is awaited in the cache before it is assumed deleted by others. */
const CREATED_SLICE_WAIT_MS = 60_000;

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #maxPerSlice: number;
  readonly #queue: RateLimitingQueue<string>;
  /** service key → created slice name → when created. */
  readonly #created = new Map<string, Map<string, number>>();

  constructor(ctx: ControllerContext, options: EndpointSliceControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#maxPerSlice = options.maxEndpointsPerSlice ?? 100;
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
  }

  async run(signal: AbortSignal): Promise<void> {
    const services = this.#ctx.informers.informerFor<Service>(RESOURCES.services);
    const pods = this.#ctx.informers.informerFor<Pod>(RESOURCES.pods);
    const slices = this.#ctx.informers.informerFor<EndpointSlice>(RESOURCES.endpointSlices);
    const nodes = this.#ctx.informers.informerFor<Node>(RESOURCES.nodes);
    const regs = watchServicesAndPods(services, pods, (k) => {
      this.#queue.add(k);
    });
    const forSlice = (o: EndpointSlice | DeletedFinalStateUnknown<EndpointSlice>): void => {
      const s = o instanceof DeletedFinalStateUnknown ? o.obj : o;
      const labels = s.metadata?.labels ?? {};
      const svc = labels[SERVICE_NAME_LABEL];
      if (labels[MANAGED_BY_LABEL] === CONTROLLER_NAME && svc !== undefined)
        this.#queue.add(`${s.metadata?.namespace ?? ''}/${svc}`);
    };
    regs.push(
      slices.addEventHandler({
        onAdd: forSlice,
        onUpdate: (_o, n) => {
          forSlice(n);
        },
        onDelete: forSlice,
      }),
    );
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#workers,
        informers: [services, pods, slices, nodes],
        signal,
        reconcile: (key, s) => this.sync(key, s),
        onError: (err, key) => {
          if (err instanceof StaleSliceCacheError) return;
          this.#ctx.log('warn', 'endpointslice sync failed; retrying', {
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
    const svc = this.#ctx.informers.informerFor<Service>(RESOURCES.services).indexer.getByKey(key);
    if (svc === undefined) {
      this.#created.delete(key);
      return; // the garbage collector deletes the slices with their owner
    }
    const selector = serviceSelector(svc);
    if (selector === undefined) return;
    const existing = this.#ctx.informers
      .informerFor<EndpointSlice>(RESOURCES.endpointSlices)
      .indexer.list()
      .filter(
        (s) =>
          s.metadata?.namespace === namespace &&
          s.metadata.labels?.[SERVICE_NAME_LABEL] === name &&
          s.metadata.labels[MANAGED_BY_LABEL] === CONTROLLER_NAME &&
          s.metadata.deletionTimestamp == null,
      );
    this.#checkCacheFresh(key, existing);
    const pods = this.#ctx.informers
      .informerFor<Pod>(RESOURCES.pods)
      .indexer.list()
      .filter((p) => p.metadata?.namespace === namespace && selects(selector, p));
    const nodes = this.#ctx.informers.informerFor<Node>(RESOURCES.nodes).indexer;
    const zoneOf = (node: string): string | undefined =>
      nodes.getByKey(node)?.metadata?.labels?.[ZONE_LABEL];
    const plan = planSlices(svc, desiredSlices(svc, pods, this.#maxPerSlice, zoneOf), existing);
    try {
      await this.#write(key, namespace, plan, signal);
    } catch (err: unknown) {
      // The namespace is being deleted: every create fails alike; drop the key, as upstream.
      if (isNamespaceTerminating(err)) return;
      if (!signal.aborted)
        this.#ctx.events.event(
          svc,
          'Warning',
          'FailedToUpdateEndpointSlices',
          `Error updating Endpoint Slices for Service ${key}: ${err instanceof Error ? err.message : String(err)}`,
        );
      throw err;
    }
  }

  async #write(
    key: string,
    namespace: string,
    plan: SlicePlan,
    signal: AbortSignal,
  ): Promise<void> {
    const ref = { ...RESOURCES.endpointSlices, namespace };
    for (const s of plan.update)
      await this.#ctx.client.update({ ...ref, name: s.metadata?.name ?? '' }, s, { signal });
    for (const s of plan.create) {
      const created = await this.#ctx.client.create(ref, s, { signal });
      const createdName = created.metadata?.name;
      if (createdName === undefined) continue;
      const mine = this.#created.get(key) ?? new Map<string, number>();
      mine.set(createdName, this.#ctx.clock.now());
      this.#created.set(key, mine);
    }
    for (const s of plan.delete) {
      try {
        await this.#ctx.client.delete({ ...ref, name: s.metadata?.name ?? '' }, { signal });
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  #checkCacheFresh(key: string, existing: readonly EndpointSlice[]): void {
    const mine = this.#created.get(key);
    if (mine === undefined) return;
    const now = this.#ctx.clock.now();
    const seen = new Set(existing.map((s) => s.metadata?.name));
    for (const [sliceName, at] of mine)
      if (seen.has(sliceName) || now - at > CREATED_SLICE_WAIT_MS) mine.delete(sliceName);
    if (mine.size === 0) {
      this.#created.delete(key);
      return;
    }
    throw new StaleSliceCacheError(
      `endpointslices of ${key} not yet in the cache: ${[...mine.keys()].join(', ')}`,
    );
  }
}
