/**
 * The namespace controller (upstream's `namespace`, `namespaced_resources_deleter.go`): for a
 * namespace being deleted it deletes every namespaced resource the API serves in it (pods
 * first, the rest once the pods are gone, as upstream's ordered namespace deletion), records
 * progress in the five `NamespaceDeletion*`/`Namespace*Remaining` conditions, requeues with
 * backoff while content remains, and then removes the `kubernetes` finalizer through
 * `namespaces/<n>/finalize`, which lets the API server delete the namespace. Events are never
 * deleted one by one (they go with the collection like everything else). Not guaranteed: that
 * content with finalizers other controllers own ever goes away.
 */
import type { Namespace } from 'kubernetes-types/core/v1.d.ts';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  RateLimitingQueue,
  isConflict,
  isNotFound,
  runControllerLoop,
} from '../../client/index.ts';
import type { KubeObject, RestClient } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { discoverResources, groupResource, refOf } from '../util/api-discovery.ts';
import type { ServedResource } from '../util/api-discovery.ts';
import { nextConditions, sameConditions } from './deletion-conditions.ts';
import type { DeletionReport } from './deletion-conditions.ts';

export const KUBERNETES_FINALIZER = 'kubernetes';

export interface NamespaceControllerOptions {
  /** Concurrent namespaces deleted. Default: 10 (upstream's `--concurrent-namespace-syncs`). */
  readonly workers?: number | undefined;
}

/** Content still in the namespace: the key is retried with backoff. */
export class NamespaceContentRemainingError extends Error {
  readonly code = 'NAMESPACE_CONTENT_REMAINING';
  constructor(namespace: string, what: string) {
    super(`namespace ${namespace} still has content: ${what}`);
  }
}

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #queue: RateLimitingQueue<string>;

  constructor(ctx: ControllerContext, options: NamespaceControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 10;
    // upstream's nsControllerRateLimiter: 5 ms doubling to 60 s per key, 10 qps / 100 overall.
    this.#queue = new RateLimitingQueue<string>({
      clock: ctx.clock,
      rateLimiter: new MaxOfRateLimiter<string>(
        new ItemExponentialFailureRateLimiter(5, 60_000),
        new BucketRateLimiter(10, 100, ctx.clock),
      ),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informer = this.#ctx.informers.informerFor<Namespace>(RESOURCES.namespaces);
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata?.deletionTimestamp != null && ns.metadata.name !== undefined)
        this.#queue.add(ns.metadata.name);
    };
    const reg = informer.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, n) => {
        enqueue(n);
      },
    });
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#workers,
        informers: [informer],
        signal,
        reconcile: (name, s) => this.sync(name, s),
        onError: (err, name) => {
          if (err instanceof NamespaceContentRemainingError) return;
          this.#ctx.log('warn', 'namespace deletion failed; retrying', {
            namespace: name,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      });
    } finally {
      reg.remove();
    }
  }

  /** Level-based: deletes content, updates conditions, finalizes when empty. */
  async sync(name: string, signal: AbortSignal): Promise<void> {
    const client = this.#ctx.client;
    let ns: Namespace;
    try {
      ns = await client.get<Namespace>({ ...RESOURCES.namespaces, name }, { signal });
    } catch (err: unknown) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (ns.metadata?.deletionTimestamp == null) return;
    if (!(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;

    const discovery = await discoverResources(client, signal);
    const report = await deleteAllContent(client, name, discovery.resources, signal);
    const full: DeletionReport = { ...report, discoveryFailures: discovery.failedGroups };
    ns = await this.#updateConditions(ns, full, signal);

    if (full.discoveryFailures.size > 0 || full.contentFailures.length > 0)
      throw new Error(
        `namespace ${name}: ${[...full.discoveryFailures.values(), ...full.contentFailures].join('; ')}`,
      );
    if (full.remaining.size > 0)
      throw new NamespaceContentRemainingError(
        name,
        [...full.remaining.entries()].map(([r, n]) => `${r}=${n}`).join(', '),
      );
    await this.#finalize(ns, signal);
  }

  async #updateConditions(
    ns: Namespace,
    report: DeletionReport,
    signal: AbortSignal,
  ): Promise<Namespace> {
    const existing = ns.status?.conditions ?? [];
    const nowIso = new Date(this.#ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const conditions = nextConditions(existing, report, nowIso);
    if (sameConditions(existing, conditions)) return ns;
    const name = ns.metadata?.name ?? '';
    return this.#ctx.client.update<Namespace>(
      { ...RESOURCES.namespaces, name, subresource: 'status' },
      { ...ns, status: { ...ns.status, phase: 'Terminating', conditions } },
      { signal },
    );
  }

  async #finalize(ns: Namespace, signal: AbortSignal): Promise<void> {
    const name = ns.metadata?.name ?? '';
    let current = ns;
    // upstream's retryOnConflictError: re-read and retry the finalize on a conflict.
    for (let attempt = 0; ; attempt++) {
      const finalizers = (current.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
      try {
        await this.#ctx.client.update<Namespace>(
          { ...RESOURCES.namespaces, name, subresource: 'finalize' },
          { ...current, spec: { ...current.spec, finalizers } },
          { signal },
        );
        this.#ctx.log('info', 'namespace finalized', { namespace: name });
        return;
      } catch (err: unknown) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 3) throw err;
        current = await this.#ctx.client.get<Namespace>(
          { ...RESOURCES.namespaces, name },
          { signal },
        );
      }
    }
  }
}

