/**
 * The garbage collector's dependency graph (upstream's `graph.go` + `graph_builder.go`): one
 * node per object uid, linked to its owners by ownerReferences. Owners referenced but not yet
 * observed are "virtual" nodes that the collector verifies against the API. Applying an
 * informer event returns what the collector must look at next (uids to attempt to delete, uids
 * to orphan), exactly the transitions upstream's processGraphChanges enqueues. Pure and
 * synchronous: event handlers apply changes in order, so no graph-changes queue is needed.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { KubeObject } from '../../client/index.ts';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export interface ObjectIdentity {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `''` for cluster-scoped objects (and, for virtual nodes, the dependent's namespace). */
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface GraphNode {
  identity: ObjectIdentity;
  owners: OwnerReference[];
  readonly dependents: Set<GraphNode>;
  /** Referenced as an owner, never observed through an informer. */
  virtual: boolean;
  beingDeleted: boolean;
  /** Being deleted in the foreground: waits for its blocking dependents. */
  deletingDependents: boolean;
}

export interface GraphChanges {
  readonly attemptToDelete: string[];
  readonly attemptToOrphan: string[];
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const hasFinalizer = (obj: KubeObject, f: string): boolean =>
  (obj.metadata?.finalizers ?? []).includes(f);

export class DependencyGraph {
  readonly #nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  get size(): number {
    return this.#nodes.size;
  }

  /** An add or update seen by an informer (`kind`/`group`/`version` from the resource watched). */
  observe(obj: KubeObject, type: Pick<ObjectIdentity, 'group' | 'version' | 'kind'>): GraphChanges {
    const changes: GraphChanges = { attemptToDelete: [], attemptToOrphan: [] };
    const uid = obj.metadata?.uid;
    if (uid === undefined) return changes;
    const identity: ObjectIdentity = {
      ...type,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
      uid,
    };
    const owners = [...(obj.metadata?.ownerReferences ?? [])];
    const beingDeleted = obj.metadata?.deletionTimestamp != null;
    let node = this.#nodes.get(uid);
    if (node === undefined) {
      node = {
        identity,
        owners: [],
        dependents: new Set(),
        virtual: false,
        beingDeleted,
        deletingDependents: false,
      };
      this.#nodes.set(uid, node);
      this.#setOwners(node, owners, changes);
    } else {
      node.virtual = false;
      node.identity = identity;
      this.#setOwners(node, owners, changes);
      node.beingDeleted = beingDeleted;
    }
    // processTransitions: an owner starting orphan or foreground deletion.
    if (beingDeleted && hasFinalizer(obj, ORPHAN_FINALIZER)) changes.attemptToOrphan.push(uid);
    if (beingDeleted && hasFinalizer(obj, FOREGROUND_FINALIZER)) {
      node.deletingDependents = true;
      changes.attemptToDelete.push(uid);
      for (const d of node.dependents) changes.attemptToDelete.push(d.identity.uid);
    } else {
      node.deletingDependents = false;
    }
    return changes;
  }

  /** A delete seen by an informer, or a virtual node the API says does not exist. */
  remove(uid: string): GraphChanges {
    const changes: GraphChanges = { attemptToDelete: [], attemptToOrphan: [] };
    const node = this.#nodes.get(uid);
    if (node === undefined) return changes;
    this.#nodes.delete(uid);
    for (const ref of node.owners) {
      const owner = this.#nodes.get(ref.uid);
      if (owner === undefined) continue;
      owner.dependents.delete(node);
      // An owner waiting for its dependents may now be unblocked.
      if (owner.deletingDependents) changes.attemptToDelete.push(owner.identity.uid);
    }
    for (const d of node.dependents) changes.attemptToDelete.push(d.identity.uid);
    return changes;
  }

  /** Dependents whose reference to `owner` sets blockOwnerDeletion. */
  blockingDependents(owner: GraphNode): GraphNode[] {
    return [...owner.dependents].filter((d) =>
      d.owners.some((r) => r.uid === owner.identity.uid && r.blockOwnerDeletion === true),
    );
  }

  #setOwners(node: GraphNode, owners: OwnerReference[], changes: GraphChanges): void {
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(owners.map((r) => [r.uid, r]));
    for (const [uid, ref] of before) {
      if (after.has(uid)) continue;
      const owner = this.#nodes.get(uid);
      owner?.dependents.delete(node);
      // A removed blocking reference may unblock an owner deleting in the foreground.
      if (owner?.deletingDependents === true && ref.blockOwnerDeletion === true)
        changes.attemptToDelete.push(uid);
    }
    for (const [uid, ref] of after) {
      let owner = this.#nodes.get(uid);
      if (owner === undefined) {
        const { group, version } = parseApiVersion(ref.apiVersion);
        owner = {
          identity: {
            group,
            version,
            kind: ref.kind,
            namespace: node.identity.namespace,
            name: ref.name,
            uid,
          },
          owners: [],
          dependents: new Set(),
          virtual: true,
          beingDeleted: false,
          deletingDependents: false,
        };
        this.#nodes.set(uid, owner);
        // Verify the owner exists; if not, its dependents are garbage.
        changes.attemptToDelete.push(uid);
      }
      owner.dependents.add(node);
      const old = before.get(uid);
      if (
        owner.deletingDependents &&
        old?.blockOwnerDeletion === true &&
        ref.blockOwnerDeletion !== true
      )
        changes.attemptToDelete.push(uid);
    }
    node.owners = owners;
  }
}

/** A bounded set of owner uids known to be absent (upstream's absentOwnerCache, an LRU). */
export class AbsentOwnerCache {
  readonly #max: number;
  readonly #uids = new Set<string>();
  constructor(max = 500) {
    this.#max = max;
  }
  has(key: string): boolean {
    if (!this.#uids.has(key)) return false;
    this.#uids.delete(key);
    this.#uids.add(key);
    return true;
  }
  add(key: string): void {
    this.#uids.delete(key);
    this.#uids.add(key);
    if (this.#uids.size > this.#max) {
      const oldest = this.#uids.values().next();
      if (oldest.done !== true) this.#uids.delete(oldest.value);
    }
  }
}

export type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion';

/**
 * What attemptToDeleteItem does with an object, given the state of each of its owners and
 * whether it has dependents of its own (upstream's switch). Pure.
 */
export type DeleteDecision =
  | { readonly action: 'none' }
  | { readonly action: 'removeOwnerRefs'; readonly uids: readonly string[] }
  | { readonly action: 'delete'; readonly policy: 'Background' | 'Foreground' | 'Orphan' };

export function decide(
  obj: KubeObject,
  owners: readonly { readonly uid: string; readonly state: OwnerState }[],
  hasDependents: boolean,
): DeleteDecision {
  if (owners.length === 0) return { action: 'none' };
  const solid = owners.filter((o) => o.state === 'solid');
  const notSolid = owners.filter((o) => o.state !== 'solid').map((o) => o.uid);
  const waiting = owners.filter((o) => o.state === 'waitingForDependentsDeletion');
  if (solid.length > 0) {
    return notSolid.length === 0
      ? { action: 'none' }
      : { action: 'removeOwnerRefs', uids: notSolid };
  }
  if (waiting.length > 0 && hasDependents) return { action: 'delete', policy: 'Foreground' };
  if (hasFinalizer(obj, ORPHAN_FINALIZER)) return { action: 'delete', policy: 'Orphan' };
  if (hasFinalizer(obj, FOREGROUND_FINALIZER)) return { action: 'delete', policy: 'Foreground' };
  return { action: 'delete', policy: 'Background' };
}
