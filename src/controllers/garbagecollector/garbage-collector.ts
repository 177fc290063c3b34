/**
 * The garbage collector (upstream's `garbagecollector`): informers over every resource the API
 * serves that can be listed, watched and deleted (events excepted, as upstream ignores them)
 * feed a dependency graph of ownerReferences; two queues act on it.
 * - attemptToDelete: an object whose owners are all gone (checked against the API by uid, so a
 *   re-created owner with the same name does not count; absent uids are cached) is deleted
 *   (Background, or as its own finalizers ask); references to absent owners are removed while
 *   a live owner remains; an owner deleting in the foreground loses its `foregroundDeletion`
 *   finalizer once no dependent with `blockOwnerDeletion` is left, and its dependents are
 *   deleted first.
 * - attemptToOrphan: an owner with the `orphan` finalizer has its uid removed from every
 *   dependent's ownerReferences, then loses the finalizer.
 * Deletes carry a uid precondition. Not guaranteed: resources added to the API after start-up
 * are monitored only after a restart.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import {
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  isAborted,
  isConflict,
  isNotFound,
  runControllerLoop,
  sleep,
} from '../../client/index.ts';
import type {
  HandlerRegistration,
  KubeObject,
  ObjectRef,
  SharedInformer,
} from '../../client/index.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { discoverResources, refOf } from '../util/api-discovery.ts';
import type { ServedResource } from '../util/api-discovery.ts';
import {
  AbsentOwnerCache,
  DependencyGraph,
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  decide,
  parseApiVersion,
} from './graph.ts';
import type { GraphChanges, GraphNode, ObjectIdentity, OwnerState } from './graph.ts';

export interface GarbageCollectorOptions {
  /** Workers per queue. Default: 20 (upstream's `--concurrent-gc-syncs`). */
  readonly workers?: number | undefined;
  /** Resources never monitored, as `plural.group`. Default: `events`, `events.events.k8s.io`. */
  readonly ignoredResources?: readonly string[] | undefined;
}