/** Whether the namespace deleter deletes this resource (namespaced, listable, deletable). */
export function isDeletableContent(r: ServedResource): boolean {
  return (
    r.namespaced &&
    r.verbs.includes('list') &&
    (r.verbs.includes('deletecollection') || r.verbs.includes('delete'))
  );
}

/**
 * One pass over the namespace's content: delete what is there, then count what remains and
 * which finalizers hold it. Pods go first; other resources are deleted only once no pod is left.
 */
export async function deleteAllContent(
  client: RestClient,
  namespace: string,
  resources: readonly ServedResource[],
  signal: AbortSignal,
): Promise<Omit<DeletionReport, 'discoveryFailures'>> {
  const contentFailures: string[] = [];
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  const deletable = resources.filter(isDeletableContent);
  const isPods = (r: ServedResource): boolean => r.group === '' && r.plural === 'pods';
  const phases = [deletable.filter(isPods), deletable.filter((r) => !isPods(r))];
  for (const phase of phases) {
    for (const r of phase) {
      try {
        const left = await deleteResourceContent(client, namespace, r, signal);
        if (left.length > 0) remaining.set(groupResource(r), left.length);
        for (const obj of left)
          for (const f of obj.metadata?.finalizers ?? [])
            finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      } catch (err: unknown) {
        if (signal.aborted) throw err;
        contentFailures.push(
          `${groupResource(r)}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    if (remaining.size > 0 || contentFailures.length > 0) break;
  }
  return { contentFailures, remaining, finalizers };
}

async function deleteResourceContent(
  client: RestClient,
  namespace: string,
  r: ServedResource,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const ref = { ...refOf(r), namespace };
  const existing = await client.list(ref, { signal });
  const live = existing.items.filter((o) => o.metadata?.deletionTimestamp == null);
  if (live.length > 0) {
    if (r.verbs.includes('deletecollection')) {
      await client.deleteCollection(ref, { signal, propagationPolicy: 'Background' });
    } else {
      for (const o of live) {
        const name = o.metadata?.name;
        if (name === undefined) continue;
        try {
          await client.delete({ ...ref, name }, { signal, propagationPolicy: 'Background' });
        } catch (err: unknown) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
  } else if (existing.items.length === 0) {
    return [];
  }
  return (await client.list(ref, { signal })).items;
}