/** Whether the collector watches a resource (upstream's GetDeletableResources minus ignored). */
export function isMonitored(r: ServedResource, ignored: readonly string[]): boolean {
  const gr = r.group === '' ? r.plural : `${r.plural}.${r.group}`;
  return !ignored.includes(gr) && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v));
}

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #ignored: readonly string[];
  readonly graph = new DependencyGraph();
  readonly #absentOwners = new AbsentOwnerCache();
  readonly #deleteQueue: RateLimitingQueue<string>;
  readonly #orphanQueue: RateLimitingQueue<string>;
  /** `group/kind` → resource, from discovery. */
  #byKind = new Map<string, ServedResource>();

  constructor(ctx: ControllerContext, options: GarbageCollectorOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 20;
    this.#ignored = options.ignoredResources ?? ['events', 'events.events.k8s.io'];
    this.#deleteQueue = new RateLimitingQueue<string>({ clock: ctx.clock });
    this.#orphanQueue = new RateLimitingQueue<string>({ clock: ctx.clock });
  }

  async run(signal: AbortSignal): Promise<void> {
    const resources = await this.#discover(signal);
    if (resources === undefined) return;
    const informers: SharedInformer<KubeObject>[] = [];
    const regs: HandlerRegistration[] = [];
    for (const r of resources.filter((x) => isMonitored(x, this.#ignored))) {
      const informer = this.#ctx.informers.informerFor(refOf(r));
      const type = { group: r.group, version: r.version, kind: r.kind };
      informers.push(informer);
      regs.push(
        informer.addEventHandler({
          onAdd: (obj) => {
            this.#apply(this.graph.observe(obj, type));
          },
          onUpdate: (_old, obj) => {
            this.#apply(this.graph.observe(obj, type));
          },
          onDelete: (obj) => {
            const o = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
            const uid = o.metadata?.uid;
            if (uid !== undefined) this.#apply(this.graph.remove(uid));
          },
        }),
      );
    }
    const onError = (what: string) => (err: unknown, uid: string) => {
      this.#ctx.log('warn', `garbage collector: ${what} failed; retrying`, {
        uid,
        error: err instanceof Error ? err.message : String(err),
      });
    };
    try {
      await Promise.all([
        runControllerLoop({
          queue: this.#deleteQueue,
          workers: this.#workers,
          informers,
          signal,
          reconcile: (uid, s) => this.attemptToDelete(uid, s),
          onError: onError('attemptToDelete'),
        }),
        runControllerLoop({
          queue: this.#orphanQueue,
          workers: this.#workers,
          informers,
          signal,
          reconcile: (uid, s) => this.attemptToOrphan(uid, s),
          onError: onError('attemptToOrphan'),
        }),
      ]);
    } finally {
      for (const r of regs) r.remove();
    }
  }

  /** Discovery, retried with backoff until it answers or `signal` aborts. */
  async #discover(signal: AbortSignal): Promise<readonly ServedResource[] | undefined> {
    for (let delayMs = 100; !signal.aborted; delayMs = Math.min(delayMs * 2, 10_000)) {
      try {
        const { resources } = await discoverResources(this.#ctx.client, signal);
        this.#byKind = new Map(resources.map((r) => [`${r.group}/${r.kind}`, r]));
        return resources;
      } catch (err: unknown) {
        if (isAborted(signal)) return undefined;
        this.#ctx.log('warn', 'garbage collector: discovery failed; retrying', {
          error: err instanceof Error ? err.message : String(err),
        });
        await sleep(this.#ctx.clock, delayMs, signal);
      }
    }
    return undefined;
  }

  #apply(changes: GraphChanges): void {
    for (const uid of changes.attemptToDelete) this.#deleteQueue.add(uid);
    for (const uid of changes.attemptToOrphan) this.#orphanQueue.add(uid);
  }

  #refFor(id: ObjectIdentity): ObjectRef {
    const r = this.#byKind.get(`${id.group}/${id.kind}`);
    if (r === undefined)
      throw new Error(`no resource serves kind ${id.kind} in group "${id.group}"`);
    return { ...refOf(r), namespace: r.namespaced ? id.namespace : undefined, name: id.name };
  }

  /** The object as the API has it now, or undefined when absent or re-created (uid differs). */
  async #getLatest(id: ObjectIdentity, signal: AbortSignal): Promise<KubeObject | undefined> {
    try {
      const obj = await this.#ctx.client.get(this.#refFor(id), { signal });
      return obj.metadata?.uid === id.uid ? obj : undefined;
    } catch (err: unknown) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** upstream's attemptToDeleteItem. */
  async attemptToDelete(uid: string, signal: AbortSignal): Promise<void> {
    const node = this.graph.get(uid);
    if (node === undefined) return;
    if (node.beingDeleted && !node.deletingDependents) return;
    const latest = await this.#getLatest(node.identity, signal);
    if (latest === undefined) {
      // The object (or a virtual owner) is gone: its dependents are garbage candidates.
      if (this.graph.get(uid) === node) this.#apply(this.graph.remove(uid));
      return;
    }
    if (node.virtual) return; // it exists; the informer will report it
    if (latest.metadata?.deletionTimestamp != null) {
      if (!(latest.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) return;
      await this.#processDeletingDependents(node, latest, signal);
      return;
    }
    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners: { uid: string; state: OwnerState }[] = [];
    for (const ref of refs)
      owners.push({ uid: ref.uid, state: await this.#classify(node, ref, signal) });
    const decision = decide(latest, owners, node.dependents.size > 0);
    switch (decision.action) {
      case 'none':
        return;
      case 'removeOwnerRefs':
        await this.#removeOwnerRefs(node.identity, decision.uids, signal);
        return;
      case 'delete':
        await this.#delete(node.identity, decision.policy, signal);
        return;
    }
  }

  async #classify(node: GraphNode, ref: OwnerReference, signal: AbortSignal): Promise<OwnerState> {
    const cacheKey = `${node.identity.namespace}/${ref.uid}`;
    if (this.#absentOwners.has(cacheKey)) return 'dangling';
    const { group, version } = parseApiVersion(ref.apiVersion);
    const owner = await this.#getLatest(
      {
        group,
        version,
        kind: ref.kind,
        namespace: node.identity.namespace,
        name: ref.name,
        uid: ref.uid,
      },
      signal,
    );
    if (owner === undefined) {
      this.#absentOwners.add(cacheKey);
      return 'dangling';
    }
    if (
      owner.metadata?.deletionTimestamp != null &&
      (owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)
    )
      return 'waitingForDependentsDeletion';
    return 'solid';
  }

  async #processDeletingDependents(
    node: GraphNode,
    latest: KubeObject,
    signal: AbortSignal,
  ): Promise<void> {
    const blocking = this.graph.blockingDependents(node);
    if (blocking.length === 0) {
      await this.#removeFinalizer(node.identity, latest, FOREGROUND_FINALIZER, signal);
      return;
    }
    for (const d of blocking) if (!d.deletingDependents) this.#deleteQueue.add(d.identity.uid);
  }

  async #delete(
    id: ObjectIdentity,
    policy: 'Background' | 'Foreground' | 'Orphan',
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await this.#ctx.client.delete(this.#refFor(id), {
        signal,
        propagationPolicy: policy,
        preconditions: { uid: id.uid },
      });
      this.#ctx.log('info', 'garbage collector deleted an object', {
        kind: id.kind,
        namespace: id.namespace,
        name: id.name,
        propagationPolicy: policy,
      });
    } catch (err: unknown) {
      if (isNotFound(err) || isConflict(err)) return; // gone, or a new object with that name
      throw err;
    }
  }

  /** Rewrites `id`'s ownerReferences without `uids` (read, filter, update; conflicts retry). */
  async #removeOwnerRefs(
    id: ObjectIdentity,
    uids: readonly string[],
    signal: AbortSignal,
  ): Promise<void> {
    const latest = await this.#getLatest(id, signal);
    if (latest === undefined) return;
    const refs = latest.metadata?.ownerReferences ?? [];
    const kept = refs.filter((r) => !uids.includes(r.uid));
    if (kept.length === refs.length) return;
    await this.#ctx.client.update(
      this.#refFor(id),
      {
        ...latest,
        metadata: { ...latest.metadata, ownerReferences: kept },
      },
      { signal },
    );
  }

  async #removeFinalizer(
    id: ObjectIdentity,
    latest: KubeObject,
    finalizer: string,
    signal: AbortSignal,
  ): Promise<void> {
    const finalizers = latest.metadata?.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return;
    try {
      await this.#ctx.client.update(
        this.#refFor(id),
        {
          ...latest,
          metadata: { ...latest.metadata, finalizers: finalizers.filter((f) => f !== finalizer) },
        },
        { signal },
      );
    } catch (err: unknown) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** upstream's attemptToOrphanWorker: free the dependents, then drop the `orphan` finalizer. */
  async attemptToOrphan(uid: string, signal: AbortSignal): Promise<void> {
    const node = this.graph.get(uid);
    if (node === undefined) return;
    for (const d of [...node.dependents]) {
      try {
        await this.#removeOwnerRefs(d.identity, [uid], signal);
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
    }
    const latest = await this.#getLatest(node.identity, signal);
    if (latest === undefined) return;
    await this.#removeFinalizer(node.identity, latest, ORPHAN_FINALIZER, signal);
  }
}
